package kernel

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// transposeShapes are the shapes of TestTranspose: empty, smaller than a
// block, whole blocks, and blocks with rows and columns left over.
var transposeShapes = [][2]int{
	{0, 5}, {5, 0}, {1, 1}, {1, 9}, {9, 1}, {3, 7}, {4, 4}, {8, 8}, {7, 9}, {9, 7}, {16, 24},
	{33, 17}, {128, 10}, {10, 128}, {64, 128}, {100, 36},
}

// TestTranspose checks Transpose and Transpose32 on the path in use
// against the definition dst[j*r+i] = src[i*c+j], bit for bit (NaNs with
// payloads, -0 and subnormals among the values), and that nothing past
// r·c elements of dst is written.
func TestTranspose(t *testing.T) {
	for _, sh := range transposeShapes {
		r, c := sh[0], sh[1]
		t.Run(fmt.Sprintf("%dx%d", r, c), func(t *testing.T) {
			src64, src32 := make([]float64, r*c), make([]float32, r*c)
			for i := range src64 {
				src64[i] = math.Float64frombits(0x7ff8_0000_0000_0001 + uint64(i)*0x9e37_79b9_7f4a_7c15)
				src32[i] = math.Float32frombits(0x7fc0_0001 + uint32(i)*0x9e37_79b9)
			}
			if r*c > 2 {
				src64[1], src32[1] = math.Copysign(0, -1), float32(math.Copysign(0, -1))
				src64[2], src32[2] = 5e-324, math.Float32frombits(1)
			}
			const guard = 3
			dst64, dst32 := make([]float64, r*c+guard), make([]float32, r*c+guard)
			for i := range dst64 {
				dst64[i], dst32[i] = 42, 42
			}
			Transpose(dst64, src64, r, c)
			Transpose32(dst32, src32, r, c)
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					if g, w := math.Float64bits(dst64[j*r+i]), math.Float64bits(src64[i*c+j]); g != w {
						t.Fatalf("Transpose: dst[%d][%d] = %#x, want src[%d][%d] = %#x", j, i, g, i, j, w)
					}
					if g, w := math.Float32bits(dst32[j*r+i]), math.Float32bits(src32[i*c+j]); g != w {
						t.Fatalf("Transpose32: dst[%d][%d] = %#x, want src[%d][%d] = %#x", j, i, g, i, j, w)
					}
				}
			}
			for i := r * c; i < len(dst64); i++ {
				if dst64[i] != 42 || dst32[i] != 42 {
					t.Fatalf("element %d past the %dx%d matrix written: %v, %v", i, r, c, dst64[i], dst32[i])
				}
			}
		})
	}
}

// TestTransposePanics checks that slices too short for the shape panic
// with a message naming the function and the sizes.
func TestTransposePanics(t *testing.T) {
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"dst short", func() { Transpose(make([]float64, 5), make([]float64, 6), 2, 3) }, "Transpose: r=2 c=3 need 6 elements, dst has 5"},
		{"src short", func() { Transpose32(make([]float32, 6), make([]float32, 5), 3, 2) }, "Transpose32: r=3 c=2 need 6 elements, dst has 6, src 5"},
		{"negative", func() { Transpose32(nil, nil, -1, 2) }, "Transpose32: r=-1 c=2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want one containing %q", msg, tc.want)
				}
			}()
			tc.f()
		})
	}
}

// BenchmarkTranspose times Transpose32 and Transpose on the transposed
// weights of the benchmark nets' Linear layers.
func BenchmarkTranspose(b *testing.B) {
	for _, sh := range [][2]int{{128, 10}, {256, 128}, {1024, 1024}} {
		r, c := sh[0], sh[1]
		b.Run(fmt.Sprintf("f32/%dx%d", r, c), func(b *testing.B) {
			dst, src := make([]float32, r*c), make([]float32, r*c)
			b.ReportAllocs()
			for range b.N {
				Transpose32(dst, src, r, c)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(r*c), "ns/element")
		})
		b.Run(fmt.Sprintf("f64/%dx%d", r, c), func(b *testing.B) {
			dst, src := make([]float64, r*c), make([]float64, r*c)
			b.ReportAllocs()
			for range b.N {
				Transpose(dst, src, r, c)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(r*c), "ns/element")
		})
	}
}
