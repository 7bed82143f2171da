//go:build windows

package supervisor

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/desklit/desklit/app/internal/testutil"
)

// The test binary doubles as the supervised child, its grandchild and a supervisor process of
// its own (the window build: no console): DESKLIT_SUPERVISOR_HELPER selects the part.
const helperEnv = "DESKLIT_SUPERVISOR_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "tree":
		os.Exit(helperTree())
	case "grandchild": // stays until killed: only the job can end it
		signal.Ignore(os.Interrupt)
		select {}
	case "supervise":
		os.Exit(helperSupervise())
	}
	os.Exit(2)
}

// helperTree is a service: it starts a grandchild, reports its console, answers /healthz on
// HELPER_PORT and exits 0 when asked to stop (its stop event, or CTRL_BREAK: os.Interrupt),
// unless HELPER_IGNORE_INTERRUPT is set.
func helperTree() int {
	gc := exec.Command(os.Args[0])
	gc.Env = append(os.Environ(), helperEnv+"=grandchild")
	if err := gc.Start(); err != nil {
		fmt.Println("grandchild:", err)
		return 1
	}
	fmt.Printf("grandchild %d\n", gc.Process.Pid)
	hwnd, _, _ := procGetConsoleWindow.Call()
	visible, _, _ := windows.NewLazySystemDLL("user32.dll").NewProc("IsWindowVisible").Call(hwnd)
	fmt.Printf("console window %v visible %v\n", hwnd != 0, visible != 0)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("HELPER_PORT"))
	if err != nil {
		fmt.Println(err)
		return 1
	}
	go func() {
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") }))
	}()
	req := StopRequested()
	for {
		how := "CTRL_BREAK"
		select {
		case <-stop:
		case <-req:
			how, req = "stop event", nil
		}
		if os.Getenv("HELPER_IGNORE_INTERRUPT") != "" {
			fmt.Println("interrupted; staying (" + how + ")")
			continue
		}
		fmt.Println("interrupted; exiting (" + how + ")")
		return 0
	}
}

// helperSupervise runs the tree under a supervisor in a process started without a console, as
// the window runs Streamlit: it prints the service's output, "child <pid>" once it is ready,
// stops it when its stdin ends and prints "stopped: <exit status>".
func helperSupervise() int {
	s := New(Options{Logger: slog.New(slog.NewTextHandler(os.Stdout, nil))})
	lines, _ := s.SubscribeLogs()
	go func() {
		for l := range lines {
			fmt.Println(l.Text)
		}
	}()
	port, _ := strconv.Atoi(os.Getenv("HELPER_PORT"))
	grace, _ := time.ParseDuration(os.Getenv("HELPER_GRACE"))
	if err := s.Start(context.Background(), treeSpec(port, grace)); err != nil {
		fmt.Println("start:", err)
		return 1
	}
	fmt.Printf("console of its own %v\n", !sharesConsole())
	fmt.Printf("child %d\n", s.Snapshot()[0].PID)
	_, _ = io.Copy(io.Discard, os.Stdin)
	events, _ := s.Subscribe()
	if err := s.Stop(context.Background()); err != nil {
		fmt.Println("stop:", err)
	}
	for ev := range events {
		if ev.Status.State == Stopped {
			time.Sleep(100 * time.Millisecond) // the last log lines
			fmt.Printf("stopped: %s\n", ev.Status.ExitStatus)
			return 0
		}
	}
	return 1
}

func treeSpec(port int, grace time.Duration) Spec {
	return Spec{
		Name: "tree", Argv: []string{os.Args[0]}, Port: port,
		Env:       append(os.Environ(), helperEnv+"=tree", "HELPER_PORT="+strconv.Itoa(port)),
		HealthURL: fmt.Sprintf("http://127.0.0.1:%d/healthz", port), HealthBody: "ok",
		ReadyTimeout: 30 * time.Second, Grace: grace,
	}
}

// supervisorProcess starts helperSupervise without a console (DETACHED_PROCESS), as Windows
// starts the window build, and returns it with its output's lines.
func supervisorProcess(t *testing.T, grace time.Duration, env ...string) (*exec.Cmd, io.WriteCloser, <-chan string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=supervise",
		"HELPER_PORT=" + strconv.Itoa(testutil.FreePort(t)), "HELPER_GRACE=" + grace.String()}, env...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.DETACHED_PROCESS}
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			t.Log(sc.Text())
			lines <- sc.Text()
		}
		close(lines)
	}()
	return cmd, stdin, lines
}

// expectLine reads lines until one starts with prefix and returns the rest of it.
func expectLine(t *testing.T, lines <-chan string, prefix string) string {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("output ended before %q", prefix)
			}
			if rest, found := strings.CutPrefix(l, prefix); found {
				return strings.TrimSpace(rest)
			}
		case <-deadline:
			t.Fatalf("no line %q within 60 s", prefix)
		}
	}
}

func pidOf(t *testing.T, s string) int {
	t.Helper()
	pid, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("pid %q: %v", s, err)
	}
	return pid
}

// waitEnded waits until process pid has ended.
func waitEnded(t *testing.T, pid int, what string) {
	t.Helper()
	h, err := windows.OpenProcess(windows.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return // no such process
	}
	defer windows.CloseHandle(h)
	if ev, _ := windows.WaitForSingleObject(h, 20000); ev != windows.WAIT_OBJECT_0 {
		t.Errorf("%s (pid %d) still running 20 s later", what, pid)
	}
}
