// Package window opens Desklit's windows the way this build can, and knows the two programs of
// an install. A window build (the desktop tag, or dev for `wails dev`) runs them in this process
// (app/desktop draws them, app/appwindow connects the main one to the shell). On Linux `make
// build` also makes the plain desklit, without the tag and without cgo: it runs the commands and
// the services, and replaces itself with desklit-window, installed beside it, to open a window.
// A plain build without exec(2) has no window.
package window

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// windowProgram is the window build installed beside the plain desklit.
const windowProgram = "desklit-window"

// ServiceProgram is the binary a window build runs its services with: when exe is an installed
// desklit-window, the plain desklit beside it (it does not load GTK and WebKit: on Linux it starts
// ~60 ms sooner and ~45 MB smaller per service); any other build (the plain desklit, wails build,
// wails dev, Windows, macOS) runs them itself, so that a stale desklit left beside it is never
// picked up.
func ServiceProgram(exe string) string {
	if strings.TrimSuffix(filepath.Base(exe), ".exe") != windowProgram {
		return exe
	}
	if sibling, ok := programBeside(exe, "desklit"); ok {
		return sibling
	}
	return exe
}

// programBeside is the executable file name in exe's folder (name.exe on Windows, where no mode
// bit says a file runs), if there is one other than exe.
func programBeside(exe, name string) (string, bool) {
	runnable := func(m os.FileMode) bool { return m.Perm()&0o111 != 0 }
	if runtime.GOOS == "windows" {
		name += ".exe"
		runnable = func(os.FileMode) bool { return true }
	}
	p := filepath.Join(filepath.Dir(exe), name)
	a, err := os.Stat(p)
	if err != nil || !a.Mode().IsRegular() || !runnable(a.Mode()) {
		return "", false
	}
	if b, err := os.Stat(exe); err == nil && os.SameFile(a, b) {
		return "", false
	}
	return p, true
}
