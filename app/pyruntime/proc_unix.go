//go:build !windows

package pyruntime

import (
	"os"
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

// linkCount is how many hard links a file has (files hard-linked from uv's cache cost no disk
// of their own).
func linkCount(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// belowNormal is for Windows' creation flags; on Unix lowerPriority acts once cmd runs.
func belowNormal(*exec.Cmd) {}

// lowerPriority makes a started background process yield the CPU to the app's own (nice 10).
func lowerPriority(cmd *exec.Cmd) {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, cmd.Process.Pid, 10)
}
