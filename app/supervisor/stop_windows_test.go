//go:build windows

package supervisor

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// The window build has no console: its children get a hidden console each, and a stop reaches
// the child as CTRL_BREAK there (os.Interrupt in Go, SIGBREAK in Python); the child exits by
// itself, well within its grace, and the grandchild goes with the job.
func TestPoliteStopWithoutAConsole(t *testing.T) {
	_, stdin, lines := supervisorProcess(t, time.Minute)
	gc := pidOf(t, expectLine(t, lines, "grandchild "))
	// Windows gives the child's console a window, hidden (SW_HIDE); Wine without a display none.
	if got := expectLine(t, lines, "console window "); !strings.HasSuffix(got, "visible false") {
		t.Errorf("the child's console window: %q, want none or a hidden one", got)
	}
	if got := expectLine(t, lines, "console of its own "); got != "true" {
		t.Errorf("a supervisor without a console: children with a console of their own %q, want true", got)
	}
	child := pidOf(t, expectLine(t, lines, "child "))
	stdin.Close()
	if how := expectLine(t, lines, "interrupted; exiting "); how != "(stop event)" && how != "(CTRL_BREAK)" {
		t.Errorf("stopped by %s, want its stop event or CTRL_BREAK", how)
	}
	if got := expectLine(t, lines, "stopped: "); got != "exit status 0" {
		t.Errorf("stopped: %q, want exit status 0 (the child's own exit, not the job's kill)", got)
	}
	waitEnded(t, child, "child")
	waitEnded(t, gc, "grandchild")
}

// A child that stays after CTRL_BREAK is killed with its tree when the grace period is over.
func TestKillWhenTheGraceIsOver(t *testing.T) {
	_, stdin, lines := supervisorProcess(t, 500*time.Millisecond, "HELPER_IGNORE_INTERRUPT=1")
	gc := pidOf(t, expectLine(t, lines, "grandchild "))
	child := pidOf(t, expectLine(t, lines, "child "))
	stdin.Close()
	expectLine(t, lines, "interrupted; staying")
	if got := expectLine(t, lines, "stopped: "); got != "exit status 1" {
		t.Errorf("stopped: %q, want exit status 1 (TerminateJobObject's)", got)
	}
	waitEnded(t, child, "child")
	waitEnded(t, gc, "grandchild")
}

// When the supervisor dies (killed, crashed), its job objects close and take every child and
// grandchild with them.
func TestSupervisorKilledTreeGone(t *testing.T) {
	sup, _, lines := supervisorProcess(t, time.Minute)
	gc := pidOf(t, expectLine(t, lines, "grandchild "))
	child := pidOf(t, expectLine(t, lines, "child "))
	if err := sup.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	waitEnded(t, child, "child")
	waitEnded(t, gc, "grandchild")
}

// No child asks for a console window that shows: with a console to share it shares it (none
// new); without one it gets its own, hidden (SW_HIDE).
func TestNoConsoleWindowRequested(t *testing.T) {
	shares := sharesConsole
	defer func() { sharesConsole = shares }()
	sharesConsole = func() bool { return false }
	if a := sysProcAttr(); a.CreationFlags&windows.CREATE_NEW_CONSOLE == 0 || !a.HideWindow ||
		a.CreationFlags&windows.CREATE_NEW_PROCESS_GROUP == 0 {
		t.Errorf("without a console: %+v, want a new hidden console and process group", a)
	}
	sharesConsole = func() bool { return true }
	if a := sysProcAttr(); a.CreationFlags&(windows.CREATE_NEW_CONSOLE|windows.DETACHED_PROCESS) != 0 ||
		a.CreationFlags&windows.CREATE_NEW_PROCESS_GROUP == 0 {
		t.Errorf("with a console: %+v, want it shared, in a process group of its own", a)
	}
}
