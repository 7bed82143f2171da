//go:build linux

package shell

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
)

// neverAnswers listens on its PORT and takes connections, but never answers a request.
const neverAnswers = `import os, socket
port = int(os.environ["PORT"])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
print("slow-api: listening on", port, "and never answering", flush=True)
held = []
while True:
    held.append(s.accept()[0])
`

// TestServiceHealthNeverAnswers: a service whose health path never answers fails its start
// after desklit.toml's ready_timeout (not the 60 s default), and the error names the service,
// where desklit.toml declares it, the health URL, the timeout and the service's last log lines.
func TestServiceHealthNeverAnswers(t *testing.T) {
	python3, err := findProgram("python3", "", os.Getenv("PATH"))
	if err != nil {
		testutil.Unavailable(t, "no python3 on PATH: %v", err)
	}
	p := ProjectFrom(t, t.TempDir(), map[string]string{
		"app.py":  "import streamlit as st\n",
		"hang.py": neverAnswers,
		"desklit.toml": `# a service that takes connections and never answers them
[services.slow-api]
command = ["` + python3 + `", "hang.py"]
health  = "/healthz"
ready_timeout = "2s"
`,
	})
	s := serviceShell(t, p, nil)
	set, err := s.servicePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	if sp, err := s.serviceSpec(context.Background(), set, set.list[0]); err != nil || sp.ReadyTimeout != 2*time.Second {
		t.Fatalf("spec's ready timeout %s (%v), want desklit.toml's 2s", sp.ReadyTimeout, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = s.startProjectServices(ctx, nil)
	var se *ServiceError
	if !errors.As(err, &se) || se.Name != "slow-api" || !strings.HasSuffix(se.Where, "desklit.toml line 2") {
		t.Fatalf("startProjectServices = %v, want a ServiceError for slow-api at desklit.toml line 2", err)
	}
	healthURL := fmt.Sprintf("GET http://127.0.0.1:%d/healthz", set.list[0].private)
	for _, want := range []string{"slow-api", "not ready within 2s", healthURL, "no answer", "listening on", "never answering"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
}

// serviceShell is a shell for p's services, with a stand-in Python environment (no Python in it:
// the services' programs come from PATH) and its logs in a new folder; its services stop with the
// test.
func serviceShell(t *testing.T, p *project.Project, log *slog.Logger) *Shell {
	t.Helper()
	state := t.TempDir()
	s := New(Options{Project: p, Config: &config.Config{IdPPort: 1}, Logger: log,
		Paths: config.Paths{Logs: filepath.Join(state, "logs"), Run: filepath.Join(state, "run")}})
	s.rt = pyruntime.Runtime{Env: pyruntime.Env{Dir: state, Python: filepath.Join(state, "bin", "python")}}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.sup.Stop(ctx)
	})
	return s
}
