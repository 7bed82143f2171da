package authflow

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes Linux end the sign-in window if Desklit itself dies.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
