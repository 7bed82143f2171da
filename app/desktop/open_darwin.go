package desktop

// openPath opens a file or folder with the default application (Finder for a folder).
func openPath(path string) error { return startDetached("open", path) }
