//go:build !unix

package main

import (
	"os"
	"time"
)

// usage returns the user+sys CPU time of a finished process; peak memory is
// not available here.
func usage(ps *os.ProcessState) (time.Duration, float64) {
	return ps.UserTime() + ps.SystemTime(), 0
}
