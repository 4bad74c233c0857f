package parquet

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/mlpkit/mlp/tabular"
)

// benchRow is a row of the benchmark's table: ten numbers, an integer and a
// category, as a CSV line of about 100 bytes.
type benchRow struct {
	X0, X1, X2, X3, X4, X5, X6, X7, X8, X9 float64
	N                                      int64
	City                                   string
}

var (
	benchOnce          sync.Once
	benchCSV, benchPQ  []byte
	benchRows          = 1_000_000
	benchRowsFromEnv   = os.Getenv("MLP_PARQUET_BENCH_ROWS")
	benchCities        = []string{"Paris", "Oslo", "Lima", "Quito", "Accra", "Hanoi", "Perth", "Cairo"}
	benchCompression   = &pq.Snappy
	benchCSVHeaderLine = "x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,n,city\n"
)

// benchData returns the same table as CSV text and as a Parquet file
// (parquet-go's writer, SNAPPY), 10^6 rows by default
// (MLP_PARQUET_BENCH_ROWS sets another count): about 100 MB of CSV.
func benchData(b *testing.B) ([]byte, []byte) {
	benchOnce.Do(func() {
		if benchRowsFromEnv != "" {
			n, err := strconv.Atoi(benchRowsFromEnv)
			if err != nil {
				b.Fatal(err)
			}
			benchRows = n
		}
		r := rand.New(rand.NewPCG(1, 2))
		rows := make([]benchRow, benchRows)
		var csv bytes.Buffer
		csv.WriteString(benchCSVHeaderLine)
		for i := range rows {
			x := &rows[i]
			for j, p := range []*float64{&x.X0, &x.X1, &x.X2, &x.X3, &x.X4, &x.X5, &x.X6, &x.X7, &x.X8, &x.X9} {
				*p = float64(int(r.NormFloat64()*1e4)) / 1e3 // 3 decimals, as a CSV file often holds
				csv.WriteString(strconv.FormatFloat(*p, 'g', -1, 64))
				if j < 9 {
					csv.WriteByte(',')
				}
			}
			x.N = r.Int64N(1000)
			x.City = benchCities[r.IntN(len(benchCities))]
			fmt.Fprintf(&csv, ",%d,%s\n", x.N, x.City)
		}
		var pqb bytes.Buffer
		schema := pq.SchemaOf(benchRow{})
		w := pq.NewGenericWriter[benchRow](&pqb, schema, pq.Compression(benchCompression))
		if _, err := w.Write(rows); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		benchCSV, benchPQ = csv.Bytes(), pqb.Bytes()
	})
	return benchCSV, benchPQ
}

// BenchmarkRead reads the same table from CSV (tabular.CSVReader) and from
// Parquet (Reader); compare the two as a ratio (benchstat, or the ns/op of
// interleaved runs).
func BenchmarkRead(b *testing.B) {
	csvb, pqb := benchData(b)
	b.Logf("%d rows: %d bytes of CSV, %d of Parquet", benchRows, len(csvb), len(pqb))
	b.Run("csv", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(csvb)))
		for b.Loop() {
			t, err := tabular.NewCSVReader(bytes.NewReader(csvb)).ReadAll()
			if err != nil || t.Rows() != benchRows {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("parquet", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(csvb))) // MB/s of the CSV the table would be
		for b.Loop() {
			t, err := NewReader(bytes.NewReader(pqb), int64(len(pqb))).ReadAll()
			if err != nil || t.Rows() != benchRows {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
