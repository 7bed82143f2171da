//go:build unix

package control

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// private accepts a file that only this user owns and can read or write.
func private(fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o077 != 0 {
		return errors.New("other users may read or write it; it must be 0600")
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return errors.New("it belongs to another user")
	}
	return nil
}
