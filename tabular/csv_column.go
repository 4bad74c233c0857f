package tabular

import (
	"math"
	"slices"
	"strings"
)

// mergeBooleans names the categories of c, each a spelling of true or
// false in some case, "True" and "False", as pandas names the values of a
// bool column, merging the spellings of each.
func mergeBooleans(c *Column) {
	var names []string
	code := make([]float64, len(c.Categories))
	for k, cat := range c.Categories {
		name := "False"
		if strings.EqualFold(cat, "true") {
			name = "True"
		}
		at := slices.Index(names, name)
		if at < 0 {
			at = len(names)
			names = append(names, name)
		}
		code[k] = float64(at)
	}
	for i, v := range c.Values {
		if !math.IsNaN(v) {
			c.Values[i] = code[int(v)]
		}
	}
	c.Categories = names
}

// sortCategories puts c's categories in byte order and renumbers its
// values.
func sortCategories(c *Column) {
	n := len(c.Categories)
	perm := make([]int, n)
	for k := range perm {
		perm[k] = k
	}
	slices.SortFunc(perm, func(a, b int) int { return strings.Compare(c.Categories[a], c.Categories[b]) })
	newCode := make([]float64, n)
	sorted := make([]string, n)
	for to, from := range perm {
		newCode[from] = float64(to)
		sorted[to] = c.Categories[from]
	}
	c.Categories = sorted
	for i, v := range c.Values {
		if !math.IsNaN(v) {
			c.Values[i] = newCode[int(v)]
		}
	}
}

// chunkedFloats collects float64 values in chunks, each a quarter of the
// values before it (at least minChunk), so that growing never copies and
// wastes at most a quarter; slice copies them to one slice of exact size.
type chunkedFloats struct {
	full [][]float64
	cur  []float64
	n    int
}

// minChunk is the smallest chunk of a chunkedFloats.
const minChunk = 16

// push appends v.
func (c *chunkedFloats) push(v float64) {
	if len(c.cur) == cap(c.cur) {
		if len(c.cur) > 0 {
			c.full = append(c.full, c.cur)
		}
		c.cur = make([]float64, 0, max(minChunk, c.n/4))
	}
	c.cur = append(c.cur, v)
	c.n++
}

// chunks returns the chunks holding the values, in order, for changing
// them in place.
func (c *chunkedFloats) chunks() [][]float64 {
	return append(c.full[:len(c.full):len(c.full)], c.cur)
}

// slice returns the values in one slice, allocating it unless they fit in
// one chunk.
func (c *chunkedFloats) slice() []float64 {
	if len(c.full) == 0 {
		if c.cur == nil {
			return []float64{}
		}
		return c.cur
	}
	out := make([]float64, 0, c.n)
	for _, ch := range c.full {
		out = append(out, ch...)
	}
	return append(out, c.cur...)
}
