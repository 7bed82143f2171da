//go:build !desktop && !dev && !unix

package window

import "github.com/desklit/desklit/app/cli"

// New: a build without the desktop tag on a system without exec(2) has no window; Windows
// releases are window builds.
func New() cli.WindowRunner { return nil }

// Program: there is no window program.
func Program(exe string) string { return "" }
