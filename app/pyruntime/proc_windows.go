//go:build windows

package pyruntime

import (
	"os"
	"os/exec"
	"syscall"
)

const createNoWindow = 0x08000000

// hideWindow keeps a console window from flashing up when the GUI app starts Python.
func hideWindow(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.HideWindow = true
	cmd.SysProcAttr.CreationFlags |= createNoWindow
}

// ownGroup hides the console; a cancelled context kills the process (pip starts no children
// for wheel installs).
func ownGroup(cmd *exec.Cmd) {
	hideWindow(cmd)
	cmd.Cancel = func() error { return cmd.Process.Kill() }
}

// linkCount is 1 on Windows: os.FileInfo does not report hard links there.
func linkCount(os.FileInfo) uint64 { return 1 }

const belowNormalPriorityClass = 0x00004000

// belowNormal makes a background process yield the CPU to the app's own.
func belowNormal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.CreationFlags |= belowNormalPriorityClass
}

// lowerPriority: done at creation on Windows (belowNormal).
func lowerPriority(*exec.Cmd) {}
