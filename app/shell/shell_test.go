package shell_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/desklit/desklit/app/cli"
	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/project"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/app/supervisor"
)

// The shell's services run `<this test binary> serve api|component`: TestMain serves them as
// desklit would.
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "serve" {
		err := cli.Run(context.Background(), &cli.Env{
			Args: os.Args[1:], Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr,
			Assets: cli.Assets{Component: os.DirFS(repo("runtime", "component", "dist"))},
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func repo(parts ...string) string {
	abs, _ := filepath.Abs(filepath.Join(append([]string{"..", ".."}, parts...)...))
	return abs
}

// need skips (or, in CI, fails) a test that needs the real Python stack: the wheelhouse, the test
// wheels and uv (DESKLIT_UV, else build/bin/uv), which `make test-go` provides.
func need(t *testing.T) (wheelhouse, testWheels, uv string) {
	t.Helper()
	wheelhouse, testWheels = os.Getenv("DESKLIT_TEST_WHEELHOUSE"), os.Getenv("DESKLIT_TEST_WHEELS")
	uv, uvErr := pyruntime.FindUV(repo("build", "bin", "desklit"), os.Getenv)
	_, distErr := os.Stat(repo("runtime", "component", "dist", "index.html"))
	if wheelhouse == "" || testWheels == "" || uvErr != nil || distErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI lacks the Python stack (DESKLIT_TEST_WHEELHOUSE, DESKLIT_TEST_WHEELS, uv, the built component): %v %v", uvErr, distErr)
		}
		t.Skip("run through `make test-go` (the wheelhouse, the test wheels, uv and the built component)")
	}
	return wheelhouse, testWheels, uv
}

type harness struct {
	sh    *shell.Shell
	paths config.Paths
	opts  shell.Options
}

// newShell makes a shell on fresh XDG folders and free ports, offline, with no keyring (the
// session lives in memory), for project p (nil: the demo).
func newShell(t *testing.T, p *project.Project, edit ...func(*shell.Options)) *harness {
	t.Helper()
	wheelhouse, testWheels, uv := need(t)
	home := t.TempDir()
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"} {
		dir := filepath.Join(home, strings.ToLower(v))
		os.MkdirAll(dir, 0o700)
		t.Setenv(v, dir)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("UV_CACHE_DIR", "") // the shell's own cache folder
	ports := testutil.FreePorts(t, 5)
	flags := map[string]string{
		"DESKLIT_STREAMLIT_PORT": strconv.Itoa(ports[0]), "DESKLIT_COMPONENT_PORT": strconv.Itoa(ports[1]),
		"DESKLIT_API_PORT": strconv.Itoa(ports[2]), "DESKLIT_IDP_PORT": strconv.Itoa(ports[3]),
		"DESKLIT_CALLBACK_PORT": strconv.Itoa(ports[4]), "DESKLIT_OFFLINE": "true",
		"DESKLIT_FIND_LINKS": wheelhouse + string(os.PathListSeparator) + testWheels,
	}
	paths := config.PathsFrom(os.Getenv)
	cfg, err := config.Load(flags, os.Getenv, paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	if p != nil {
		cfg.ApplyProject(p.Auth.Values(), p.Auth.Source)
	}
	exe, _ := os.Executable()
	o := shell.Options{
		Config: cfg, Paths: paths, Exe: exe, UV: uv,
		Streamlit: os.DirFS(repo("runtime", "streamlit")), Project: p,
	}
	for _, e := range edit {
		e(&o)
	}
	return launch(t, o)
}

// launch makes a Shell with o, stopped when the test ends.
func launch(t *testing.T, o shell.Options) *harness {
	t.Helper()
	sh := shell.New(o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sh.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return &harness{sh: sh, paths: o.Paths, opts: o}
}

// again is the next launch: a new Shell on the same folders and settings (stop this one first).
func (h *harness) again(t *testing.T) *harness {
	t.Helper()
	return launch(t, h.opts)
}

func load(t *testing.T, name string) *project.Project {
	t.Helper()
	p, err := project.Load(repo("test", "projects", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (h *harness) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := h.sh.StartServices(ctx); err != nil {
		t.Fatalf("StartServices: %v\n%s", err, h.logs())
	}
}

func (h *harness) pids() map[string]int {
	out := map[string]int{}
	for _, st := range h.sh.Supervisor().Snapshot() {
		if st.State == supervisor.Ready {
			out[st.Name] = st.PID
		}
	}
	return out
}

func (h *harness) logs() string {
	var b strings.Builder
	for _, l := range h.sh.Supervisor().Logs("streamlit") {
		b.WriteString(l.Text + "\n")
	}
	data, _ := os.ReadFile(filepath.Join(h.paths.Logs, "runtime-build.log"))
	return b.String() + string(data)
}

// cwd is a process's working directory (Linux).
func cwd(t *testing.T, pid int) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	dir, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestProjectRunsInItsOwnEnvironment: a project with a package outside the demo's lock gets an
// environment of its own, built offline from the local wheels, with desklit_auth in it; Streamlit
// runs in the project's folder, and the project joins the recent list.
func TestProjectRunsInItsOwnEnvironment(t *testing.T) {
	p := load(t, "extra-package")
	h := newShell(t, p)
	h.start(t)
	pid := h.pids()["streamlit"]
	if pid == 0 || len(h.pids()) != 3 {
		t.Fatalf("ready services: %v", h.pids())
	}
	if got := cwd(t, pid); got != p.Dir {
		t.Errorf("streamlit runs in %s, want the project's folder %s", got, p.Dir)
	}
	lock, err := os.ReadFile(h.sh.LockFile())
	if err != nil || !strings.Contains(string(lock), "tabulate==0.10.0") || !strings.Contains(string(lock), "streamlit==1.67.0") {
		t.Errorf("lock %s: %v\n%s", h.sh.LockFile(), err, lock)
	}
	cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	exe := strings.Split(string(cmdline), "\x00")[0] // the environment's python (its /proc exe is the base interpreter)
	out, err := exec.Command(exe, "-I", "-c", "import tabulate, desklit_auth, sys; print(tabulate.__version__, desklit_auth.__file__.startswith(sys.prefix))").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "0.10.0 True" {
		t.Errorf("the project's environment: %v %s", err, out)
	}
	if recent := project.ReadRecent(h.paths.State); len(recent) != 1 || recent[0].Path != p.Path || recent[0].Name != "Extra package" {
		t.Errorf("recent = %+v", recent)
	}
	if !h.sh.EnvReady(context.Background(), p.Path) {
		t.Error("EnvReady is false for the running project")
	}
	// The environment is new: the packages the app imports are compiled beside Streamlit's start.
	for deadline := time.Now().Add(time.Minute); !strings.Contains(h.logs(), "warmed the bytecode of 1 modules"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no warm-up of the app's imports (tabulate) in the logs:\n%s", h.logs())
		}
	}
}

// TestOpenProjectRestartsOnlyStreamlit: switching apps keeps the API and the component (and the
// session) running; a failed switch leaves the running app alone.
func TestOpenProjectRestartsOnlyStreamlit(t *testing.T) {
	h := newShell(t, nil)
	h.start(t)
	before := h.pids()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// The demo reads the launch secret (desklit_auth): its address carries it.
	withSecret := h.opts.Config.StreamlitURL() + "/?desklit_token="
	if u := h.sh.StreamlitURL(); !strings.HasPrefix(u, withSecret) {
		t.Errorf("the demo's address %q has no launch secret", u)
	}

	data := repo("test", "projects", "data-and-secrets")
	if err := h.sh.OpenProject(ctx, data); err != nil {
		t.Fatalf("OpenProject: %v\n%s", err, h.logs())
	}
	// An app that reads no launch secret gets its plain address: nothing would take it out.
	if u := h.sh.StreamlitURL(); u != h.opts.Config.StreamlitURL()+"/" {
		t.Errorf("the address of an app without desklit_auth is %q, want the plain one", u)
	}
	after := h.pids()
	if after["api"] != before["api"] || after["component"] != before["component"] {
		t.Errorf("api/component restarted: %v → %v", before, after)
	}
	if after["streamlit"] == before["streamlit"] || after["streamlit"] == 0 {
		t.Fatalf("streamlit not restarted: %v → %v", before, after)
	}
	if got := cwd(t, after["streamlit"]); got != data {
		t.Errorf("streamlit runs in %s, want %s", got, data)
	}
	if h.sh.AppName() != "Data and secrets" {
		t.Errorf("AppName = %q", h.sh.AppName())
	}

	for _, tt := range []struct {
		project string
		want    string
		as      any
	}{
		{"missing-package", "desklit-sample-missing-package", new(*pyruntime.NotFoundError)},
		{"syntax-error", "SyntaxError", new(*shell.ScriptError)},
	} {
		err := h.sh.OpenProject(ctx, repo("test", "projects", tt.project))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("OpenProject(%s) = %v, want an error naming %q", tt.project, err, tt.want)
		}
		switch as := tt.as.(type) {
		case **pyruntime.NotFoundError:
			if !errors.As(err, as) {
				t.Errorf("%s: %T, want NotFoundError", tt.project, err)
			}
		case **shell.ScriptError:
			if !errors.As(err, as) {
				t.Errorf("%s: %T, want ScriptError", tt.project, err)
			}
		}
		if now := h.pids(); now["streamlit"] != after["streamlit"] {
			t.Errorf("a failed switch to %s touched the running app: %v → %v", tt.project, after, now)
		}
	}

	if err := h.sh.OpenProject(ctx, ""); err != nil {
		t.Fatalf("back to the demo: %v", err)
	}
	if h.sh.Project() != nil || h.sh.AppName() != shell.DemoName {
		t.Errorf("after the switch back: %v %q", h.sh.Project(), h.sh.AppName())
	}
	if u := h.sh.StreamlitURL(); !strings.HasPrefix(u, withSecret) {
		t.Errorf("back on the demo, its address %q has no launch secret", u)
	}
	recent := project.ReadRecent(h.paths.State)
	if len(recent) != 1 || recent[0].Path != data {
		t.Errorf("recent = %+v, want the data project only (failed opens are not apps)", recent)
	}
}

// TestOpenProjectWithOtherSignIn: a project whose [auth] names another issuer cannot be switched
// to in a running session.
func TestOpenProjectWithOtherSignIn(t *testing.T) {
	_, _, _ = need(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "app.py"), []byte("import streamlit as st\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "desklit.toml"), []byte("name = \"Team app\"\n[auth]\nissuer = \"https://team.example\"\nclient_id = \"team\"\n"), 0o644)
	h := newShell(t, nil)
	err := h.sh.OpenProject(context.Background(), dir)
	var ae *shell.AuthChangeError
	if !errors.As(err, &ae) || ae.Setting != "AUTH0_ISSUER_BASE_URL" || !strings.Contains(err.Error(), "https://team.example") {
		t.Fatalf("OpenProject = %v, want an AuthChangeError for the issuer", err)
	}
}
