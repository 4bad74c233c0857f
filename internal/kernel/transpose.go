package kernel

import "fmt"

// Transpose sets dst, c×r row-major, to the transpose of src, r×c
// row-major: dst[j*r+i] = src[i*c+j]. It moves numbers without changing
// them, so every path gives the same bits. On the AVX-512 and AVX2 paths
// it moves blocks of 4×4 elements through YMM registers
// (transpose_amd64.s), elsewhere tiles of 8×8 in Go. It panics if a slice
// is shorter than r·c; dst and src must not overlap. It allocates
// nothing.
func Transpose(dst, src []float64, r, c int) {
	checkTranspose("Transpose", len(dst), len(src), r, c)
	transposeBlocks(dst, src, r, c, 4, transpose64Asm)
}

// Transpose32 is Transpose in float32, with blocks of 8×8 elements on the
// AVX-512 and AVX2 paths.
func Transpose32(dst, src []float32, r, c int) {
	checkTranspose("Transpose32", len(dst), len(src), r, c)
	transposeBlocks(dst, src, r, c, 8, transpose32Asm)
}

// checkTranspose panics unless slices of nd and ns elements hold an r×c
// matrix.
func checkTranspose(name string, nd, ns, r, c int) {
	if r < 0 || c < 0 || nd < r*c || ns < r*c {
		panic(fmt.Sprintf("kernel: %s: r=%d c=%d need %d elements, dst has %d, src %d", name, r, c, r*c, nd, ns))
	}
}

// transposeBlocks transposes the r×c src into dst: the rows and columns
// that fill whole blocks of bs×bs through blocks, when the path has it
// (blocks reports false when it does not), the rest in Go.
func transposeBlocks[T elem](dst, src []T, r, c, bs int, blocks func(dst, src []T, r, c int) bool) {
	rb, cb := r-r%bs, c-c%bs
	if rb == 0 || cb == 0 || !blocks(dst, src, r, c) {
		goTranspose(dst, src, r, c, 0, r, 0, c)
		return
	}
	goStrip(dst, src, r, c, 0, r, cb, c)  // the last columns of every row
	goStrip(dst, src, r, c, rb, r, 0, cb) // the last rows, in the other columns
}

// goStrip is goTranspose for a strip less than a block wide or high: one
// column of the strip at a time, gathered into a run of a row of dst.
func goStrip[T elem](dst, src []T, r, c, i0, i1, j0, j1 int) {
	for j := j0; j < j1; j++ {
		d := dst[j*r+i0 : j*r+i1]
		p := i0*c + j
		for k := range d {
			d[k] = src[p]
			p += c
		}
	}
}

// goTranspose transposes the block of rows i0 to i1-1 and columns j0 to
// j1-1 of the r×c src into dst (c×r), in tiles of 8×8.
func goTranspose[T elem](dst, src []T, r, c, i0, i1, j0, j1 int) {
	const tile = 8
	for ib := i0; ib < i1; ib += tile {
		ie := min(ib+tile, i1)
		for jb := j0; jb < j1; jb += tile {
			je := min(jb+tile, j1)
			for i := ib; i < ie; i++ {
				row := src[i*c+jb : i*c+je]
				for j, v := range row {
					dst[(jb+j)*r+i] = v
				}
			}
		}
	}
}
