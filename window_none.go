//go:build !desktop && !dev && !unix

package main

import "github.com/desklit/desklit/app/cli"

// A build without the desktop tag on a system without exec(2) has no window; Windows releases
// are window builds.
func newWindow() cli.WindowRunner { return nil }

func windowExe(exe string) string { return "" }
