package desktop

// openPath opens a file or folder with its default application (Explorer for a folder).
func openPath(path string) error { return startDetached("explorer.exe", path) }
