//go:build windows

package main

import "time"

// childCPU is not measured on Windows.
func childCPU() time.Duration { return 0 }
