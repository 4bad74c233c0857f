package tabular

import (
	"math"
	"slices"
)

// maxCollect is the most values of a radix bin that a pass of medians
// gathers and sorts rather than counting by its next 16 bits.
var maxCollect = 1 << 20

// selection finds the value of a given rank (0-based, in increasing order)
// among the training values of a numeric column by radix selection on
// sortKey: each pass over the file counts the values whose key starts with
// prefix (bits bits long) by their next 16 bits, which fixes 16 more bits
// and the rank within them; once at most maxCollect values share the
// prefix, a last pass gathers and sorts them.
type selection struct {
	feature int // position among the chunk tables' features
	rank    int
	prefix  uint64
	bits    int
	count   int // values sharing the prefix
	hist    []int
	values  []float64
	done    bool
	value   float64
}

// sortKey maps a float64 to a uint64 of the same order (-0 as 0).
func sortKey(v float64) uint64 {
	b := math.Float64bits(v + 0)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// fromKey inverts sortKey.
func fromKey(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// matches reports whether key starts with the selection's prefix.
func (sel *selection) matches(key uint64) bool {
	return sel.bits == 0 || key>>(64-sel.bits) == sel.prefix>>(64-sel.bits)
}

// medians returns the exact median of the training values of each numeric
// feature column of cols (header positions), as impute takes it (the
// middle value, or the mean of the two middle ones), by selection: two
// passes over the file for most columns, at most five. It allocates 512
// KiB a column while counting, and at most 8 MiB a column while gathering.
func (s *CSVStream) medians(cols []int) (map[int]float64, error) {
	var sels []*selection
	feature := map[int]int{}
	f := 0
	for _, j := range s.kept {
		if s.cols[j].role == roleFeature {
			feature[j] = f
			f++
		}
	}
	for _, j := range cols {
		n := s.cols[j].n
		for _, rank := range []int{(n - 1) / 2, n / 2} {
			sels = append(sels, &selection{feature: feature[j], rank: rank, count: n})
		}
	}
	for slices.ContainsFunc(sels, func(sel *selection) bool { return !sel.done }) {
		for _, sel := range sels {
			switch {
			case sel.done:
			case sel.count <= maxCollect:
				sel.values, sel.hist = make([]float64, 0, sel.count), nil
			default:
				sel.hist = make([]int, 1<<16)
			}
		}
		err := s.rows(false, nil, func(t *Table) error {
			for _, sel := range sels {
				if sel.done {
					continue
				}
				for _, v := range t.Features[sel.feature].Values {
					if math.IsNaN(v) {
						continue
					}
					key := sortKey(v)
					switch {
					case !sel.matches(key):
					case sel.hist != nil:
						sel.hist[key<<sel.bits>>48]++
					default:
						sel.values = append(sel.values, v)
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, sel := range sels {
			switch {
			case sel.done:
			case sel.hist != nil:
				for d, n := range sel.hist {
					if sel.rank < n {
						sel.prefix |= uint64(d) << (48 - sel.bits)
						sel.bits += 16
						sel.count = n
						break
					}
					sel.rank -= n
				}
				sel.hist = nil
				if sel.bits == 64 {
					sel.value, sel.done = fromKey(sel.prefix), true
				}
			default:
				if sel.rank >= len(sel.values) {
					return nil, changed("a column's values differ from the first pass's")
				}
				slices.Sort(sel.values)
				sel.value, sel.done, sel.values = sel.values[sel.rank], true, nil
			}
		}
	}
	out := make(map[int]float64, len(cols))
	for k, j := range cols {
		a, b := sels[2*k].value, sels[2*k+1].value
		if s.cols[j].n%2 == 1 {
			out[j] = a
		} else {
			out[j] = float64(a/2) + float64(b/2)
		}
	}
	return out, nil
}
