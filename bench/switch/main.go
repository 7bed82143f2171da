// Command switch measures switching the running app to a project whose environment is ready,
// until its page is visible, against a bare `streamlit run` of the same script until its page is
// visible (issue #14's goal: at most the bare start + 300 ms). Interleaved; nothing asserted.
//
//	make build wheelhouse test-wheels && (cd test/e2e && npm ci)
//	test/keyring/with-secret-service.sh go -C bench run ./switch -n 8
//
// Desklit: the shell of `desklit run` (its services from ../build/bin/desklit, private ports,
// a throw-away XDG home, offline) on the demo; each round switches to the project
// (shell.OpenProject: only Streamlit restarts) and loads the page in a headless Chromium kept open
// until the project's text is visible. Bare: the same environment's python, `-m streamlit run`
// with the same flags in the project's folder, and the same page load. Both times run from the
// switch (or the exec) to the text visible.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/desklit/desklit/app/config"
	"github.com/desklit/desklit/app/pyruntime"
	"github.com/desklit/desklit/app/shell"
	"github.com/desklit/desklit/bench/internal/measure"
	"github.com/desklit/desklit/bench/internal/pagewatch"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/switch:", err)
		os.Exit(1)
	}
}

func run() error {
	n := flag.Int("n", 6, "rounds")
	projectDir := flag.String("project", "../test/projects/data-and-secrets", "the project switched to")
	text := flag.String("text", "Secret greeting", "text on its page that says it is visible")
	flag.Parse()
	root, _ := filepath.Abs("..")
	project, _ := filepath.Abs(*projectDir)
	home, err := os.MkdirTemp("", "desklit-bench-switch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	ctx := context.Background()
	sh, err := startShell(ctx, root, home)
	if err != nil {
		return err
	}
	defer func() {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		sh.Stop(c)
	}()
	if err := sh.OpenProject(ctx, project); err != nil { // builds its environment: not measured
		return fmt.Errorf("first open: %w", err)
	}
	python := streamlitPython(sh)
	if err := sh.OpenProject(ctx, ""); err != nil {
		return err
	}
	browser, err := pagewatch.New(root)
	if err != nil {
		return err
	}
	defer browser.Close()
	fmt.Printf("load average at start: %s\nproject %s, %d rounds, interleaved\n", measure.LoadAvg(), project, *n)
	var desk, bare []time.Duration
	for i := range *n {
		d, ready, b, err := round(ctx, sh, browser, python, project, *text)
		if err != nil {
			return fmt.Errorf("round %d: %w", i+1, err)
		}
		desk, bare = append(desk, d), append(bare, b)
		fmt.Printf("round %d: switch → visible %v (Ready after %v); bare streamlit run → visible %v\n", i+1,
			d.Round(time.Millisecond), ready.Round(time.Millisecond), b.Round(time.Millisecond))
	}
	dm, bm := measure.Median(desk).Round(time.Millisecond), measure.Median(bare).Round(time.Millisecond)
	fmt.Printf("switch → visible: median %v (%v–%v)\nbare → visible:   median %v (%v–%v)\ndifference of the medians: %+v (goal ≤ +300ms)\n",
		dm, slices.Min(desk).Round(time.Millisecond), slices.Max(desk).Round(time.Millisecond),
		bm, slices.Min(bare).Round(time.Millisecond), slices.Max(bare).Round(time.Millisecond), (dm - bm).Round(time.Millisecond))
	fmt.Printf("load average at end: %s\n", measure.LoadAvg())
	return nil
}

// startShell starts the shell of `desklit run` on the demo, in a throw-away XDG home under home
// on private ports, offline, with a desklit built like this program for its services.
func startShell(ctx context.Context, root, home string) (*shell.Shell, error) {
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"} {
		os.Setenv(v, filepath.Join(home, strings.ToLower(v)))
	}
	settings := map[string]string{"DESKLIT_STREAMLIT_PORT": "14410", "DESKLIT_COMPONENT_PORT": "13401", "DESKLIT_API_PORT": "18488",
		"DESKLIT_IDP_PORT": "19410", "DESKLIT_CALLBACK_PORT": "19411", "DESKLIT_OFFLINE": "true",
		"DESKLIT_FIND_LINKS": filepath.Join(root, "build", "wheelhouse") + ":" + filepath.Join(root, ".cache", "test-wheelhouse")}
	paths := config.PathsFrom(os.Getenv)
	cfg, err := config.Load(settings, os.Getenv, paths.Config)
	if err != nil {
		return nil, err
	}
	// The services' binary, built like this program (so the two halves' versions agree), uv beside it.
	exe := filepath.Join(home, "bin", "desklit")
	build := exec.Command("go", "build", "-o", exe, ".")
	build.Dir, build.Env, build.Stderr = root, append(os.Environ(), "CGO_ENABLED=0"), os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build desklit: %w", err)
	}
	if err := os.Symlink(filepath.Join(root, "build", "bin", "uv"), filepath.Join(home, "bin", "uv")); err != nil {
		return nil, err
	}
	sh := shell.New(shell.Options{Config: cfg, Paths: paths, Exe: exe, Streamlit: os.DirFS(filepath.Join(root, "runtime", "streamlit"))})
	if err := sh.StartServices(ctx); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	return sh, nil
}

// round is one interleaved pair: the switch to the project until its page is visible (and until
// Streamlit was Ready), back to the demo, then the bare start of the same script.
func round(ctx context.Context, sh *shell.Shell, b *pagewatch.Browser, python, project, text string) (desk, ready, bare time.Duration, err error) {
	t0 := time.Now()
	if err := sh.OpenProject(ctx, project); err != nil {
		return 0, 0, 0, fmt.Errorf("switch: %w", err)
	}
	ready = time.Since(t0)
	if err := b.Visible(sh.StreamlitURL(), text); err != nil {
		return 0, 0, 0, err
	}
	desk = time.Since(t0)
	if err := sh.OpenProject(ctx, ""); err != nil {
		return 0, 0, 0, err
	}
	if bare, err = bareRun(ctx, b, python, project, text); err != nil {
		return 0, 0, 0, fmt.Errorf("bare: %w", err)
	}
	return desk, ready, bare, nil
}

// streamlitPython is the interpreter the running Streamlit service uses (the project's
// environment), read from its command line.
func streamlitPython(sh *shell.Shell) string {
	for _, st := range sh.Supervisor().Snapshot() {
		if st.Name == "streamlit" && st.PID > 0 {
			if cmd, err := os.ReadFile("/proc/" + strconv.Itoa(st.PID) + "/cmdline"); err == nil {
				return strings.Split(string(cmd), "\x00")[0]
			}
		}
	}
	return ""
}

// bareRun starts `python -m streamlit run` in the project, waits for the page's text, stops it.
func bareRun(ctx context.Context, b *pagewatch.Browser, python, project, text string) (time.Duration, error) {
	port, err := measure.FreePort()
	if err != nil {
		return 0, err
	}
	script := filepath.Join(project, "app.py")
	argv := pyruntime.StreamlitArgv(pyruntime.Env{Python: python}, script, port)
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = project
	cmd.Env = append(measure.WithoutEnv(os.Environ(), "PYTHONDONTWRITEBYTECODE"), "STREAMLIT_BROWSER_GATHER_USAGE_STATS=false")
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := measure.WaitHealthy(url+"/_stcore/health", 60*time.Second); err != nil {
		return 0, err
	}
	if err := b.Visible(url+"/", text); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}
