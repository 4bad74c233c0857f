package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/mlpkit/mlp/tabular"
)

// nameRowNames reads the header row of the CSV input r and, when its first
// column has no name, as in the files R's write.csv and pandas' to_csv
// write with their row names, returns the input with that column named
// (a name not in the header) and the name. Otherwise it returns the input
// as it was and "". A header longer than a line may be is passed on
// unread, for the CSV reader to report.
func nameRowNames(r io.Reader, comma rune) (io.Reader, string, error) {
	br := bufio.NewReader(r)
	var head []byte
	quoted := false
	for len(head) <= tabular.DefaultMaxLineBytes {
		b, err := br.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", err
		}
		head = append(head, b)
		if b == '"' {
			quoted = !quoted
		}
		if b == '\n' && !quoted {
			break
		}
	}
	rest := io.MultiReader(bytes.NewReader(head), br)
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(head, []byte("\uFEFF"))))
	cr.Comma = comma
	cr.LazyQuotes = false
	header, err := cr.Read()
	if err != nil || len(header) < 2 || strings.TrimSpace(header[0]) != "" {
		return rest, "", nil
	}
	name := "row.names"
	for slices.ContainsFunc(header, func(h string) bool { return strings.TrimSpace(h) == name }) {
		name += "_"
	}
	header[0] = name
	var nh bytes.Buffer
	cw := csv.NewWriter(&nh)
	cw.Comma = comma
	cw.Write(header)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rest, "", nil
	}
	return io.MultiReader(&nh, br), name, nil
}

// dropRowNames removes from t the feature column named name, which
// nameRowNames gave the unnamed first column, when it holds the row
// numbers: integers rising by one from 1 (R) or 0 (pandas) over the rows
// of the file, of which t may have left some out for a missing target. It
// returns a note saying so, or an error when the column holds anything
// else.
func dropRowNames(t *tabular.Table, name string) (string, error) {
	j := slices.IndexFunc(t.Features, func(c tabular.Column) bool { return c.Name == name })
	if j < 0 {
		return "", nil // a target or ignored: nothing to do
	}
	c := &t.Features[j]
	first, ok := rowNumbers(c, t.Rows()+t.Dropped)
	if !ok {
		return "", fmt.Errorf("line 1, column 1: %w: the first column of the header has no name, and it does not hold the row numbers 1..n that R's write.csv writes there; name it in the header (and -ignore it if it is an identifier)",
			tabular.ErrUnnamedColumn)
	}
	t.Features = slices.Delete(t.Features, j, j+1)
	return fmt.Sprintf("left out the first column, which has no name and holds the row numbers %d..%d (row names, as R's write.csv and pandas' to_csv write them)",
		first, first+t.Rows()+t.Dropped-1), nil
}

// rowNumbers reports whether the values of c are integers rising from
// first, 0 or 1, none beyond first+n-1, and returns first.
func rowNumbers(c *tabular.Column, n int) (int, bool) {
	if c.Kind != tabular.Numeric || len(c.Values) == 0 {
		return 0, false
	}
	first := 1
	if c.Values[0] == 0 {
		first = 0
	}
	prev := float64(first - 1)
	for _, v := range c.Values {
		if math.IsNaN(v) || v != math.Trunc(v) || v <= prev {
			return 0, false
		}
		prev = v
	}
	return first, prev <= float64(first+n-1)
}
