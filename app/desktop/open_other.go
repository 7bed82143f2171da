//go:build !linux && !darwin && !windows

package desktop

// openPath opens a file or folder with the desktop's default application.
func openPath(path string) error { return startDetached("xdg-open", path) }
