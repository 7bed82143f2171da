//go:build !linux

package pyruntime

import "os/exec"

// dieWithParent: Linux only (Pdeathsig). Elsewhere a warm-up whose Desklit died ends on its own
// once its imports are done (seconds); it starts no processes of its own.
func dieWithParent(*exec.Cmd) {}
