// Command supervisor measures the process supervisor:
//
//  1. Overhead to Ready. A child that serves its health check as soon as it runs is started
//     -n times directly (exec, then probing its health URL back to back; the time to the first
//     2xx is the child's own start) and -n times through Supervisor.Start (port check, spawn,
//     pid file, readiness polling, log capture). The two kinds of run alternate. It prints the
//     median, p10, p90, min and max of both and the difference of the medians: the overhead.
//     It also prints, for the supervised runs, how long after the child answered its first
//     health check Start returned (the child prints the moment it answers).
//  2. Idle CPU. First this process alone sleeps for -idle (the Go runtime's baseline); then a supervisor with -children idle children runs for -idle; the supervisor's own
//     CPU time (user+system, from getrusage) over that span is printed.
//
// Run it with:
//
//	go -C bench run ./supervisor
//
// The goals: overhead at most 30 ms (median), idle CPU not measurable.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v3/process"

	"github.com/desklit/desklit/app/supervisor"
	"github.com/desklit/desklit/bench/internal/measure"
)

const childEnv = "DESKLIT_BENCH_SUPERVISOR_CHILD"

func main() {
	if port := os.Getenv(childEnv); port != "" {
		child(port)
		return
	}
	runs := flag.Int("n", 30, "runs of each kind")
	idle := flag.Duration("idle", 10*time.Second, "idle measurement span")
	children := flag.Int("children", 3, "idle children")
	flag.Parse()
	if err := run(*runs, *idle, *children); err != nil {
		fmt.Fprintln(os.Stderr, "supervisor bench:", err)
		os.Exit(1)
	}
}

// child serves /healthz at once and prints when it first answered.
func child(port string) {
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var once sync.Once
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { fmt.Printf("first-answer %d\n", time.Now().UnixNano()) })
		w.Write([]byte("ok\n"))
	}))
}

func run(runs int, idle time.Duration, children int) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "desklit-bench-supervisor-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// Warm up the page cache and the code paths once each.
	if _, err := direct(exe); err != nil {
		return err
	}
	if _, _, err := supervised(exe, tmp); err != nil {
		return err
	}
	var dir, sup, lag []time.Duration
	for range runs {
		d, err := direct(exe)
		if err != nil {
			return err
		}
		s, l, err := supervised(exe, tmp)
		if err != nil {
			return err
		}
		dir, sup, lag = append(dir, d), append(sup, s), append(lag, l)
	}
	fmt.Printf("overhead to Ready, %d runs each (child ready at once)\n", runs)
	fmt.Printf("  direct: exec -> first 2xx   %s\n", stats(dir))
	fmt.Printf("  Supervisor.Start -> Ready   %s\n", stats(sup))
	fmt.Printf("  child's first answer -> Start returned  %s\n", stats(lag))
	fmt.Printf("  overhead (median supervised - median direct): %s\n", (median(sup) - median(dir)).Round(10*time.Microsecond))

	base0, err := selfCPU()
	if err != nil {
		return err
	}
	time.Sleep(idle)
	base1, err := selfCPU()
	if err != nil {
		return err
	}
	cpu, childCPU, err := idleCPU(exe, tmp, idle, children)
	if err != nil {
		return err
	}
	fmt.Printf("idle: this process alone (no supervisor) for %s\n", idle)
	fmt.Printf("  CPU time %s (Go runtime baseline)\n", (base1 - base0).Round(time.Microsecond))
	fmt.Printf("idle: supervisor with %d children and one subscriber for %s\n", children, idle)
	fmt.Printf("  supervisor CPU time %s (%.4f%% of one core)\n", cpu.Round(time.Microsecond), 100*cpu.Seconds()/idle.Seconds())
	fmt.Printf("  children CPU time   %s in total (clock-tick resolution, 10 ms on Linux)\n", childCPU.Round(time.Microsecond))
	return nil
}

// direct starts the child and probes its health URL back to back until it answers.
func direct(exe string) (time.Duration, error) {
	port, err := measure.FreePort()
	if err != nil {
		return 0, err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+strconv.Itoa(port))
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	deadline := t0.Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(t0), nil
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	return 0, fmt.Errorf("child not ready within 10 s")
}

// supervised starts the child through a fresh Supervisor and returns Start's duration and the
// time from the child's first answer to Start's return.
func supervised(exe, tmp string) (time.Duration, time.Duration, error) {
	port, err := measure.FreePort()
	if err != nil {
		return 0, 0, err
	}
	s := supervisor.New(supervisor.Options{LogDir: filepath.Join(tmp, "logs"), RunDir: filepath.Join(tmp, "run")})
	sp := supervisor.Spec{
		Name: "bench", Argv: []string{exe}, Port: port,
		Env:       append(os.Environ(), childEnv+"="+strconv.Itoa(port)),
		HealthURL: fmt.Sprintf("http://127.0.0.1:%d/healthz", port), ReadyTimeout: 10 * time.Second,
		Grace: 2 * time.Second,
	}
	ctx := context.Background()
	t0 := time.Now()
	err = s.Start(ctx, sp)
	took := time.Since(t0)
	end := time.Now()
	defer s.Stop(ctx)
	if err != nil {
		return 0, 0, err
	}
	// The child printed its first answer before it answered; allow the pipe a moment.
	for range 200 {
		for _, l := range s.Logs("bench") {
			if v, ok := strings.CutPrefix(l.Text, "first-answer "); ok {
				ns, _ := strconv.ParseInt(v, 10, 64)
				return took, end.Sub(time.Unix(0, ns)), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return took, 0, fmt.Errorf("no first-answer line")
}

func idleCPU(exe, tmp string, span time.Duration, n int) (time.Duration, time.Duration, error) {
	s := supervisor.New(supervisor.Options{LogDir: filepath.Join(tmp, "logs"), RunDir: filepath.Join(tmp, "run")})
	ctx := context.Background()
	var specs []supervisor.Spec
	for i := range n {
		port, err := measure.FreePort()
		if err != nil {
			return 0, 0, err
		}
		specs = append(specs, supervisor.Spec{
			Name: "idle" + strconv.Itoa(i), Argv: []string{exe}, Port: port,
			Env:       append(os.Environ(), childEnv+"="+strconv.Itoa(port)),
			HealthURL: fmt.Sprintf("http://127.0.0.1:%d/healthz", port), Grace: 2 * time.Second,
		})
	}
	if err := s.Start(ctx, specs...); err != nil {
		return 0, 0, err
	}
	defer s.Stop(ctx)
	events, cancel := s.Subscribe() // a subscriber, as the window and `desklit run` have
	defer cancel()
	go func() {
		for range events {
		}
	}()
	time.Sleep(100 * time.Millisecond) // let start-up settle
	var kids []*process.Process
	for _, st := range s.Snapshot() {
		p, err := process.NewProcess(int32(st.PID))
		if err != nil {
			return 0, 0, err
		}
		kids = append(kids, p)
	}
	cpuOf := func(ps ...*process.Process) time.Duration {
		var total float64
		for _, p := range ps {
			if t, err := p.Times(); err == nil {
				total += t.User + t.System
			}
		}
		return time.Duration(total * float64(time.Second))
	}
	s0, err := selfCPU()
	if err != nil {
		return 0, 0, err
	}
	k0 := cpuOf(kids...)
	time.Sleep(span)
	s1, err := selfCPU()
	if err != nil {
		return 0, 0, err
	}
	return s1 - s0, cpuOf(kids...) - k0, nil
}

func median(d []time.Duration) time.Duration { return pct(d, 50) }

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func stats(d []time.Duration) string {
	r := func(x time.Duration) string { return x.Round(10 * time.Microsecond).String() }
	return fmt.Sprintf("median %s  p10 %s  p90 %s  min %s  max %s",
		r(median(d)), r(pct(d, 10)), r(pct(d, 90)), r(slices.Min(d)), r(slices.Max(d)))
}
