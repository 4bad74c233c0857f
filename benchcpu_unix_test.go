//go:build unix

package mlp

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, user and system,
// so that benchmarks on a machine shared with other work can report rates
// per second of their own CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
