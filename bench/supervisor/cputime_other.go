//go:build !unix

package main

import (
	"os"
	"time"

	"github.com/shirou/gopsutil/v3/process"
)

// selfCPU is this process's user+system CPU time, as gopsutil reports it.
func selfCPU() (time.Duration, error) {
	p, err := process.NewProcess(int32(os.Getpid()))
	if err != nil {
		return 0, err
	}
	t, err := p.Times()
	if err != nil {
		return 0, err
	}
	return time.Duration((t.User + t.System) * float64(time.Second)), nil
}
