//go:build linux

package shell

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/internal/testutil"
)

// A Compose file's service whose program came with its image (nginx as a reverse proxy, as
// idashevskii/streamlit-fastapi-template has it) is left out with a warning naming it; the
// file's other service starts, and so does the app.
func TestComposeServiceLeftOutWhenItsProgramIsMissing(t *testing.T) {
	if _, err := findProgram("python3", "", os.Getenv("PATH")); err != nil {
		testutil.Unavailable(t, "no python3 on PATH: %v", err)
	}
	port := testutil.FreePort(t)
	p := ProjectFrom(t, t.TempDir(), map[string]string{
		"frontend/app.py":  "import streamlit as st\n",
		"backend/api.py":   "import http.server, os\nhttp.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), http.server.SimpleHTTPRequestHandler).serve_forever()\n",
		"proxy/Dockerfile": "FROM nginx:1.27.0\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
		"compose.yaml": "services:\n  reverse-proxy:\n    build: ./proxy\n    ports: [\"18080:80\"]\n  backend:\n    build: ./backend\n" +
			"    command: [\"python3\", \"api.py\"]\n    ports: [\"" + strconv.Itoa(port) + ":" + strconv.Itoa(port) + "\"]\n",
	})
	if len(p.Services) != 2 {
		t.Fatalf("services %+v", p.Services)
	}
	var logs testutil.SyncBuffer
	s := serviceShell(t, p, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.startProjectServices(ctx, nil); err != nil {
		t.Fatalf("startProjectServices = %v, want the backend started and the proxy left out", err)
	}
	if !strings.Contains(logs.String(), "does not run") || !strings.Contains(logs.String(), "reverse-proxy") || !strings.Contains(logs.String(), `nginx`) {
		t.Errorf("no warning naming the proxy:\n%s", logs.String())
	}
	if code := testutil.Status(t, "http://127.0.0.1:"+strconv.Itoa(port)+"/", nil); code != 200 {
		t.Errorf("the backend answers %d", code)
	}
}
