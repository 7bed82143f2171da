package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/desklit/desklit/bench/internal/measure"
	"github.com/desklit/desklit/bench/internal/pagewatch"
)

// lab is what every round uses: the binaries, the corpus cache (bare venvs, uv's cache) and the
// browser.
type lab struct {
	root, bin, uv, cache string
	port                 int
	browser              *pagewatch.Browser
}

type result struct {
	install, bareFirst, bareWarm, first, warm time.Duration
	// the server side's share of each: bare, until Streamlit's health answers; Desklit, until
	// `desklit run` prints the app's URL (every service ready)
	bareFirstUp, bareWarmUp, firstUp, warmUp time.Duration
}

// round, interleaved: the bare venv built afresh from the warm uv cache, its first start (no
// bytecode yet, as Desklit's first launch) and a second (warm) start; then Desklit's first launch
// (no environment yet) and its warm launch (same Desklit home).
func (l *lab) round(ctx context.Context, s sample) (r result, err error) {
	tmp, err := os.MkdirTemp("", "desklit-bench-corpus-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(tmp)
	venv := filepath.Join(tmp, "venv")
	if r.install, err = l.bareInstall(ctx, s, venv); err != nil {
		return r, fmt.Errorf("bare install: %w", err)
	}
	dir := l.dir(s, venv)
	if r.bareFirst, r.bareFirstUp, err = l.bareStart(ctx, venv, dir, s); err != nil {
		return r, fmt.Errorf("bare first start: %w", err)
	}
	if r.bareWarm, r.bareWarmUp, err = l.bareStart(ctx, venv, dir, s); err != nil {
		return r, fmt.Errorf("bare warm start: %w", err)
	}
	home := filepath.Join(tmp, "home")
	target := filepath.Join(dir, s.target)
	if r.first, r.firstUp, err = l.launch(ctx, home, target, s.text); err != nil {
		return r, fmt.Errorf("first launch: %w", err)
	}
	if r.warm, r.warmUp, err = l.launch(ctx, home, target, s.text); err != nil {
		return r, fmt.Errorf("warm launch: %w", err)
	}
	return r, nil
}

// dir: the sample's folder (hello: the demo inside venv's installed streamlit).
func (l *lab) dir(s sample, venv string) string {
	if s.name == "hello" {
		if m, _ := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages", "streamlit", "hello")); len(m) > 0 {
			return m[0]
		}
	}
	return filepath.Join(l.root, "test", "corpus", s.name)
}

func (l *lab) env(extra ...string) []string {
	env := measure.WithoutEnv(os.Environ(), "PYTHONDONTWRITEBYTECODE")
	return append(env, append([]string{"XDG_CACHE_HOME=" + filepath.Join(l.cache, "xdg-cache"),
		"UV_CACHE_DIR=" + filepath.Join(l.cache, "xdg-cache", "desklit", "uv")}, extra...)...)
}

// urlRE is the app's address, on the line after "Open the app at:" (with the launch secret for an
// app that reads it).
var urlRE = regexp.MustCompile(`^\s+(http://127\.0\.0\.1:\d+/(?:\?desklit_token=[\w%-]+)?)$`)

// launch: `desklit run target` with its state under home, until the page shows text; and until
// it printed the URL.
func (l *lab) launch(ctx context.Context, home, target, text string) (visible, up time.Duration, err error) {
	p := l.port
	cmd := exec.CommandContext(ctx, l.bin, "run", target)
	cmd.Env = l.env("HOME="+home, "XDG_CONFIG_HOME="+home+"/config", "XDG_STATE_HOME="+home+"/state",
		"XDG_DATA_HOME="+home+"/data", "DESKLIT_ALLOW_PLAINTEXT_SESSION=true", "DESKLIT_LOGIN_MODE=browser", "BROWSER=true",
		"DESKLIT_STREAMLIT_PORT="+strconv.Itoa(p), "DESKLIT_COMPONENT_PORT="+strconv.Itoa(p+1),
		"DESKLIT_API_PORT="+strconv.Itoa(p+2), "DESKLIT_IDP_PORT="+strconv.Itoa(p+3), "DESKLIT_CALLBACK_PORT="+strconv.Itoa(p+4),
		"DESKLIT_UV="+l.uv)
	out, perr := cmd.StdoutPipe()
	if perr != nil {
		return 0, 0, perr
	}
	cmd.Stderr = cmd.Stdout
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer stop(cmd)
	var url string
	var log strings.Builder
	for sc, next := bufio.NewScanner(out), false; url == "" && sc.Scan(); {
		log.WriteString(sc.Text() + "\n")
		if m := urlRE.FindStringSubmatch(sc.Text()); next && m != nil {
			url = m[1]
		}
		next = strings.Contains(sc.Text(), "Open the app at:")
	}
	if url == "" {
		return 0, 0, fmt.Errorf("desklit run printed no URL:\n%s", log.String())
	}
	up = time.Since(t0)
	go io.Copy(io.Discard, out)
	if err := l.browser.Visible(url, text); err != nil {
		return 0, 0, err
	}
	return time.Since(t0), up, nil
}

// bareStart: `python -m streamlit run entry` in the sample's folder, until the page shows text; and
// until its health answered.
func (l *lab) bareStart(ctx context.Context, venv, dir string, s sample) (visible, up time.Duration, err error) {
	p, err := measure.FreePort()
	if err != nil {
		return 0, 0, err
	}
	port := strconv.Itoa(p)
	cmd := exec.CommandContext(ctx, filepath.Join(venv, "bin", "python"), "-m", "streamlit", "run", s.entry,
		"--server.port", port, "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false")
	cmd.Dir, cmd.Env = dir, l.env()
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer stop(cmd)
	url := "http://127.0.0.1:" + port
	if err := measure.WaitHealthy(url+"/_stcore/health", 60*time.Second); err != nil {
		return 0, 0, err
	}
	up = time.Since(t0)
	if err := l.browser.Visible(url+"/", s.text); err != nil {
		return 0, 0, err
	}
	return time.Since(t0), up, nil
}

// bareInstall: the bare venv v built as test/corpus/run.sh builds it (the pins it resolved
// there, in .cache/corpus/venvs), from the warm uv cache.
func (l *lab) bareInstall(ctx context.Context, s sample, v string) (time.Duration, error) {
	pins := filepath.Join(l.cache, "venvs", s.name, "pins.txt")
	dir := filepath.Join(l.root, "test", "corpus", s.name)
	if !isDir(dir) { // hello: no folder of its own
		dir = l.root
	}
	steps := [][]string{{"venv", "-q", "--python", "python3", v}, {"pip", "sync", "-q", "--python", filepath.Join(v, "bin", "python"), pins}}
	switch {
	case isFile(filepath.Join(dir, "uv.lock")):
		steps = [][]string{{"sync", "-q", "--frozen", "--no-install-project", "--python", "python3"}}
	case !isFile(pins):
		steps[1][len(steps[1])-1] = filepath.Join(l.root, "runtime", "streamlit", "requirements.txt")
	}
	t0 := time.Now()
	for _, args := range steps {
		cmd := exec.CommandContext(ctx, l.uv, args...)
		cmd.Dir, cmd.Env = dir, l.env("UV_PROJECT_ENVIRONMENT="+v)
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("uv %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return time.Since(t0), nil
}

func stop(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func isDir(p string) bool { st, err := os.Stat(p); return err == nil && st.IsDir() }

func isFile(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() }
