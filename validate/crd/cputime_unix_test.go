//go:build unix

package crd

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used (user and system, all
// threads, garbage collection included). Benchmarks report it per
// operation because a shared machine makes wall time noisy.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
