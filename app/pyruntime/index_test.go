package pyruntime

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// packageIndex is a PEP 503 simple index on 127.0.0.1 serving the wheels of a folder: the
// package index as uv meets it online, with no network beyond this machine. It counts the
// requests for each project page.
type packageIndex struct {
	URL  string // …/simple
	dir  string
	mu   sync.Mutex
	hits map[string]int
	// uploaded are the files' upload times (file name → time), which the index gives in the
	// JSON form of the simple API (PEP 691, PEP 700) as PyPI does; uv reads them for
	// --exclude-newer.
	uploaded map[string]time.Time
}

// upload puts a wheel of dist==version on the index, uploaded at the given time.
func (ix *packageIndex) upload(t *testing.T, dist, version, value string, at time.Time) {
	t.Helper()
	makeWheel(t, ix.dir, dist, version, value)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.uploaded[strings.ReplaceAll(dist, "-", "_")+"-"+version+"-py3-none-any.whl"] = at
}

func newPackageIndex(t *testing.T) *packageIndex {
	t.Helper()
	ix := &packageIndex{dir: t.TempDir(), hits: map[string]int{}, uploaded: map[string]time.Time{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /simple/{project}/", ix.project)
	mux.Handle("GET /files/", http.StripPrefix("/files/", http.FileServer(http.Dir(ix.dir))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ix.URL = srv.URL + "/simple"
	return ix
}

func (ix *packageIndex) project(w http.ResponseWriter, r *http.Request) {
	name := normalizeName(r.PathValue("project"))
	ix.mu.Lock()
	ix.hits[name]++
	ix.mu.Unlock()
	entries, _ := os.ReadDir(ix.dir)
	var links strings.Builder
	type file struct {
		Filename   string            `json:"filename"`
		URL        string            `json:"url"`
		Hashes     map[string]string `json:"hashes"`
		UploadTime string            `json:"upload-time,omitempty"`
	}
	var files []file
	for _, e := range entries {
		dist, _, _ := strings.Cut(e.Name(), "-")
		if normalizeName(dist) != name {
			continue
		}
		data, err := os.ReadFile(filepath.Join(ix.dir, e.Name()))
		if err != nil {
			continue
		}
		h := sha256.Sum256(data)
		sum := hex.EncodeToString(h[:])
		fmt.Fprintf(&links, "<a href=\"../../files/%s#sha256=%s\">%s</a>\n", e.Name(), sum, e.Name())
		f := file{Filename: e.Name(), URL: "../../files/" + e.Name(), Hashes: map[string]string{"sha256": sum}}
		ix.mu.Lock()
		if at, ok := ix.uploaded[e.Name()]; ok {
			f.UploadTime = at.UTC().Format("2006-01-02T15:04:05.000000Z")
		}
		ix.mu.Unlock()
		files = append(files, f)
	}
	if links.Len() == 0 {
		http.NotFound(w, r)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "application/vnd.pypi.simple.v1+json") {
		w.Header().Set("Content-Type", "application/vnd.pypi.simple.v1+json")
		_ = json.NewEncoder(w).Encode(map[string]any{"meta": map[string]string{"api-version": "1.1"}, "name": name, "files": files})
		return
	}
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, "<!DOCTYPE html><html><body>\n%s</body></html>\n", links.String())
}

// requested reports how often the index was asked for a project.
func (ix *packageIndex) requested(name string) int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.hits[normalizeName(name)]
}
