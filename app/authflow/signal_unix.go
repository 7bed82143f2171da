//go:build !windows

package authflow

import "syscall"

var terminateSignal = syscall.SIGTERM
