//go:build unix

package supervisor

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the supervised child: DESKLIT_SUPERVISOR_HELPER selects a
// behaviour, HELPER_* variables tune it.
const helperEnv = "DESKLIT_SUPERVISOR_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helperMain(mode))
	}
	os.Exit(m.Run())
}

func helperMain(mode string) int {
	switch mode {
	case "serve":
		return helperServe()
	case "silent":
		fmt.Println("booting slowly")
		select {}
	case "exit":
		fmt.Fprintln(os.Stderr, "bad config: no such file")
		return 3
	case "sleep":
		signal.Ignore(syscall.SIGTERM)
		select {}
	case "supervise":
		return helperSupervise()
	}
	fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
	return 2
}

func helperServe() int {
	if os.Getenv("HELPER_IGNORE_TERM") != "" {
		signal.Ignore(syscall.SIGTERM)
	}
	fmt.Println("hello stdout")
	fmt.Fprintln(os.Stderr, "hello stderr")
	if os.Getenv("HELPER_SPIN") != "" { // a script stuck in a busy loop; its server still answers
		go func() {
			for {
			}
		}()
	}
	n, _ := strconv.Atoi(os.Getenv("HELPER_LINES"))
	for i := range n {
		fmt.Printf("line %d\n", i)
	}
	if os.Getenv("HELPER_GRANDCHILD") != "" {
		gc := exec.Command(os.Args[0])
		gc.Env = append(os.Environ(), helperEnv+"=sleep")
		if err := gc.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "grandchild:", err)
			return 1
		}
		fmt.Printf("grandchild %d\n", gc.Process.Pid)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("HELPER_PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// HELPER_CRASH_AFTER counts from the first health answer, so the supervisor sees the
	// service Ready before it crashes.
	var crash sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
		if d, err := time.ParseDuration(os.Getenv("HELPER_CRASH_AFTER")); err == nil {
			crash.Do(func() {
				time.AfterFunc(d, func() {
					fmt.Println("crashing now")
					os.Exit(3)
				})
			})
		}
	})
	_ = http.Serve(ln, mux)
	return 1
}

// helperSupervise is a supervisor process of its own, for the kill -9 tests. It runs the helper
// serving HELPER_PORT, or the shell script HELPER_SH; it prints "child <pid>", then the
// service's output.
func helperSupervise() int {
	sup := New(Options{RunDir: os.Getenv("HELPER_RUNDIR")})
	port, _ := strconv.Atoi(os.Getenv("HELPER_PORT"))
	sp := Spec{
		Name: "child", Argv: []string{os.Args[0]}, Port: port,
		Env:       append(os.Environ(), helperEnv+"=serve"),
		HealthURL: fmt.Sprintf("http://127.0.0.1:%d/healthz", port), ReadyTimeout: 20 * time.Second,
	}
	if script := os.Getenv("HELPER_SH"); script != "" {
		sp = Spec{Name: "child", Argv: []string{"/bin/sh", "-c", script}}
	}
	lines, _ := sup.SubscribeLogs()
	if err := sup.Start(context.Background(), sp); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("child %d\n", sup.Snapshot()[0].PID)
	for l := range lines {
		fmt.Println(l.Text)
	}
	return 0
}

// helperSpec is a service that runs the test binary in mode with extra HELPER_* settings.
func helperSpec(name, mode string, port int, env ...string) Spec {
	return Spec{
		Name:         name,
		Argv:         []string{os.Args[0]},
		Env:          append(append(os.Environ(), helperEnv+"="+mode, "HELPER_PORT="+strconv.Itoa(port)), env...),
		Port:         port,
		HealthURL:    fmt.Sprintf("http://127.0.0.1:%d/healthz", port),
		HealthBody:   "ok",
		ReadyTimeout: 20 * time.Second,
		Grace:        5 * time.Second,
		Restart:      RestartPolicy{MinBackoff: 10 * time.Millisecond, MaxBackoff: time.Second},
	}
}

func newTestSupervisor(t *testing.T, opts Options) *Supervisor {
	t.Helper()
	dir := t.TempDir()
	if opts.LogDir == "" {
		opts.LogDir = filepath.Join(dir, "logs")
	}
	if opts.RunDir == "" {
		opts.RunDir = filepath.Join(dir, "run")
	}
	s := New(opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Stop(ctx)
	})
	return s
}

// startForeign starts the helper as a process the supervisor did not start, serving on port.
func startForeign(t *testing.T, port int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=serve", "HELPER_PORT="+strconv.Itoa(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := waitReady(ctx, Spec{HealthURL: fmt.Sprintf("http://127.0.0.1:%d/healthz", port)}); err != nil {
		t.Fatalf("foreign helper not ready: %v", err)
	}
	return cmd
}

// waitFor waits for the next event matching ok, failing the test after a generous deadline.
func waitFor(t *testing.T, events <-chan Event, ok func(Event) bool) Event {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev, open := <-events:
			if !open {
				t.Fatal("event channel closed")
			}
			if ok(ev) {
				return ev
			}
		case <-deadline:
			t.Fatal("no matching event within 30 s")
		}
	}
}

func isState(s State) func(Event) bool { return func(ev Event) bool { return ev.Status.State == s } }

// waitGoneT fails the test when pid still runs after a generous deadline.
func waitGoneT(t *testing.T, pid int, what string) {
	t.Helper()
	if !waitGone(context.Background(), int32(pid), 20*time.Second) {
		t.Fatalf("%s (pid %d) still runs", what, pid)
	}
}

// grepPID finds "<prefix> <pid>" in lines.
func grepPID(lines []LogLine, prefix string) int {
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l.Text, prefix+" "); ok {
			pid, _ := strconv.Atoi(rest)
			return pid
		}
	}
	return 0
}

// readPIDLine reads "<prefix> <pid>" from a helper's stdout.
func readPIDLine(t *testing.T, sc *bufio.Scanner, prefix string) int {
	t.Helper()
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), prefix+" "); ok {
			pid, err := strconv.Atoi(rest)
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
	}
	t.Fatalf("no %q line: %v", prefix, sc.Err())
	return 0
}

// manualClock is real time whose timers fire only when the test says so; created receives each
// new timer.
type manualClock struct{ created chan *manualTimer }

func newManualClock() *manualClock { return &manualClock{created: make(chan *manualTimer, 100)} }

func (c *manualClock) Now() time.Time { return time.Now() }

func (c *manualClock) NewTimer(d time.Duration) Timer {
	t := &manualTimer{c: make(chan time.Time, 1), d: d}
	c.created <- t
	return t
}

type manualTimer struct {
	c  chan time.Time
	d  time.Duration
	mu sync.Mutex
	// done: fired or stopped
	done bool
}

func (t *manualTimer) C() <-chan time.Time { return t.c }

func (t *manualTimer) Stop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

func (t *manualTimer) fire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.done {
		t.done = true
		t.c <- time.Now()
	}
}
