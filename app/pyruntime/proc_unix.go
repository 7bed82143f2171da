//go:build !windows

package pyruntime

import (
	"os/exec"
	"syscall"
)

// hideWindow is a no-op outside Windows.
func hideWindow(*exec.Cmd) {}

// ownGroup starts cmd in its own process group and makes a cancelled context kill the whole
// group, so no pip child outlives a cancelled build.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
