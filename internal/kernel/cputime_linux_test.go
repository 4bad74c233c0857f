package kernel

import (
	"syscall"
	"time"
	"unsafe"
)

// threadTime returns the CPU time the calling thread has run, so that a
// benchmark on a machine shared with other work can count the time its
// thread held a core rather than the wall time. The caller must have
// locked its goroutine to the thread.
func threadTime() time.Duration {
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}
