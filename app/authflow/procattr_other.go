//go:build !linux

package authflow

import "os/exec"

// dieWithParent is Linux-only (Pdeathsig); elsewhere the flow's cancellation ends the window.
func dieWithParent(*exec.Cmd) {}
