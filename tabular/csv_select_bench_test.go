package tabular_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// factorCSV returns a CSV of rows rows of cols 0/1 factor columns b0, b1,
// ... and a 0/1 label y, and the factors' names.
func factorCSV(rows, cols int) ([]byte, []string) {
	rng := rand.New(rand.NewPCG(3, 4))
	var b bytes.Buffer
	names := make([]string, cols)
	for j := range names {
		names[j] = fmt.Sprintf("b%d", j)
		b.WriteString(names[j] + ",")
	}
	b.WriteString("y\n")
	for range rows {
		for range cols {
			b.WriteByte('0' + byte(rng.IntN(2)))
			b.WriteByte(',')
		}
		b.WriteByte('0' + byte(rng.IntN(2)))
		b.WriteByte('\n')
	}
	return b.Bytes(), names
}

// BenchmarkReadAllFactors reads tables of 0/1 factor columns (a narrow one
// of 200 columns and 5,000 rows, a wide one of 2,000 columns and 1,000
// rows) with the factors read as numbers, named in Categorical, selected by
// a pattern, and by CategoricalInts, and reports the throughput in MB/s of
// input.
func BenchmarkReadAllFactors(b *testing.B) {
	for _, shape := range []struct{ rows, cols int }{{5000, 200}, {1000, 2000}} {
		input, names := factorCSV(shape.rows, shape.cols)
		for _, sel := range []struct {
			name string
			set  func(*tabular.CSVReader)
		}{
			{"numbers", func(*tabular.CSVReader) {}},
			{"named", func(r *tabular.CSVReader) { r.Categorical = names }},
			{"pattern", func(r *tabular.CSVReader) { r.Categorical = []string{"b*"} }},
			{"ints", func(r *tabular.CSVReader) { r.CategoricalInts = 2 }},
		} {
			b.Run(fmt.Sprintf("%dx%d/%s", shape.rows, shape.cols, sel.name), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(input)))
				for b.Loop() {
					r := tabular.NewCSVReader(bytes.NewReader(input))
					r.Targets = []string{"y"}
					sel.set(r)
					tab, err := r.ReadAll()
					if err != nil {
						b.Fatal(err)
					}
					if tab.Rows() != shape.rows || len(tab.Features) != shape.cols {
						b.Fatalf("%d rows, %d features", tab.Rows(), len(tab.Features))
					}
				}
				b.ReportMetric(float64(len(input))*float64(b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
			})
		}
	}
}
