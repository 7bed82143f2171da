// Package version carries the build's version, commit and date, stamped with -ldflags -X.
package version

import (
	"runtime/debug"
)

// Stamped at build time: -X github.com/desklit/desklit/app/version.Version=... and so on.
var (
	Version = "0.1.0-dev"
	Commit  = ""
	Date    = ""
)

// WailsVersion is the Wails module version the binary was built with.
func WailsVersion() string { return depVersion("github.com/wailsapp/wails/v2") }

// GoVersion is the Go toolchain that built the binary.
func GoVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.GoVersion
	}
	return "unknown"
}

// CommitOrVCS returns the stamped commit or, failing that, the VCS revision Go recorded.
func CommitOrVCS() string {
	if Commit != "" {
		return Commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}

func depVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			return d.Version
		}
	}
	return "unknown"
}
