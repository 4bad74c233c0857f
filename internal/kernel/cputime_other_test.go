//go:build !linux

package kernel

import "time"

// threadTime returns 0: this system gives no thread CPU time here, and the
// benchmarks report wall-time rates only.
func threadTime() time.Duration { return 0 }
