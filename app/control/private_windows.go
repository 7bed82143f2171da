package control

import "io/fs"

// private: on Windows the file lives in the user's own profile (%LOCALAPPDATA%), whose ACL
// keeps other users out; Go's permission bits say nothing there.
func private(fs.FileInfo) error { return nil }
