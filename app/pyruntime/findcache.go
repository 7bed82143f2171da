package pyruntime

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// pythonCache remembers the interpreter found at the last start, per configured path and range.
// Finding one runs Python (about 100–200 ms); a warm start only checks that the same file is
// still there, unchanged.
type pythonCache struct {
	Configured string    `json:"configured"`
	Want       string    `json:"want,omitempty"`
	Path       string    `json:"path"`
	Version    string    `json:"version"`
	Size       int64     `json:"size"`
	ModTime    time.Time `json:"mod_time"`
}

// FindCached is FindIn with the answer remembered in dataDir/python.json.
func FindCached(ctx context.Context, dataDir, configured string, getenv func(string) string, want Range) (Python, error) {
	if configured == "" {
		configured = getenv("DESKLIT_PYTHON")
	}
	file := filepath.Join(dataDir, "python.json")
	var cached []pythonCache
	if data, err := os.ReadFile(file); err == nil {
		_ = json.Unmarshal(data, &cached)
	}
	for _, c := range cached {
		if c.Configured == configured && c.Want == want.String() && c.Path != "" && want.Admits(c.Version) {
			if st, err := os.Stat(c.Path); err == nil && st.Size() == c.Size && st.ModTime().Equal(c.ModTime) {
				return Python{Path: c.Path, Version: c.Version}, nil
			}
		}
	}
	py, err := FindIn(ctx, configured, getenv, want)
	if err != nil {
		return py, err
	}
	if st, err := os.Stat(py.Path); err == nil {
		keep := []pythonCache{{Configured: configured, Want: want.String(), Path: py.Path, Version: py.Version, Size: st.Size(), ModTime: st.ModTime()}}
		for _, c := range cached {
			if (c.Configured != configured || c.Want != want.String()) && len(keep) < 8 {
				keep = append(keep, c)
			}
		}
		if data, err := json.Marshal(keep); err == nil && os.MkdirAll(dataDir, 0o755) == nil {
			_ = os.WriteFile(file, data, 0o644)
		}
	}
	return py, nil
}
