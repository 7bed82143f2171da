package supervisor

import "syscall"

// sysProcAttr puts the child in its own process group and has the kernel kill it when the
// supervisor dies, even by SIGKILL.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
