//go:build linux

package shell_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/desklit/desklit/app/authflow"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/app/supervisor"
)

// stdlibService is a project's service in the standard library only: it reports its environment
// and argv, and starts a grandchild (whose pid it writes to grandchild.pid) that must not outlive it.
const stdlibService = `import json, os, subprocess, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open("grandchild-%d.pid" % os.getpid(), "w") as f:
    f.write(str(child.pid))
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"env": dict(os.environ), "argv": sys.argv, "pid": os.getpid(),
                           "sub": self.headers.get("X-Desklit-Sub", ""),
                           "guard": self.headers.get("X-Desklit-Guard", "")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        print("request", self.path, flush=True)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), H).serve_forever()
`

func servicesProject(t *testing.T) *project.Project {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"app.py": "import streamlit as st\nst.write('hello')\n",
		"svc.py": stdlibService,
		"desklit.toml": `[services.echo-svc]
command = ["python", "svc.py", "--port", "{port}"]
health  = "/healthz"
protect = "bearer"
public  = ["/healthz", "/env"]
`,
	}
	return shell.ProjectFrom(t, dir, files)
}

// startError is the error of a start of p's services (a failure is what these tests want).
func startError(t *testing.T, p *project.Project) error {
	t.Helper()
	h := newShell(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	return h.sh.StartServices(ctx)
}

func getJSON(t *testing.T, u string, hdr http.Header) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &body)
	return resp.StatusCode, body
}

func alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !strings.Contains(string(data), ") Z ")
}

func grandchild(t *testing.T, dir string, pid int) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "grandchild-"+strconv.Itoa(pid)+".pid"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(string(data))
	return n
}

// TestProjectServiceIsSupervisedAndGuarded: a project's service runs in the project's folder and
// environment on the port Desklit gave it, behind its guard; Streamlit and the service learn its
// URL and the issuer's settings; the demo API does not run; kill -9 → restarted, its grandchild
// reaped; a switch to another app stops it, its grandchild and its guard.
func TestProjectServiceIsSupervisedAndGuarded(t *testing.T) {
	p := servicesProject(t)
	h := newShell(t, p)
	h.start(t)
	pids := h.pids()
	if pids["echo-svc"] == 0 || pids["streamlit"] == 0 || pids["component"] == 0 || pids["api"] != 0 {
		t.Fatalf("ready services %v: want echo-svc, streamlit, component and no demo api", pids)
	}
	if got := cwd(t, pids["echo-svc"]); got != p.Dir {
		t.Errorf("the service runs in %s, want %s", got, p.Dir)
	}
	stEnv := environ(t, pids["streamlit"])
	guardURL := stEnv["DESKLIT_SERVICE_ECHO_SVC_URL"]
	cfg := h.sh.Config()
	if guardURL == "" || stEnv["AUTH0_ISSUER_BASE_URL"] != cfg.Issuer() || stEnv["API_AUDIENCE"] != cfg.Audience ||
		stEnv["AUTH0_AUDIENCE"] != cfg.Audience || stEnv["AUTH0_CLIENT_ID"] != cfg.ClientID ||
		stEnv["AUTH0_DOMAIN"] != strings.TrimPrefix(cfg.Issuer(), "http://") {
		t.Errorf("Streamlit's environment lacks the service's URL or the issuer's settings: %v", stEnv)
	}
	status, body := getJSON(t, guardURL+"/env", nil)
	env, _ := body["env"].(map[string]any)
	argv, _ := body["argv"].([]any)
	if status != 200 || env == nil || len(argv) != 3 {
		t.Fatalf("GET %s/env through the guard: %d %v", guardURL, status, body)
	}
	port := env["PORT"].(string)
	if argv[2] != port || "http://127.0.0.1:"+port == guardURL || env["DESKLIT_SERVICE_ECHO_SVC_URL"] != guardURL ||
		env["AUTH0_ISSUER_BASE_URL"] != cfg.Issuer() || env["PYTHONPYCACHEPREFIX"] == "" ||
		len(env["DESKLIT_GUARD_SECRET"].(string)) < 32 || body["guard"] != env["DESKLIT_GUARD_SECRET"] || stEnv["DESKLIT_GUARD_SECRET"] != "" || !strings.HasPrefix(env["PATH"].(string), filepath.Dir(filepath.Dir(env["VIRTUAL_ENV"].(string)+"/x"))+"/") {
		t.Errorf("the service's argv %v and environment PORT=%v PATH=%v VIRTUAL_ENV=%v", argv, env["PORT"], env["PATH"], env["VIRTUAL_ENV"])
	}
	if status, body := getJSON(t, guardURL+"/private", http.Header{"X-Desklit-Sub": {"mallory"}}); status != 401 || body["code"] != "authorization_header_missing" {
		t.Errorf("a private path without a token through the guard: %d %v", status, body)
	}
	if status, _ := getJSON(t, "http://127.0.0.1:"+port+"/env", nil); status != 200 {
		t.Errorf("the service itself on its private port: %d", status)
	}
	if url := statusURL(h.sh, "echo-svc"); url != guardURL {
		t.Errorf("desklit status names the service at %q, want the guard's address %s", url, guardURL)
	}

	old := pids["echo-svc"]
	oldChild := grandchild(t, p.Dir, old)
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	restarted := waitFor(t, 30*time.Second, func() bool { n := h.pids()["echo-svc"]; return n != 0 && n != old })
	if !restarted {
		t.Fatalf("kill -9: the service was not restarted: %+v", h.sh.Supervisor().Snapshot())
	}
	if !waitFor(t, 5*time.Second, func() bool { return !alive(oldChild) }) {
		t.Errorf("the killed service's grandchild %d still runs", oldChild)
	}
	newChild := grandchild(t, p.Dir, h.pids()["echo-svc"])
	// A switch to the demo stops the service (and what it spawned) and its guard, and brings the
	// demo API back.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := h.sh.OpenProject(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if pids := h.pids(); pids["echo-svc"] != 0 || pids["api"] == 0 {
		t.Errorf("after a switch to the demo: ready %v, want the demo api and no echo-svc", pids)
	}
	if alive(newChild) {
		t.Errorf("after the switch the service's grandchild %d still runs", newChild)
	}
	if resp, err := http.Get(guardURL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("the guard still answers after the switch")
	}
}

func statusURL(sh *shell.Shell, name string) string {
	for _, st := range sh.Supervisor().Snapshot() {
		if st.Name == name && st.State == supervisor.Ready {
			return st.URL
		}
	}
	return ""
}

func waitFor(t *testing.T, d time.Duration, ok func() bool) bool {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if ok() {
			return true
		}
	}
	return ok()
}

// signInAs is a scripted browser that signs username in on the dev IdP's page.
func signInAs(username string) authflow.Opener {
	return authflow.OpenerFunc(func(ctx context.Context, authURL string) (<-chan error, error) {
		done := make(chan error, 1)
		go func() {
			hc := &http.Client{Timeout: 10 * time.Second}
			resp, err := hc.Get(authURL)
			if err != nil {
				done <- err
				return
			}
			resp.Body.Close()
			id := resp.Request.URL.Query().Get("authRequestID")
			login := resp.Request.URL.ResolveReference(&url.URL{Path: "/login"})
			resp, err = hc.PostForm(login.String(), url.Values{"id": {id}, "username": {username}, "password": {"desklit"}, "action": {"signin"}})
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			done <- err
		}()
		return done, nil
	})
}

// TestSampleServices: the two samples, offline with the dev IdP. notes-flask checks tokens
// itself (PyJWT against the issuer's JWKS, as Auth0's quick start); notes-fastapi trusts the
// guard's X-Desklit-* headers. Signed out: 401; signed in: 200 with the user's sub; the scoped
// path: 403 for the viewer, 200 for the analyst, who holds read:messages.
func TestSampleServices(t *testing.T) {
	for _, name := range []string{"notes-flask", "notes-fastapi"} {
		t.Run(name, func(t *testing.T) {
			var user atomic.Value
			user.Store("viewer")
			h := newShell(t, load(t, name), func(o *shell.Options) {
				o.Opener = authflow.OpenerFunc(func(ctx context.Context, u string) (<-chan error, error) {
					return signInAs(user.Load().(string)).Open(ctx, u)
				})
			})
			h.start(t)
			base := environ(t, h.pids()["streamlit"])["DESKLIT_SERVICE_NOTES_API_URL"]
			if status, body := getJSON(t, base+"/api/public", nil); status != 200 || body["message"] == nil {
				t.Fatalf("public: %d %v", status, body)
			}
			if status, body := getJSON(t, base+"/api/private", http.Header{"X-Desklit-Sub": {"demo|analyst"}}); status != 401 {
				t.Errorf("signed out (a spoofed X-Desklit-Sub): %d %v, want 401", status, body)
			}
			if name == "notes-fastapi" { // its private port takes only the guard's requests
				for _, st := range h.sh.Supervisor().Snapshot() {
					if st.Name != "notes-api" {
						continue
					}
					spoof := http.Header{"X-Desklit-Sub": {"demo|analyst"}, "X-Desklit-Scopes": {"read:messages"}}
					if status, body := getJSON(t, "http://127.0.0.1:"+strconv.Itoa(st.Port)+"/api/private", spoof); status != 403 || body["code"] != "not_through_desklit" {
						t.Errorf("the private port called directly with spoofed identity: %d %v, want 403", status, body)
					}
				}
			}
			call := func(path string) (int, map[string]any) {
				tok := h.sh.Sessions().Current().AccessToken
				return getJSON(t, base+path, http.Header{"Authorization": {"Bearer " + tok}})
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := h.sh.Login(ctx); err != nil {
				t.Fatal(err)
			}
			if status, body := call("/api/private"); status != 200 || body["sub"] != "demo|viewer" {
				t.Errorf("signed in as the viewer: %d %v, want 200 with demo|viewer", status, body)
			} else if name == "notes-fastapi" && body["email"] != "victor@example.com" {
				// the dev IdP's access token carries the verified email; the guard hands it on
				t.Errorf("signed in as the viewer: X-Desklit-Email %v, want victor@example.com", body["email"])
			}
			if status, body := call("/api/private-scoped"); status != 403 || body["code"] != "insufficient_scope" {
				t.Errorf("the viewer on the scoped path: %d %v, want 403 insufficient_scope", status, body)
			}
			if err := h.sh.Logout(ctx); err != nil {
				t.Fatal(err)
			}
			user.Store("analyst")
			if err := h.sh.Login(ctx); err != nil {
				t.Fatal(err)
			}
			if status, body := call("/api/private-scoped"); status != 200 || body["sub"] != "demo|analyst" {
				t.Errorf("the analyst on the scoped path: %d %v, want 200 with demo|analyst", status, body)
			}
		})
	}
}

// TestServiceCommandNotFound: a command whose program is nowhere is named with desklit.toml's
// file, key and line, and the window's error names the service.
func TestServiceCommandNotFound(t *testing.T) {
	p := shell.ProjectFrom(t, t.TempDir(), map[string]string{"app.py": "import streamlit as st\n",
		"desklit.toml": "[services.worker]\n\ncommand = [\"no-such-program-23\", \"--port\", \"{port}\"]\n"})
	err := startError(t, p)
	var pe *project.Error
	if !errors.As(err, &pe) || pe.Line != 3 || pe.Key != "services.worker.command" || !strings.Contains(pe.Msg, `"no-such-program-23" is not found`) {
		t.Fatalf("StartServices = %v, want a project.Error for services.worker.command at line 3", err)
	}
}

// TestServicePortTaken: a fixed port of a guarded service held by another program names the
// program, the service and desklit.toml's line.
func TestServicePortTaken(t *testing.T) {
	held := listen(t, 0)
	port := held.Addr().(*net.TCPAddr).Port
	p := shell.ProjectFrom(t, t.TempDir(), map[string]string{"app.py": "import streamlit as st\n",
		"desklit.toml": fmt.Sprintf("[services.web]\ncommand = [\"python\", \"-m\", \"http.server\", \"{port}\"]\nprotect = \"bearer\"\nport = %d\n", port)})
	err := startError(t, p)
	var pe *supervisor.PortInUseError
	if !errors.As(err, &pe) || pe.Service != "web" || pe.Port != port || !strings.Contains(err.Error(), "desklit.toml line 4") {
		t.Fatalf("StartServices = %v, want a PortInUseError for web naming desklit.toml line 4", err)
	}
}
