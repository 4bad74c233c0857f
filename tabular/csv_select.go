package tabular

import (
	"fmt"
	"math"
	"path"
	"slices"
	"strings"

	"github.com/mlpkit/mlp"
)

// columnRoles is what a CSVReader's settings make of the columns of one
// header.
type columnRoles struct {
	role        []uint8 // by header position: roleFeature, roleTarget or roleIgnore
	categorical []bool  // by header position: selected by Categorical
	order       []int   // the target columns' positions, in the order asked
}

// resolveColumns returns the roles that c's Targets, TargetIndex, Ignore
// and Categorical give the columns of a header, names being its trimmed
// names (all distinct) and line its line, for errors. It is the one place
// that interprets those settings; both readers of a CSV call it.
//
// Targets and TargetIndex name columns exactly. An entry of Ignore or
// Categorical that is a header name (after trimming) is that column;
// otherwise it is a pattern in path.Match's syntax (*, ?, [a-z], \ to
// quote) matched against every header name. A pattern of Ignore never
// selects a target column: the targets win; an exact name of Ignore that is
// a target is an error. A pattern of Categorical may select a target.
//
// Errors: a malformed pattern wraps mlp.ErrSetting and names the setting;
// entries that are neither a header name nor a pattern matching one give a
// *ParseError at line wrapping ErrNoColumn, listing the header; a target
// given twice, or both a target and (by name) ignored, wraps
// mlp.ErrSetting.
//
// It allocates a map of the header names when any entry is given, and
// O(len(names)) more.
func (c *CSVReader) resolveColumns(names []string, line int) (columnRoles, error) {
	r := columnRoles{role: make([]uint8, len(names)), categorical: make([]bool, len(names))}
	var at map[string]int
	if len(c.Targets)+len(c.Ignore)+len(c.Categorical) > 0 {
		at = make(map[string]int, len(names))
		for j, name := range names {
			at[name] = j
		}
	}
	if err := c.checkPatterns(at); err != nil {
		return r, err
	}
	if err := absentColumns(c, names, at, line); err != nil {
		return r, err
	}
	for _, name := range c.Targets {
		r.order = append(r.order, at[trimName(name)])
	}
	for _, k := range c.TargetIndex {
		j := k
		if j < 0 {
			j += len(names)
		}
		if j < 0 || j >= len(names) {
			return r, &ParseError{Line: line, Err: fmt.Errorf("%w: target index %d is out of range for the %d columns of the header (%s)", ErrNoColumn, k, len(names), listNames(names))}
		}
		r.order = append(r.order, j)
	}
	for _, j := range r.order {
		if r.role[j] == roleTarget {
			return r, fmt.Errorf("%w: CSVReader: target column %s is given twice", mlp.ErrSetting, quote(names[j]))
		}
		r.role[j] = roleTarget
	}
	for _, entry := range c.Ignore {
		p := trimName(entry)
		if j, ok := at[p]; ok {
			if r.role[j] == roleTarget {
				return r, fmt.Errorf("%w: CSVReader: column %s is both a target and ignored", mlp.ErrSetting, quote(names[j]))
			}
			r.role[j] = roleIgnore
			continue
		}
		for j, name := range names {
			if r.role[j] != roleTarget && match(p, name) {
				r.role[j] = roleIgnore
			}
		}
	}
	for _, entry := range c.Categorical {
		p := trimName(entry)
		if j, ok := at[p]; ok {
			r.categorical[j] = true
			continue
		}
		for j, name := range names {
			if match(p, name) {
				r.categorical[j] = true
			}
		}
	}
	return r, nil
}

// match reports whether name matches pattern, which checkPatterns found
// well formed.
func match(pattern, name string) bool {
	ok, _ := path.Match(pattern, name)
	return ok
}

// checkPatterns returns an error wrapping mlp.ErrSetting, naming the
// setting and the entry, for the first entry of Ignore or Categorical that
// is not a header name (a key of at) and is not a well-formed pattern.
func (c *CSVReader) checkPatterns(at map[string]int) error {
	for _, set := range []struct {
		field   string
		entries []string
	}{{"Ignore", c.Ignore}, {"Categorical", c.Categorical}} {
		for _, entry := range set.entries {
			p := trimName(entry)
			if _, ok := at[p]; ok {
				continue
			}
			if _, err := path.Match(p, ""); err != nil {
				return fmt.Errorf("%w: CSVReader.%s entry %s is not a column of the header and not a well-formed pattern (*, ?, [a-z], \\ to quote): %w",
					mlp.ErrSetting, set.field, quote(entry), err)
			}
		}
	}
	return nil
}

// absentColumns returns a *ParseError at line, wrapping ErrNoColumn, that
// names every column of c's Targets absent from the header names, and
// every entry of Ignore and Categorical that is neither a header name (a
// key of at) nor a pattern matching one (at most maxListed, then how many
// more), and lists the header; nil when all are there.
func absentColumns(c *CSVReader, names []string, at map[string]int, line int) error {
	var absent []string
	for _, set := range []struct {
		what    string
		entries []string
		pattern bool
	}{{"target column", c.Targets, false}, {"ignored column", c.Ignore, true}, {"categorical column", c.Categorical, true}} {
		for _, entry := range set.entries {
			p := trimName(entry)
			if _, ok := at[p]; ok {
				continue
			}
			switch {
			case !set.pattern || !isPattern(p):
				absent = append(absent, set.what+" "+quote(entry))
			case !matchesAny(p, names):
				absent = append(absent, set.what+" pattern "+quote(entry)+" (matching no column)")
			}
		}
	}
	switch len(absent) {
	case 0:
		return nil
	case 1:
		return &ParseError{Line: line, Err: fmt.Errorf("%w: %s is not in the header, which has %s", ErrNoColumn, absent[0], listNames(names))}
	}
	list := strings.Join(absent[:min(len(absent), maxListed)], ", ")
	if len(absent) > maxListed {
		list += fmt.Sprintf(" and %d more", len(absent)-maxListed)
	}
	return &ParseError{Line: line, Err: fmt.Errorf("%w: %d columns named in the settings are not in the header: %s; the header has %s",
		ErrNoColumn, len(absent), list, listNames(names))}
}

// isPattern reports whether s holds a special character of path.Match.
func isPattern(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// matchesAny reports whether pattern matches one of names.
func matchesAny(pattern string, names []string) bool {
	for _, name := range names {
		if match(pattern, name) {
			return true
		}
	}
	return false
}

// categoricalInts turns into categories, as CSVReader.CategoricalInts
// asks, the feature columns read so far as integers (int64, each of at
// most 2^53 in magnitude) of at most CategoricalInts distinct values,
// their categories named by formatNumber, as toText names them. It does
// nothing when a cell error is pending, and notes one when the categories
// pass Limits.MaxCategories. It allocates, per column of integers, at most
// CategoricalInts+1 float64s and a slice of its chunks' headers (24
// bytes a chunk), besides the categories.
func (t *tableReader) categoricalInts() {
	n := t.c.CategoricalInts
	if n <= 0 || t.failed.rec > 0 {
		return
	}
	for _, j := range t.kept {
		st := &t.cols[j]
		if st.role != roleFeature || st.categorical || st.text || !st.typ.number || st.typ.intFail != failNone {
			continue
		}
		if kind, _ := st.typ.kind(); kind != typeNumber {
			continue
		}
		chunks := st.values.chunks()
		ints, ok := fewInts(chunks, n)
		if !ok {
			continue
		}
		if t.nCats+len(ints) > t.lim.MaxCategories {
			t.failed = cellError{1, j, t.categoryLimit(st, j)}
			return
		}
		st.categorical, st.text = true, true
		st.cats = make([]string, len(ints))
		for k, v := range ints {
			st.cats[k] = formatNumber(v)
		}
		t.nCats += len(ints)
		// The codes follow the values' order; table puts the
		// categories in byte order.
		for _, chunk := range chunks {
			for i, v := range chunk {
				if !math.IsNaN(v) {
					k, _ := slices.BinarySearch(ints, v)
					chunk[i] = float64(k)
				}
			}
		}
	}
}

// fewInts returns, in increasing order, the distinct non-missing values of
// chunks, and whether they are integers of at most 2^53 in magnitude, at
// most n of them. It keeps them in a sorted slice: O(log n) a value.
func fewInts(chunks [][]float64, n int) ([]float64, bool) {
	var seen []float64
	for _, chunk := range chunks {
		for _, v := range chunk {
			if math.IsNaN(v) {
				continue
			}
			if v != math.Trunc(v) || math.Abs(v) > maxExactInt {
				return nil, false
			}
			if at, ok := slices.BinarySearch(seen, v); !ok {
				if len(seen) == n {
					return nil, false
				}
				seen = slices.Insert(seen, at, v)
			}
		}
	}
	return seen, true
}

// ignored returns the names of the ignored columns, in header order; nil
// when none.
func (t *tableReader) ignored() []string {
	var out []string
	for j := range t.cols {
		if t.cols[j].role == roleIgnore {
			out = append(out, t.names[j])
		}
	}
	return out
}
