package pyruntime

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// packageIndex is a PEP 503 simple index on 127.0.0.1 serving the wheels of a folder: the
// package index as uv meets it online, with no network beyond this machine. It counts the
// requests for each project page.
type packageIndex struct {
	URL  string // …/simple
	dir  string
	mu   sync.Mutex
	hits map[string]int
}

func newPackageIndex(t *testing.T) *packageIndex {
	t.Helper()
	ix := &packageIndex{dir: t.TempDir(), hits: map[string]int{}}
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
	for _, e := range entries {
		dist, _, _ := strings.Cut(e.Name(), "-")
		if normalizeName(dist) != name {
			continue
		}
		data, err := os.ReadFile(filepath.Join(ix.dir, e.Name()))
		if err != nil {
			continue
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&links, "<a href=\"../../files/%s#sha256=%s\">%s</a>\n", e.Name(), hex.EncodeToString(sum[:]), e.Name())
	}
	if links.Len() == 0 {
		http.NotFound(w, r)
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
