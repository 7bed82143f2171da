//go:build !windows

package main

import (
	"syscall"
	"time"
)

// childCPU is the user+system CPU time of all waited-for child processes so far: the build's
// cost independent of how busy the machine is.
func childCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
