package kernel

import (
	"sync"
	"unsafe"
)

// Large products run on the packed path (GotoBLAS's structure): B is
// copied, a block of packK×packN elements at a time, into panels of nr
// columns stored row after row, which the block's passes read in order
// from the L2 cache with no stride; the micro-kernel keeps a tile of
// mr×nr elements of C in registers while it runs down the block's inner
// dimension, reading mr rows of A in place (or, when A is transposed
// with a stride of a multiple of 4 KiB, see packTransposed, from a packed
// copy of mr×packK elements that stays in the L1 cache), and moves along the block's panels. Packing moves numbers without changing
// them, and the blocks of the inner dimension are visited in increasing
// order, each continuing the chains where the last one stored them, so
// every element of C is still one chain of fused multiply-adds over
// l = 0, 1, ..., k-1, the same bits as the unpacked kernels.
const (
	packK  = 256 // rows of B in a packed block: the inner dimension
	packN  = 256 // columns of B in a packed block of float64 (512 of float32)
	packMR = 6   // the most rows of any path's tile
	packM  = 48  // rows of a transposed A packed at once, a multiple of packMR
)

// packMin is the smallest product m·n·k that goes to the packed path:
// below it, the unpacked kernels, which pack nothing, are as fast.
var packMin = 1 << 19

// packBuf holds the packed copies of the blocks of B and A of one product
// running at a time. A float32 product uses the same memory as twice as
// many float32 elements: blocks of B of packK×2·packN (see views).
type packBuf struct {
	b [packK * packN]float64
	a [packM * packK]float64
}

// views returns the buffers of buf as slices of T.
func views[T elem](buf *packBuf) (b, a []T) {
	var z T
	per := 8 / int(unsafe.Sizeof(z))
	b = unsafe.Slice((*T)(unsafe.Pointer(&buf.b[0])), len(buf.b)*per)
	a = unsafe.Slice((*T)(unsafe.Pointer(&buf.a[0])), len(buf.a)*per)
	return b, a
}

// PackBytes is the size of the packing buffers of one product: the
// process keeps one for each product that has run at the same time as
// others, and reuses them, so that products allocate nothing once the
// buffers exist.
const PackBytes = int(unsafe.Sizeof(packBuf{}))

// bufs is the free list of packing buffers, shared by all products of the
// process.
var bufs struct {
	sync.Mutex
	free []*packBuf
}

// getBuf returns a packing buffer from the free list, or a new one if the
// list is empty.
func getBuf() *packBuf {
	bufs.Lock()
	defer bufs.Unlock()
	if n := len(bufs.free); n > 0 {
		b := bufs.free[n-1]
		bufs.free = bufs.free[:n-1]
		return b
	}
	return new(packBuf)
}

// putBuf returns b to the free list.
func putBuf(b *packBuf) {
	bufs.Lock()
	bufs.free = append(bufs.free, b)
	bufs.Unlock()
}

// usePacked reports whether the packed path of the kernels g takes an
// m×n×k product whose A has column stride acs. Below 64 in the inner
// dimension or the columns, the rows of B the unpacked kernels read stay
// in the L1 cache and packing does not pay; a transposed A (acs != 1) is
// packed for each block of columns, which pays from 64 rows.
func usePacked[T elem](g *gemm[T], m, n, k, acs int) bool {
	return m*n*k >= packMin && g.tiles != nil && m >= 2*g.mr && n >= max(64, g.nr) && k >= 64 &&
		(acs == 1 || m >= 64)
}

// packed computes C += A·B as mulAdd does, on the packed path of the
// kernels g with the buffers of buf (one from the free list if buf is
// nil): the columns of C that fill whole tiles there (the last row of
// tiles may have fewer than mr rows), the remaining ones (fewer than nr)
// with the unpacked kernels.
func packed[T elem](g *gemm[T], buf *packBuf, m, n, k int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int) {
	if buf == nil {
		buf = getBuf()
		defer putBuf(buf)
	}
	bufB, bufA := views[T](buf)
	packN := len(bufB) / packK // columns of B in a packed block
	mr, nr, tiles, tilePack := g.mr, g.nr, g.tiles, g.tilePack
	nt := n - n%nr
	packsA := packTransposed[T](acs)
	// Blocks of near-equal sizes, so that none is much smaller than the
	// others: each block of the inner dimension loads and stores C once.
	nbMax := (nt/nr + (nt+packN-1)/packN - 1) / ((nt + packN - 1) / packN) * nr
	kbMax := (k + (k+packK-1)/packK - 1) / ((k + packK - 1) / packK)
	for jc := 0; jc < nt; jc += nbMax {
		nb := min(nbMax, nt-jc)
		for pc := 0; pc < k; pc += kbMax {
			kb := min(kbMax, k-pc)
			pb := bufB[:kb*nb]
			for ir := 0; ir < m; ir += mr {
				rows := min(mr, m-ir)
				ap, pars, pacs := a[ir*ars+pc*acs:], ars, acs
				cc := c[ir*ldc+jc:]
				if packsA && ars == 1 && g.tileAPack != nil && ir > 0 && rows == mr {
					// The first tile of the row packs the panel of A
					// for the others as it goes.
					g.tileAPack(kb, ap, acs, pb, bufA, cc, ldc)
					if nb > nr {
						tiles(rows, kb, nb/nr-1, bufA, 1, mr, pb[nr*kb:], cc[nr:], ldc)
					}
					continue
				}
				if packsA && ars == 1 && g.tileAPack != nil {
					packA(bufA, mr, rows, kb, ap, ars, acs)
					ap, pars, pacs = bufA, 1, mr
				} else if packsA {
					// A transposed is packed packM rows at a time, so
					// that each of its rows is read in one run.
					if ir%packM == 0 {
						packA(bufA, mr, min(packM, m-ir), kb, ap, ars, acs)
					}
					ap, pars, pacs = bufA[ir%packM*kb:], 1, mr
				}
				if ir > 0 {
					tiles(rows, kb, nb/nr, ap, pars, pacs, pb, cc, ldc)
					continue
				}
				// The first row of tiles (whole, as m >= 2·mr) packs the
				// block of B as it goes.
				bb := b[pc*ldb+jc:]
				for j := 0; j < nb; j += nr {
					tilePack(kb, ap, pars, pacs, bb[j:], ldb, pb[j*kb:], cc[j:], ldc)
				}
			}
		}
	}
	if nt < n {
		unpacked(g, m, n-nt, k, a, ars, acs, b[nt:], ldb, c[nt:], ldc)
	}
}

// packTransposed reports whether packed copies a transposed A (column
// stride acs elements of T) to the packing buffer rather than reading it
// in place. The tiles read the mr elements of a column of A at each step
// of the inner dimension, one cache line; in place, the lines of a block
// (one per step) stay in the L1 and L2 caches while the tiles move along
// the block's columns, unless the stride is a multiple of 4 KiB, which
// maps all of them to a few sets of each cache (and each to its own
// page): those are copied. Copying costs about as much as a pass of the
// tiles over 64 columns, so that reading in place is faster on the
// transposed products of the benchmarks whose strides are not such
// multiples (784×256×128T and 256×128×128T, 10-20% in float32); packing
// and reading in place move numbers only, so the bits are the same.
func packTransposed[T elem](acs int) bool {
	var z T
	return acs != 1 && acs*int(unsafe.Sizeof(z))%4096 == 0
}

// packA copies the rows×kb block of A with A(i, l) = src[i*ars + l*acs] to
// dst in panels of mr rows, panel after panel, each column after column:
// element (i, l) goes to dst[(i/mr)*mr*kb + l*mr + i%mr].
func packA[T elem](dst []T, mr, rows, kb int, src []T, ars, acs int) {
	for i0 := 0; i0 < rows; i0 += mr {
		panel := dst[i0*kb:]
		r := min(mr, rows-i0)
		if ars == 1 && r == 6 && mr == 6 {
			for l := 0; l < kb; l++ {
				s := src[i0+l*acs : i0+l*acs+6 : i0+l*acs+6]
				d := panel[l*6 : l*6+6 : l*6+6]
				d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
			}
			continue
		}
		for l := 0; l < kb; l++ {
			d := panel[l*mr : l*mr+r]
			for i := range d {
				d[i] = src[(i0+i)*ars+l*acs]
			}
		}
	}
}
