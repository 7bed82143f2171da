package supervisor

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// sysProcAttr puts the child in a session of its own (so it also leads its own process group,
// pgid = pid) and has the kernel kill it when the supervisor dies, even by SIGKILL.
//
// A session rather than only a process group: with the kernel's autogroup scheduling (on by
// default in desktop kernels), CPU time is shared fairly between sessions first. The window's
// GTK and WebKit processes start in the same second as Streamlit; in one session their threads
// and Python's single busy thread shared the two cores of the reference machine thread by
// thread, and Streamlit took 0.67-0.77 s to become healthy instead of 0.41 s alone; in its own
// session it took 0.55-0.64 s.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL}
}

// Pdeathsig fires when the thread that forked the child exits, not the process
// (golang/go#27505); Go ends a thread when a goroutine locked to it returns. So every child is
// forked from one locked thread that lives as long as the process.
var (
	spawnOnce sync.Once
	spawns    chan func()
)

func startCmd(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawns = make(chan func())
		go func() {
			runtime.LockOSThread()
			for f := range spawns {
				f()
			}
		}()
	})
	done := make(chan error, 1)
	spawns <- func() { done <- cmd.Start() }
	return <-done
}
