package mlp

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/datasets"
)

// The benchmark workloads are those of bench/torch_ref.py, so that the
// figures compare with PyTorch's on the same machine:
//
//	go test -run '^$' -bench 'Benchmark(Train|Predict|GEMM)' -benchmem .
//	/usr/bin/python3 bench/torch_ref.py
//
// Each reports samples/s; BenchmarkTrain also reports samples per second
// of the process's CPU time (samples/cpu-s, on Unix), which holds on a
// machine shared with other work. BenchmarkTrain and BenchmarkGEMM also
// report GFLOP/s, counting a training step as 6 floating-point operations
// per parameter and sample (2 for the forward product, 4 for the two backward
// products of each Linear layer).

// benchWorkload is one network and data set of the benchmarks.
type benchWorkload struct {
	name  string
	sizes []int   // layer widths, input first
	batch int     // mini-batch size
	lr    float64 // SGD learning rate
	// csv names an embedded data set; empty means synthetic data of rows
	// samples with normal features and uniform random labels.
	csv  string
	rows int
}

var benchWorkloads = []benchWorkload{
	{name: "bc", sizes: []int{30, 16, 2}, batch: 50, lr: 0.1, csv: "breast_cancer.csv"},
	{name: "iris", sizes: []int{4, 16, 3}, batch: 16, lr: 0.1, csv: "iris.csv"},
	{name: "digits", sizes: []int{64, 128, 10}, batch: 32, lr: 0.1, csv: "digits.csv"},
	{name: "mnist-shape", sizes: []int{784, 256, 128, 10}, batch: 128, lr: 0.01, rows: 10000},
	{name: "wide", sizes: []int{1024, 1024, 1024, 10}, batch: 256, lr: 0.01, rows: 8192},
}

// benchData returns the training data of w: the real data set split 80/20
// (seed 9) and standardized with the statistics of the training part, as
// torch_ref.py does (455, 120 and 1438 training rows), or seeded synthetic
// data.
func benchData(tb testing.TB, w benchWorkload) *Dataset {
	tb.Helper()
	if w.csv == "" {
		rng := rand.New(rand.NewPCG(0, 1))
		in, classes := w.sizes[0], w.sizes[len(w.sizes)-1]
		x := mat.NewDense(w.rows, in, nil)
		data := x.RawMatrix().Data
		for i := range data {
			data[i] = rng.NormFloat64()
		}
		labels := make([]int, w.rows)
		for i := range labels {
			labels[i] = rng.IntN(classes)
		}
		d, err := NewDataset(x, Targets{Labels: labels})
		if err != nil {
			tb.Fatal(err)
		}
		return d
	}
	r, err := datasets.Open(w.csv)
	if err != nil {
		tb.Fatal(err)
	}
	all, err := readLabelled(r)
	if err != nil {
		tb.Fatal(err)
	}
	train, _, err := Split(all, SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(9, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	scaled, err := FitStandardScaler(train.X).TransformDataset(train)
	if err != nil {
		tb.Fatal(err)
	}
	return scaled
}

// benchNet returns Linear layers of the given widths with ReLU between them
// and a final Softmax.
func benchNet(tb testing.TB, sizes []int) *Sequential {
	tb.Helper()
	return reluNet(tb, rand.NewPCG(9, 2), sizes)
}

// benchParams returns the number of weights and biases of a network of
// the given widths.
func benchParams(sizes []int) int {
	n := 0
	for i := 0; i+1 < len(sizes); i++ {
		n += (sizes[i] + 1) * sizes[i+1]
	}
	return n
}

// benchTrainer returns a Trainer with SGD for w and a shuffling loader over
// its data.
func benchTrainer(tb testing.TB, w benchWorkload) (*Trainer, *DataLoader) {
	tb.Helper()
	return benchTrainerAs(tb, w, Float64)
}

// benchTrainerAs is benchTrainer with a Trainer that computes in dtype.
func benchTrainerAs(tb testing.TB, w benchWorkload, dtype DType) (*Trainer, *DataLoader) {
	tb.Helper()
	d := benchData(tb, w)
	m := benchNet(tb, w.sizes)
	opt, err := NewSGD(m.Params(), SGDSettings{LR: w.lr})
	if err != nil {
		tb.Fatal(err)
	}
	tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{DType: dtype})
	if err != nil {
		tb.Fatal(err)
	}
	l, err := NewDataLoader(d, LoaderSettings{BatchSize: w.batch, Shuffle: true, Src: rand.NewPCG(9, 3)})
	if err != nil {
		tb.Fatal(err)
	}
	return tr, l
}

// BenchmarkTrain times whole training epochs through Trainer.Fit and a
// shuffling DataLoader: one op is one epoch.
func BenchmarkTrain(b *testing.B) { benchTrain(b, Float64) }

// BenchmarkTrain32 is BenchmarkTrain with TrainerSettings.DType Float32.
func BenchmarkTrain32(b *testing.B) { benchTrain(b, Float32) }

// benchTrain times training epochs of every workload in dtype.
func benchTrain(b *testing.B, dtype DType) {
	for _, w := range benchWorkloads {
		b.Run(w.name, func(b *testing.B) {
			tr, l := benchTrainerAs(b, w, dtype)
			ctx := context.Background()
			if _, err := tr.Fit(ctx, l, nil, 1); err != nil { // warm-up: size the buffers
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start, cpu0 := time.Now(), processCPU()
			if _, err := tr.Fit(ctx, l, nil, b.N); err != nil {
				b.Fatal(err)
			}
			sec, cpu := time.Since(start).Seconds(), (processCPU() - cpu0).Seconds()
			rate := float64(b.N*l.Len()) / sec
			b.ReportMetric(rate, "samples/s")
			b.ReportMetric(6*float64(benchParams(w.sizes))*rate/1e9, "GFLOP/s")
			if cpu > 0 {
				// Per second of the process's CPU time, all threads: what
				// a step costs, whatever else shares the machine.
				b.ReportMetric(float64(b.N*l.Len())/cpu, "samples/cpu-s")
			}
		})
	}
}

// BenchmarkPredict times inference over the training rows at the training
// batch size, in evaluation mode: one op is one pass over the rows.
func BenchmarkPredict(b *testing.B) {
	for _, w := range benchWorkloads {
		b.Run(w.name, func(b *testing.B) {
			d := benchData(b, w)
			m := benchNet(b, w.sizes)
			m.SetTraining(false)
			n, in := d.X.Dims()
			var batches []*mat.Dense
			for i := 0; i < n; i += w.batch {
				batches = append(batches, d.X.Slice(i, min(i+w.batch, n), 0, in).(*mat.Dense))
			}
			pass := func() {
				for _, x := range batches {
					m.Forward(x)
				}
			}
			pass()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				pass()
			}
			sec := time.Since(start).Seconds()
			b.ReportMetric(float64(b.N*n)/sec, "samples/s")
		})
	}
}

// BenchmarkGEMM times the plain gonum mat.Mul products of one training step
// of each workload at its batch size: per Linear layer the forward X·W and
// the backward Xᵀ·G and G·Wᵀ. Its GFLOP/s is the speed a training step
// built on these products can reach. One op is one step's products.
func BenchmarkGEMM(b *testing.B) {
	for _, w := range benchWorkloads {
		b.Run(w.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			fill := func(r, c int) *mat.Dense {
				m := mat.NewDense(r, c, nil)
				data := m.RawMatrix().Data
				for i := range data {
					data[i] = rng.NormFloat64()
				}
				return m
			}
			type layer struct {
				x, w, g   *mat.Dense
				xT, wT    mat.Matrix
				y, dw, dx *mat.Dense
			}
			var ls []layer
			flops := 0
			for i := 0; i+1 < len(w.sizes); i++ {
				in, out := w.sizes[i], w.sizes[i+1]
				l := layer{x: fill(w.batch, in), w: fill(in, out), g: fill(w.batch, out)}
				l.xT, l.wT = l.x.T(), l.w.T()
				l.y, l.dw, l.dx = mat.NewDense(w.batch, out, nil), mat.NewDense(in, out, nil), mat.NewDense(w.batch, in, nil)
				ls = append(ls, l)
				flops += 6 * w.batch * in * out
			}
			step := func() {
				for _, l := range ls {
					l.y.Mul(l.x, l.w)
					l.dw.Mul(l.xT, l.g)
					l.dx.Mul(l.g, l.wT)
				}
			}
			step()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				step()
			}
			sec := time.Since(start).Seconds()
			b.ReportMetric(float64(b.N)*float64(flops)/sec/1e9, "GFLOP/s")
			b.ReportMetric(float64(b.N*w.batch)/sec, "samples/s")
		})
	}
}

// readLabelled reads a numeric CSV file with a header row whose last column
// holds class indices 0..k-1, as the embedded data sets do.
func readLabelled(r io.Reader) (*Dataset, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%d rows", len(rows))
	}
	rows = rows[1:]
	c := len(rows[0]) - 1
	x := mat.NewDense(len(rows), c, nil)
	labels := make([]int, len(rows))
	for i, row := range rows {
		for j, cell := range row[:c] {
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				return nil, err
			}
			x.Set(i, j, v)
		}
		if labels[i], err = strconv.Atoi(row[c]); err != nil {
			return nil, err
		}
	}
	return NewDataset(x, Targets{Labels: labels})
}
