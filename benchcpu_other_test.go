//go:build !unix

package mlp

import "time"

// processCPU returns 0: the benchmarks report wall-time rates only here.
func processCPU() time.Duration { return 0 }
