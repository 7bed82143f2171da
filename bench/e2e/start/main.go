// Command start measures the warm start of `desklit run` against a bare Streamlit, interleaved
// in one run (issue 6: the ratio of the medians should be at most 1.10).
//
//   - desklit: exec `desklit run`, then probe the three health URLs (Streamlit /_stcore/health,
//     component /healthz, api /healthz) back to back every -poll; the time is from just before
//     exec to the moment all three have answered 200. The moment its stdout shows the third
//     "<service> Ready" line is recorded too (what Desklit itself reports).
//   - bare: exec `<runtime python> -m streamlit run <app> --server.port P --server.address
//     127.0.0.1 --server.headless true --browser.gatherUsageStats false --global.developmentMode
//     false` in the app's folder (the same command line as Desklit's, on the same runtime and
//     app), then probe /_stcore/health the same way.
//
// The pairs alternate their order (desklit first, then bare first) so that drift in the load
// hits both alike. One unmeasured warm-up run of each comes first (the runtime must already be
// built; the warm-up builds it if not). Each process is stopped with SIGTERM (by its pid) and
// its ports are free again before the next run starts.
//
// Run through bench/e2e/start.sh, which provides the keyring, a fixed XDG_DATA_HOME holding the
// warm runtime and private ports:
//
//	bench/e2e/start.sh [-n 10]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/desklit/desklit/bench/internal/measure"
)

func main() {
	n := flag.Int("n", 10, "pairs")
	bin := flag.String("bin", "build/bin/desklit", "the desklit binary")
	poll := flag.Duration("poll", 5*time.Millisecond, "health probe interval")
	flag.Parse()
	if err := run(*n, *bin, *poll); err != nil {
		fmt.Fprintln(os.Stderr, "bench/e2e/start:", err)
		os.Exit(1)
	}
}

type ports struct{ streamlit, component, api int }

func envPort(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func run(n int, bin string, poll time.Duration) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return fmt.Errorf("binary path: %w", err)
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		return errors.New("XDG_DATA_HOME is not set (run through bench/e2e/start.sh)")
	}
	p := ports{
		streamlit: envPort("DESKLIT_STREAMLIT_PORT", 4010),
		component: envPort("DESKLIT_COMPONENT_PORT", 3001),
		api:       envPort("DESKLIT_API_PORT", 8888),
	}
	b := &bench{bin: bin, data: data, p: p, poll: poll, client: &http.Client{Timeout: time.Second}}

	fmt.Printf("load average before: %s\n", measure.LoadAvg())
	// Warm-up: builds the runtime if needed and extracts the app; warms the page cache.
	if _, _, _, err := b.desklit(); err != nil {
		return fmt.Errorf("warm-up desklit run: %w", err)
	}
	py, app, err := b.runtime()
	if err != nil {
		return err
	}
	b.py, b.app = py, app
	fmt.Printf("runtime python %s\napp %s\n", py, app)
	if _, err := b.bare(); err != nil {
		return fmt.Errorf("warm-up bare streamlit: %w", err)
	}

	return b.pairs(n)
}

// pairs times n interleaved pairs (Desklit first in odd pairs, bare Streamlit first in even ones)
// and prints each and the summary.
func (b *bench) pairs(n int) error {
	var dk, dkLines, dkSpawn, bare, ratios []float64
	for i := range n {
		var d, dl, ds, s float64
		doDesklit := func() error {
			all, lines, spawn, err := b.desklit()
			d, dl, ds = ms(all), ms(lines), ms(spawn)
			return err
		}
		doBare := func() error {
			t, err := b.bare()
			s = ms(t)
			return err
		}
		order := []func() error{doDesklit, doBare}
		first := "desklit"
		if i%2 == 1 {
			order = []func() error{doBare, doDesklit}
			first = "bare"
		}
		for _, f := range order {
			if err := f(); err != nil {
				return fmt.Errorf("pair %d: %w", i+1, err)
			}
		}
		dk, dkLines, dkSpawn, bare, ratios = append(dk, d), append(dkLines, dl), append(dkSpawn, ds), append(bare, s), append(ratios, d/s)
		fmt.Printf("pair %2d (%-7s first): desklit all Ready %7.1f ms (stdout %7.1f, streamlit spawned at %6.1f)  bare health %7.1f ms  ratio %.3f  load %s\n",
			i+1, first, d, dl, ds, s, d/s, measure.LoadAvg())
	}
	fmt.Println()
	fmt.Printf("%-34s %s\n", "desklit run → 3 health URLs 200:", summary(dk))
	fmt.Printf("%-34s %s\n", "desklit run → 3rd Ready on stdout:", summary(dkLines))
	fmt.Printf("%-34s %s\n", "desklit run → streamlit Starting:", summary(dkSpawn))
	fmt.Printf("%-34s %s\n", "bare streamlit → /_stcore/health:", summary(bare))
	fmt.Printf("%-34s %.3f (goal ≤ 1.10)\n", "ratio of medians:", measure.Median(dk)/measure.Median(bare))
	fmt.Printf("%-34s %s\n", "per-pair ratio:", summaryRaw(ratios, "%.3f"))
	fmt.Printf("load average after: %s\n", measure.LoadAvg())
	return nil
}

type bench struct {
	bin, data, py, app string
	p                  ports
	poll               time.Duration
	client             *http.Client
}

func (b *bench) runtime() (py, app string, err error) {
	pys, _ := filepath.Glob(filepath.Join(b.data, "desklit", "envs", "py*", "bin", "python"))
	var newest time.Time
	for _, c := range pys {
		if st, err := os.Stat(filepath.Dir(filepath.Dir(c))); err == nil && st.ModTime().After(newest) {
			py, newest = c, st.ModTime()
		}
	}
	if py == "" {
		return "", "", fmt.Errorf("no environment under %s/desklit/envs", b.data)
	}
	app = filepath.Join(b.data, "desklit", "app", "app.py")
	if _, err := os.Stat(app); err != nil {
		return "", "", fmt.Errorf("the app: %w", err)
	}
	return py, app, nil
}

// desklit starts `desklit run` and returns the time to all three health URLs answering and the
// time to the third "Ready" line on its stdout.
func (b *bench) desklit() (all, lines, spawn time.Duration, err error) {
	cmd := exec.Command(b.bin, "run")
	cmd.Env = append(os.Environ(), "DESKLIT_LOGIN_MODE=browser", "BROWSER=/bin/true")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("stdout: %w", err)
	}
	cmd.Stderr = cmd.Stdout
	scanDone := make(chan struct{})
	log := &runLog{t0: time.Now(), ready: map[string]bool{}}
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, fmt.Errorf("start: %w", err)
	}
	go func() { defer close(scanDone); log.read(out) }()
	exited := make(chan error, 1)
	go func() { <-scanDone; exited <- cmd.Wait() }()

	urls := []string{
		fmt.Sprintf("http://127.0.0.1:%d/_stcore/health", b.p.streamlit),
		fmt.Sprintf("http://127.0.0.1:%d/healthz", b.p.component),
		fmt.Sprintf("http://127.0.0.1:%d/healthz", b.p.api),
	}
	all, err = b.waitHealthy(urls, log.t0, exited, 180*time.Second)
	if err == nil {
		// The stdout line may trail the health answer by a poll interval of the supervisor.
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if r, _ := log.times(); r > 0 {
				lines = r
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	stopErr := stop(cmd, exited, 10*time.Second)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%w; last output:\n%s", err, log.lastLines())
	}
	if stopErr != nil {
		return 0, 0, 0, stopErr
	}
	_, spawn = log.times()
	return all, lines, spawn, b.portsFree(b.p.streamlit, b.p.component, b.p.api)
}

// bare starts a bare Streamlit on the same runtime and app and returns its time to health.
func (b *bench) bare() (time.Duration, error) {
	cmd := exec.Command(b.py, "-m", "streamlit", "run", b.app,
		"--server.port", strconv.Itoa(b.p.streamlit), "--server.address", "127.0.0.1",
		"--server.headless", "true", "--browser.gatherUsageStats", "false",
		"--global.developmentMode", "false")
	cmd.Dir = filepath.Dir(b.app)
	// A bare Streamlit keeps its bytecode as Python does by default (Desklit's keeps it in the
	// environment's pycache): a PYTHONDONTWRITEBYTECODE of this shell would make it recompile
	// everything at every start.
	cmd.Env = append(measure.WithoutEnv(os.Environ(), "PYTHONDONTWRITEBYTECODE"), "STREAMLIT_BROWSER_GATHER_USAGE_STATS=false")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start streamlit: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t, err := b.waitHealthy([]string{fmt.Sprintf("http://127.0.0.1:%d/_stcore/health", b.p.streamlit)}, t0, exited, 120*time.Second)
	if serr := stop(cmd, exited, 10*time.Second); err == nil {
		err = serr
	}
	if err != nil {
		return 0, err
	}
	return t, b.portsFree(b.p.streamlit)
}

// waitHealthy probes every URL until each has answered 200 once; it returns the time since t0.
func (b *bench) waitHealthy(urls []string, t0 time.Time, exited <-chan error, limit time.Duration) (time.Duration, error) {
	ok := make([]bool, len(urls))
	left := len(urls)
	tick := time.NewTicker(b.poll)
	defer tick.Stop()
	deadline := time.After(limit)
	for {
		for i, u := range urls {
			if !ok[i] && b.healthy(u) {
				ok[i] = true
				left--
			}
		}
		if left == 0 {
			return time.Since(t0), nil
		}
		select {
		case err := <-exited:
			return 0, fmt.Errorf("exited before it was healthy: %v", err)
		case <-deadline:
			return 0, fmt.Errorf("not healthy within %s", limit)
		case <-tick.C:
		}
	}
}

func (b *bench) healthy(u string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop sends SIGTERM to the process we started and waits for it (SIGKILL after limit).
func stop(cmd *exec.Cmd, exited <-chan error, limit time.Duration) error {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return nil
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		<-exited
		return fmt.Errorf("%s did not stop within %s of SIGTERM", filepath.Base(cmd.Path), limit)
	}
}

// portsFree waits until each port can be bound again (the services have let go of it).
func (b *bench) portsFree(ps ...int) error {
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range ps {
		for {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err == nil {
				ln.Close()
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("port %d still in use 10 s after stop", p)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func summary(v []float64) string { return summaryRaw(v, "%.1f ms") }

func summaryRaw(v []float64, f string) string {
	s := slices.Clone(v)
	slices.Sort(s)
	return fmt.Sprintf("median "+f+"  p95 "+f+"  min "+f+"  max "+f+"  (n=%d)",
		measure.Median(s), measure.Pct(s, 95), s[0], s[len(s)-1], len(s))
}
