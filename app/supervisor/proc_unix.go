//go:build unix

package supervisor

import (
	"errors"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

var defaultStopSignal os.Signal = syscall.SIGTERM

// group is a service's process group: the child leads it (Setpgid), so signalling -pgid
// reaches the child and everything it spawned that did not leave the group.
type group struct{ pgid int }

func newGroup(cmd *exec.Cmd) (*group, error) { return &group{pgid: cmd.Process.Pid}, nil }

// signal sends sig to the group, then SIGCONT: a stopped process (SIGSTOP, a debugger) would
// otherwise hold the signal pending until the grace period ends in a kill.
func (g *group) signal(sig os.Signal) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		s = syscall.SIGTERM
	}
	if err := ignoreGone(syscall.Kill(-g.pgid, s)); err != nil {
		return err
	}
	return ignoreGone(syscall.Kill(-g.pgid, syscall.SIGCONT))
}

func (g *group) kill() error { return ignoreGone(syscall.Kill(-g.pgid, syscall.SIGKILL)) }

func (g *group) close() {}

// signalTree stops a leftover from an earlier run: its whole group when it leads one (as every
// child the supervisor starts does), else the process alone.
func signalTree(pid int, kill bool) error {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	if pg, err := syscall.Getpgid(pid); err == nil && pg == pid {
		return ignoreGone(syscall.Kill(-pid, sig))
	}
	return ignoreGone(syscall.Kill(pid, sig))
}

// signalOne stops or kills one process (followed by SIGCONT, as group.signal).
func signalOne(pid int, kill bool) error {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	if err := ignoreGone(syscall.Kill(pid, sig)); err != nil {
		return err
	}
	return ignoreGone(syscall.Kill(pid, syscall.SIGCONT))
}

// groupOf returns pid's process group and session.
func groupOf(pid int32) (pgid, sid int32, ok bool) {
	pg, err := syscall.Getpgid(int(pid))
	if err != nil {
		return 0, 0, false
	}
	s, err := unix.Getsid(int(pid))
	if err != nil {
		return 0, 0, false
	}
	return int32(pg), int32(s), true
}

func ignoreGone(err error) error {
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

func isAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }
