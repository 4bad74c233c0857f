package tabular_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// numericCSV returns a CSV of rows rows of 20 numbers of 7 significant
// digits and an integer label of 5 classes, about 180 bytes a row.
func numericCSV(rows int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for j := range 20 {
		fmt.Fprintf(&b, "f%d,", j)
	}
	b.WriteString("label\n")
	var num []byte
	for range rows {
		for range 20 {
			num = strconv.AppendFloat(num[:0], rng.Float64()*100, 'g', 7, 64)
			b.Write(num)
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(rng.IntN(5)))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// BenchmarkReadAllNumeric reads 100,000 rows of 20 numeric features and a
// class label, generated in memory, and reports the throughput in MB/s of
// input.
func BenchmarkReadAllNumeric(b *testing.B) {
	input := numericCSV(100000)
	b.ReportAllocs()
	b.SetBytes(int64(len(input)))
	for b.Loop() {
		r := tabular.NewCSVReader(bytes.NewReader(input))
		r.Targets = []string{"label"}
		tab, err := r.ReadAll()
		if err != nil {
			b.Fatal(err)
		}
		if tab.Rows() != 100000 || tab.Task != tabular.Classification {
			b.Fatalf("%d rows, task %v", tab.Rows(), tab.Task)
		}
	}
	b.ReportMetric(float64(len(input))*float64(b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
}

// BenchmarkReadAllNumericDetectNA is BenchmarkReadAllNumeric with
// CSVReader.DetectNA, as the mlp command reads: its cost on a table of
// numbers holding no marker.
func BenchmarkReadAllNumericDetectNA(b *testing.B) {
	input := numericCSV(100000)
	b.ReportAllocs()
	b.SetBytes(int64(len(input)))
	for b.Loop() {
		r := tabular.NewCSVReader(bytes.NewReader(input))
		r.Targets = []string{"label"}
		r.DetectNA = true
		tab, err := r.ReadAll()
		if err != nil {
			b.Fatal(err)
		}
		if tab.Rows() != 100000 || tab.Features[0].Kind != tabular.Numeric {
			b.Fatalf("%d rows", tab.Rows())
		}
	}
	b.ReportMetric(float64(len(input))*float64(b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
}
