package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/mlpkit/mlp/tabular"
	"github.com/mlpkit/mlp/tabular/parquet"
)

// parquetMagic starts a Parquet file; -data files that start with it are
// read as Parquet, the others as CSV.
const parquetMagic = "PAR1"

// sniffParquet reports whether the data of r starts with Parquet's magic
// bytes, and returns a reader of all of r's bytes.
func sniffParquet(r io.Reader) (io.Reader, bool, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(len(parquetMagic))
	if err != nil && err != io.EOF {
		return nil, false, err
	}
	return br, string(head) == parquetMagic, nil
}

// parquetBytes returns the Parquet file of f (the -data file, whose
// start in.Peek has seen) as an io.ReaderAt and its size, and writes all
// its bytes to sum when sum is not nil. A regular file is read in place;
// standard input is read into memory, at most tabular.DefaultMaxBytes.
func parquetBytes(f io.Reader, in io.Reader, sum hash.Hash) (io.ReaderAt, int64, error) {
	if file, ok := f.(*os.File); ok {
		if st, err := file.Stat(); err == nil && st.Mode().IsRegular() {
			if sum != nil {
				if _, err := io.Copy(sum, io.NewSectionReader(file, 0, st.Size())); err != nil {
					return nil, 0, err
				}
			}
			return file, st.Size(), nil
		}
	}
	b, err := io.ReadAll(io.LimitReader(in, tabular.DefaultMaxBytes+1))
	if err != nil {
		return nil, 0, err
	}
	if len(b) > tabular.DefaultMaxBytes {
		return nil, 0, fmt.Errorf("%w: more than Limits.MaxBytes = %d bytes of Parquet", tabular.ErrLimit, tabular.DefaultMaxBytes)
	}
	if sum != nil {
		sum.Write(b)
	}
	return bytes.NewReader(b), int64(len(b)), nil
}

// parquetAsCSV reads the whole Parquet file of f and returns its cells as
// CSV text delimited by comma, for eval and predict, which read records
// of text: numbers in their shortest exact form, strings trimmed and
// booleans as True and False, as the reader gives them to train, and
// missing cells empty.
func parquetAsCSV(f io.Reader, in io.Reader, comma rune) (io.ReadCloser, error) {
	ra, size, err := parquetBytes(f, in, nil)
	if err != nil {
		return nil, err
	}
	t, err := parquet.NewReader(ra, size).ReadAll()
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		w := csv.NewWriter(pw)
		w.Comma = comma
		rec := make([]string, len(t.Features))
		w.Write(t.FeatureNames())
		for i := range t.Rows() {
			for j := range t.Features {
				rec[j] = t.Features[j].Text(i)
			}
			w.Write(rec)
		}
		w.Flush()
		pw.CloseWithError(w.Error())
	}()
	// Closing the reader ends the writer, if the caller stops early.
	return pr, nil
}
