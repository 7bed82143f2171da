//go:build unix && !linux

package supervisor

import (
	"os/exec"
	"syscall"
)

// sysProcAttr puts the child in its own process group. Without Pdeathsig, a child that outlives
// a killed supervisor is recognised by its pid file and reaped at the next start.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

func startCmd(cmd *exec.Cmd) error { return cmd.Start() }
