package kernel

import (
	"runtime"
	"sync"
)

// ParallelMin is the size m·n·k of the smallest product that Group.MulAdd
// splits between goroutines: below it, handing work to another core costs
// more than it saves.
var ParallelMin = 1 << 20

// task is one part of a product, run by a worker.
type task struct {
	m, n, k  int
	a        []float64
	ars, acs int
	b        []float64
	ldb      int
	c        []float64
	ldc      int
	done     *sync.WaitGroup
}

var (
	startWorkers sync.Once
	tasks        chan task
	workers      int
)

// worker runs tasks until the program ends.
func worker() {
	var buf *packBuf // the worker's own, allocated by its first task that packs
	for t := range tasks {
		if buf == nil && usePacked(t.m, t.n, t.k, t.acs) {
			buf = new(packBuf)
		}
		mulAdd(buf, t.m, t.n, t.k, t.a, t.ars, t.acs, t.b, t.ldb, t.c, t.ldc)
		t.done.Done()
	}
}

// Group splits products between the calling goroutine and a pool of
// workers, one per extra CPU, started on first use. The zero value is ready
// to use. A Group must not be used by two goroutines at once; distinct
// Groups may.
type Group struct {
	wg sync.WaitGroup
}

// MulAdd computes what the function MulAdd does. When the product has at
// least ParallelMin multiply-adds and GOMAXPROCS is above 1, it splits C into
// blocks of whole rows or whole columns (whole tiles of the kernel that runs
// the product) and computes them concurrently. Each element of C is still computed by one
// chain of fused multiply-adds over the whole inner dimension, so the result
// does not depend on the split. It allocates nothing once the workers have
// started and the packing buffers exist (see MulAdd).
func (g *Group) MulAdd(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	check(m, n, k, a, ars, acs, b, ldb, c, ldc)
	parts := 1
	if m*n*k >= ParallelMin {
		parts = runtime.GOMAXPROCS(0)
	}
	// Parts of whole tiles: of the packed path's tiles if the product goes
	// there, else of the unpacked kernels' rows of 4 and vectors of 16.
	rowUnit, colUnit, packs := 4, 16, usePacked(m, n, k, acs)
	if packs {
		rowUnit, colUnit = cur.mr, cur.nr
	}
	rowBlocks, colBlocks := m/rowUnit, n/colUnit
	if parts > 1 {
		startWorkers.Do(func() {
			workers = runtime.NumCPU() - 1
			tasks = make(chan task, 4*max(workers, 1))
			for range workers {
				go worker()
			}
		})
		parts = min(parts, workers+1, max(rowBlocks, colBlocks))
	}
	if parts <= 1 {
		if packs {
			packed(nil, m, n, k, a, ars, acs, b, ldb, c, ldc)
		} else {
			unpacked(m, n, k, a, ars, acs, b, ldb, c, ldc)
		}
		return
	}
	// Split along the dimension with more blocks or, on the packed path,
	// by columns if there are enough, so that each part packs only its
	// own columns of B: each part gets a run of whole blocks, the last
	// part also the remainder.
	byCols := colBlocks > rowBlocks || packs && colBlocks >= 2*parts
	blocks := rowBlocks
	if byCols {
		blocks = colBlocks
	}
	g.wg.Add(parts - 1)
	start := 0
	for p := 0; p < parts; p++ {
		end := (p + 1) * blocks / parts
		var t task
		if byCols {
			j0, j1 := start*colUnit, end*colUnit
			if p == parts-1 {
				j1 = n
			}
			t = task{m: m, n: j1 - j0, k: k, a: a, ars: ars, acs: acs, b: b[j0:], ldb: ldb, c: c[j0:], ldc: ldc}
		} else {
			i0, i1 := start*rowUnit, end*rowUnit
			if p == parts-1 {
				i1 = m
			}
			t = task{m: i1 - i0, n: n, k: k, a: a[i0*ars:], ars: ars, acs: acs, b: b, ldb: ldb, c: c[i0*ldc:], ldc: ldc}
		}
		start = end
		if p == parts-1 {
			mulAdd(nil, t.m, t.n, t.k, t.a, t.ars, t.acs, t.b, t.ldb, t.c, t.ldc)
			break
		}
		t.done = &g.wg
		tasks <- t
	}
	g.wg.Wait()
}
