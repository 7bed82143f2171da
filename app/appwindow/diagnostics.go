package appwindow

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/supervisor"
)

// secretPatterns match what must never leave the machine in a diagnostics bundle: JWTs, the
// launch secret in a URL, token-looking JSON fields or headers, and credentials in URLs.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`),
	regexp.MustCompile(`(desklit_token=)[^&\s"']+`),
	regexp.MustCompile(`(?i)("?(?:access_token|refresh_token|id_token|code_verifier|client_secret|token)"?\s*[:=]\s*"?)[^"\s,&}]+`),
	regexp.MustCompile(`(?i)(authorization:\s*bearer\s+)\S+`),
	regexp.MustCompile(`(?i)(DESKLIT_(?:LAUNCH_SECRET|CONTROL_TOKEN)=)\S+`),
	// A package index's credentials in its URL (a lock's --index-url line, uv's log).
	regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s:@]+(?::[^/\s@]*)?@`),
}

// Redact removes secrets from text.
func Redact(b []byte) []byte {
	for _, re := range secretPatterns {
		if re.NumSubexp() > 0 {
			b = re.ReplaceAll(b, []byte("${1}[REDACTED]"))
		} else {
			b = re.ReplaceAll(b, []byte("[REDACTED]"))
		}
	}
	return b
}

// diagnostics zips the configuration, versions, services, logs and the running app's lock file
// (lockFile, "" when there is none yet), tokens redacted.
func diagnostics(paths config.Paths, cfg *config.Config, versions map[string]string, services []supervisor.Status, lockFile string, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		_, err = w.Write(Redact(data))
		return err
	}
	var cfgText bytes.Buffer
	for _, s := range cfg.Effective() {
		fmt.Fprintf(&cfgText, "%s=%s\t# %s\n", s.Name, s.Value, s.Source)
	}
	if err := add("configuration.txt", cfgText.Bytes()); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(versions))
	for k := range versions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var vText bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&vText, "%s: %s\n", k, versions[k])
	}
	if err := add("versions.txt", vText.Bytes()); err != nil {
		return nil, err
	}
	svc, _ := json.MarshalIndent(services, "", "  ")
	if err := add("services.json", svc); err != nil {
		return nil, err
	}
	if lockFile != "" {
		if data, err := os.ReadFile(lockFile); err == nil {
			if err := add("app-lock.txt", append([]byte("# "+lockFile+"\n"), data...)); err != nil {
				return nil, err
			}
		}
	}
	if err := addLogs(paths.Logs, add); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// addLogs adds the tail of every log file in dir as logs/<name>.
func addLogs(dir string, add func(name string, data []byte) error) error {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		const max = 2 << 20 // the tail of a large log is what matters
		if len(data) > max {
			data = data[len(data)-max:]
		}
		if err := add("logs/"+e.Name(), data); err != nil {
			return err
		}
	}
	return nil
}
