package shell

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/desklit/desklit/app/pyruntime"
)

// pythonCache remembers the interpreter found at the last start. Finding one runs Python (about
// 100–200 ms); a warm start only checks that the same file is still there, unchanged.
type pythonCache struct {
	Configured string    `json:"configured"`
	Path       string    `json:"path"`
	Version    string    `json:"version"`
	Size       int64     `json:"size"`
	ModTime    time.Time `json:"mod_time"`
}

func (s *Shell) pythonCachePath() string { return filepath.Join(s.o.Paths.Data, "python.json") }

func (s *Shell) findPython(ctx context.Context) (pyruntime.Python, error) {
	getenv := envLookup(s.o.Environ)
	configured := s.cfg.Python
	if configured == "" {
		configured = getenv("DESKLIT_PYTHON")
	}
	if data, err := os.ReadFile(s.pythonCachePath()); err == nil {
		var c pythonCache
		if json.Unmarshal(data, &c) == nil && c.Configured == configured && c.Path != "" {
			if st, err := os.Stat(c.Path); err == nil && st.Size() == c.Size && st.ModTime().Equal(c.ModTime) {
				return pyruntime.Python{Path: c.Path, Version: c.Version}, nil
			}
		}
	}
	py, err := pyruntime.Find(ctx, s.cfg.Python, getenv)
	if err != nil {
		return py, err
	}
	if st, err := os.Stat(py.Path); err == nil {
		data, _ := json.Marshal(pythonCache{Configured: configured, Path: py.Path, Version: py.Version, Size: st.Size(), ModTime: st.ModTime()})
		if err := os.MkdirAll(s.o.Paths.Data, 0o755); err == nil {
			_ = os.WriteFile(s.pythonCachePath(), data, 0o644)
		}
	}
	return py, nil
}
