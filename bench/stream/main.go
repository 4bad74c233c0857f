// Command stream writes a synthetic classification CSV of any size, for
// measuring mlp train -stream (docs/limits.md): eight numeric features (x7
// with 5% missing cells), two categorical ones (c0 of 5 categories, c1 of
// 20) and a class y of three, a noisy linear rule of the features. The
// same -rows and -seed give the same bytes.
//
//	go run ./bench/stream -rows 25000000 -o /tmp/big.csv   # about 2 GB
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "data `rows` to write")
	seed := flag.Uint64("seed", 1, "random `seed`")
	out := flag.String("o", "-", "the `file` to write; - writes standard output")
	flag.Parse()
	if *rows < 1 {
		fmt.Fprintln(os.Stderr, "stream: -rows must be at least 1")
		os.Exit(2)
	}
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "stream:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	if err := write(w, *rows, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "stream:", err)
		os.Exit(1)
	}
}

// write writes the header and n rows drawn from rand.NewPCG(seed, 0).
func write(w io.Writer, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0))
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString("x0,x1,x2,x3,x4,x5,x6,x7,c0,c1,y\n")
	coef := []float64{1, -0.8, 0.6, 0.5, -0.4, 0.3, 0.2, -0.1}
	var line []byte
	for range n {
		line = line[:0]
		score := 0.0
		for j, c := range coef {
			x := rng.NormFloat64()
			score += c * x
			if j == 7 && rng.IntN(20) == 0 {
				line = append(line, ',')
				continue
			}
			line = strconv.AppendFloat(line, x, 'f', 4, 64)
			line = append(line, ',')
		}
		c0, c1 := rng.IntN(5), rng.IntN(20)
		score += 0.3*float64(c0-2) + 0.1*float64(c1%4) + 0.5*rng.NormFloat64()
		line = append(line, byte('a'+c0), ',', 'k')
		line = strconv.AppendInt(line, int64(c1), 10)
		y := "mid"
		switch {
		case score < -0.7:
			y = "low"
		case score > 0.7:
			y = "high"
		}
		line = append(line, ',')
		line = append(line, y...)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}
