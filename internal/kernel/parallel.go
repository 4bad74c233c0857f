package kernel

import (
	"runtime"
	"sync"
	"unsafe"
)

// ParallelMin is the size m·n·k of the smallest product that Group.MulAdd
// splits between goroutines: below it, handing work to another core costs
// more than it saves.
var ParallelMin = 1 << 20

// task is one part of a product, run by a worker: of float32 elements
// (a32, b32, c32) if is32, else of float64 (a, b, c).
type task struct {
	m, n, k       int
	a, b, c       []float64
	a32, b32, c32 []float32
	is32          bool
	ars, acs      int
	ldb, ldc      int
	done          *sync.WaitGroup
}

// setSlices sets the slices of t, of type T, and is32.
func setSlices[T elem](t *task, a, b, c []T) {
	var z T
	if unsafe.Sizeof(z) == 4 {
		t.is32 = true
		t.a32 = unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(a))), len(a))
		t.b32 = unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
		t.c32 = unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(c))), len(c))
		return
	}
	t.a = unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(a))), len(a))
	t.b = unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
	t.c = unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(c))), len(c))
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
		if t.is32 {
			if buf == nil && usePacked(&cur.f32, t.m, t.n, t.k, t.acs) {
				buf = new(packBuf)
			}
			mulAdd(&cur.f32, buf, t.m, t.n, t.k, t.a32, t.ars, t.acs, t.b32, t.ldb, t.c32, t.ldc)
		} else {
			if buf == nil && usePacked(&cur.f64, t.m, t.n, t.k, t.acs) {
				buf = new(packBuf)
			}
			mulAdd(&cur.f64, buf, t.m, t.n, t.k, t.a, t.ars, t.acs, t.b, t.ldb, t.c, t.ldc)
		}
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
// least ParallelMin multiply-adds (four times that if C has fewer than 16
// columns) and GOMAXPROCS is above 1, it splits C into
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
	split(g, &cur.f64, m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// MulAdd32 computes what the function MulAdd32 does, split between the
// goroutines as Group.MulAdd splits: each element of C is one chain of
// float32 fused multiply-adds over the whole inner dimension, so the
// result does not depend on the split. It allocates nothing once the
// workers have started and the packing buffers exist.
func (g *Group) MulAdd32(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	check(m, n, k, a, ars, acs, b, ldb, c, ldc)
	split(g, &cur.f32, m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// split computes C += A·B with the kernels gk, split between the
// goroutines of g.
func split[T elem](g *Group, gk *gemm[T], m, n, k int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int) {
	parts := 1
	// A product of fewer than colsMaxN columns (a layer with few
	// outputs) runs in tens of microseconds at ParallelMin, less than
	// waking a worker costs: it is split from four times that size.
	minSize := ParallelMin
	if n < colsMaxN {
		minSize = 4 * ParallelMin
	}
	if m*n*k >= minSize {
		parts = runtime.GOMAXPROCS(0)
	}
	// Parts of whole tiles: of the packed path's tiles if the product goes
	// there, else of the unpacked kernels' rows of 4 and vectors of 16.
	rowUnit, colUnit, packs := 4, 16, usePacked(gk, m, n, k, acs)
	if packs {
		rowUnit, colUnit = gk.mr, gk.nr
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
		mulAdd(gk, nil, m, n, k, a, ars, acs, b, ldb, c, ldc)
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
		pm, pn, pa, pb, pc := m, n, a, b, c
		if byCols {
			j0, j1 := start*colUnit, end*colUnit
			if p == parts-1 {
				j1 = n
			}
			pn, pb, pc = j1-j0, b[j0:], c[j0:]
		} else {
			i0, i1 := start*rowUnit, end*rowUnit
			if p == parts-1 {
				i1 = m
			}
			pm, pa, pc = i1-i0, a[i0*ars:], c[i0*ldc:]
		}
		start = end
		if p == parts-1 {
			mulAdd(gk, nil, pm, pn, k, pa, ars, acs, pb, ldb, pc, ldc)
			break
		}
		t := task{m: pm, n: pn, k: k, ars: ars, acs: acs, ldb: ldb, ldc: ldc, done: &g.wg}
		setSlices(&t, pa, pb, pc)
		tasks <- t
	}
	g.wg.Wait()
}
