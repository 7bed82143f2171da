// Command guard benchmarks Desklit's guard (api.Guard, protect = "bearer" in desklit.toml): the
// same service called directly and through the guard with a valid RS256 token on a path that
// needs a scope, in the same run, rounds alternating, with bench/internal/loadgen's closed loop
// and fixed-rate phases.
//
//	go -C bench run ./guard [-conns 32] [-duration 5s] [-rounds 5] [-rate 1000] [-python PATH]
//
// The service is a bare Go handler (the guard's worst case: the proxy's work is most of the
// total) and, with -python, a Starlette app under uvicorn (what a project's FastAPI service is;
// PATH is a Python with starlette and uvicorn, such as make test-python's venv). It prints
// requests/s per round, the guard/direct ratio (goal >= 0.8) and the p99 at the fixed rate of
// both (goal: the guard adds <= 2 ms).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/desklit/desklit/app/api"
	"github.com/desklit/desklit/app/httpguard"
	"github.com/desklit/desklit/bench/internal/loadgen"
	"github.com/desklit/desklit/bench/internal/measure"
)

func main() { measure.Main("bench/guard", run) }

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench/guard", flag.ContinueOnError)
	load := loadgen.AddFlags(fs, 32, 1000)
	python := fs.String("python", "", "a Python with starlette and uvicorn: also measure a Starlette service")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (client, guard and Go service) here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// The Python service is stopped and waited for before this returns (cancel runs first): main
	// returning at once left it running.
	defer children.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	issuer, token, err := loadgen.StartIssuer(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "GOMAXPROCS=%d conns=%d duration=%s rounds=%d rate=%.0f load %s (client, guard and service share the machine)\n",
		runtime.GOMAXPROCS(0), load.Conns, load.Duration, load.Rounds, load.Rate, measure.LoadAvg())
	upstreams := []string{"go"}
	if *python != "" {
		upstreams = append(upstreams, "python")
	}
	for _, kind := range upstreams {
		direct, err := startService(ctx, kind, *python)
		if err != nil {
			return err
		}
		guarded, err := startGuard(ctx, issuer, direct)
		if err != nil {
			return err
		}
		targets := []loadgen.Target{
			{Name: "direct", URL: direct + "/api/notes"},
			{Name: "guard", URL: guarded + "/api/notes", Token: token},
		}
		fmt.Fprintf(out, "\n--- service: %s\n", kind)
		if err := compare(out, targets, load.Conns, load.Duration, load.Rounds, load.Rate); err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
	}
	return nil
}

// startGuard serves a guard in front of upstream: /api/* needs read:messages, as a desklit.toml
// scope rule would say.
func startGuard(ctx context.Context, issuer, upstream string) (string, error) {
	g, err := api.NewGuard(api.GuardOptions{
		Options: api.Options{Issuer: issuer, Audience: loadgen.Audience,
			// as the shell logs its guards: warnings only, no line per request
			Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))},
		Name: "bench", Upstream: upstream,
		Public: []string{"/healthz"},
		Scopes: []api.ScopeRule{{Pattern: "/api/*", Scope: "read:messages"}},
	})
	if err != nil {
		return "", err
	}
	go func() { _ = g.Serve(ctx) }()
	return g.URL(), nil
}

// startService starts the service: a Go handler in this process, or a Starlette app under
// uvicorn in a child process, stopped with ctx.
// children are the services this run started as processes.
var children sync.WaitGroup

func startService(ctx context.Context, kind, python string) (string, error) {
	if kind == "go" {
		ln, err := httpguard.Listen(0)
		if err != nil {
			return "", err
		}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"notes":[],"sub":"` + r.Header.Get(api.HeaderSub) + `"}` + "\n"))
		})
		go func() { _ = httpguard.Serve(ctx, httpguard.NewServer(h), ln) }()
		return fmt.Sprintf("http://127.0.0.1:%d", httpguard.Port(ln)), nil
	}
	port, err := measure.FreePort()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, python, "-c", starletteApp, strconv.Itoa(port))
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 3 * time.Second
	if err := cmd.Start(); err != nil {
		return "", err
	}
	children.Add(1)
	go func() { defer children.Done(); _ = cmd.Wait() }()
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(url + "/api/notes"); err == nil {
			resp.Body.Close()
			return url, nil
		}
	}
	return "", fmt.Errorf("the Starlette service did not answer on %s", url)
}

const starletteApp = `import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
async def notes(request):
    return JSONResponse({"notes": [], "sub": request.headers.get("x-desklit-sub", "")})
app = Starlette(routes=[Route("/api/notes", notes)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
`

// compare: warm-up, closed-loop rounds (throughput), then fixed-rate rounds (latency).
func compare(out io.Writer, targets []loadgen.Target, conns int, d time.Duration, rounds int, rate float64) error {
	if err := loadgen.WarmUp(targets, conns); err != nil {
		return err
	}
	rps, cpu := map[string][]float64{}, map[string][]float64{}
	var ratios []float64
	for r := range rounds {
		for _, t := range targets {
			before := cpuTime()
			res, err := loadgen.Closed(t, conns, d)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", t.Name, r+1, err)
			}
			rps[t.Name] = append(rps[t.Name], res.RPS)
			cpu[t.Name] = append(cpu[t.Name], float64((cpuTime()-before).Microseconds())/(res.RPS*d.Seconds()))
			fmt.Fprintf(out, "round %d %-6s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms\n", r+1, t.Name, res.RPS, loadgen.Ms(res.P50), loadgen.Ms(res.P99))
		}
		ratios = append(ratios, rps["guard"][r]/rps["direct"][r])
	}
	for _, t := range targets {
		fmt.Fprintf(out, "%-6s req/s median %.0f (min %.0f, max %.0f)\n", t.Name, measure.Median(rps[t.Name]), slices.Min(rps[t.Name]), slices.Max(rps[t.Name]))
	}
	fmt.Fprintf(out, "ratio guard/direct median %.2f (min %.2f, max %.2f)   goal >= 0.80\n", measure.Median(ratios), slices.Min(ratios), slices.Max(ratios))
	// CPU time, unlike wall time, hardly depends on what else the machine runs: this process's
	// CPU per request (the client, the guard, and the Go service) through the guard minus direct
	// is what the guard itself costs per request.
	fmt.Fprintf(out, "this process's CPU per request: direct %.1f µs, guard %.1f µs: the guard costs %.1f µs a request (one core: %.0f req/s)\n",
		measure.Median(cpu["direct"]), measure.Median(cpu["guard"]), measure.Median(cpu["guard"])-measure.Median(cpu["direct"]),
		1e6/(measure.Median(cpu["guard"])-measure.Median(cpu["direct"])))
	p99 := map[string][]float64{}
	var over []float64
	for r := range rounds {
		for _, t := range targets {
			res, err := loadgen.AtRate(t, conns, rate, d)
			if err != nil {
				return fmt.Errorf("%s fixed-rate round %d: %w", t.Name, r+1, err)
			}
			p99[t.Name] = append(p99[t.Name], loadgen.Ms(res.P99))
			fmt.Fprintf(out, "fixed %.0f req/s round %d %-6s achieved %6.0f  p50 %6.2f ms  p99 %6.2f ms\n", rate, r+1, t.Name, res.RPS, loadgen.Ms(res.P50), loadgen.Ms(res.P99))
		}
		over = append(over, p99["guard"][r]-p99["direct"][r])
	}
	for _, t := range targets {
		fmt.Fprintf(out, "fixed %.0f req/s %-6s p99 median %.2f ms (min %.2f, max %.2f)\n", rate, t.Name, measure.Median(p99[t.Name]), slices.Min(p99[t.Name]), slices.Max(p99[t.Name]))
	}
	fmt.Fprintf(out, "p99 overhead (guard - direct, same round) median %.2f ms (min %.2f, max %.2f)   goal <= 2 ms\n", measure.Median(over), slices.Min(over), slices.Max(over))
	return nil
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
