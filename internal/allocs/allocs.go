// Package allocs measures what a function allocates, for the tests of every
// package of the module.
package allocs

import (
	"math"
	"runtime"
)

// Bytes returns the fewest bytes f allocated over three calls, each after a
// garbage collection (runtime.MemStats.TotalAlloc before and after).
func Bytes(f func()) uint64 {
	least := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}
