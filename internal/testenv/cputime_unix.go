//go:build unix

package testenv

import (
	"syscall"
	"time"
)

// ProcessCPU is the CPU time the process has used (user and system, every
// thread, the garbage collector and background goroutines included).
// Benchmarks report it per operation: ns/op misses work done off the
// benchmark's goroutines, and a shared machine makes wall time noisy.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
