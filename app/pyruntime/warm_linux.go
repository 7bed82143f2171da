package pyruntime

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel end a background process when Desklit dies without stopping it
// (kill -9): the warm-up must not outlive the app.
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
