package tabular

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestShortDecimal checks that the fast path of classifyCell reads cells
// exactly as strconv.ParseFloat does (bit for bit), and leaves the rest to
// it.
func TestShortDecimal(t *testing.T) {
	cells := []string{"0", "-0", "+0", "1", "-1", "1.", ".5", "-.5", "0.1", "3.14159", "9007199254740991",
		"9007199254740992", "123456789012345678", "0.0000000000000000000001", "0.00000000000000000000001",
		"1.7976931348623157", "42.000000", "1e5", "1_0", "", "-", ".", "+.", "1.2.3", "0x10", "12a"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		v := (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(30)-10))
		cells = append(cells, strconv.FormatFloat(v, 'f', rng.IntN(18), 64), strconv.FormatFloat(v, 'g', rng.IntN(17)+1, 64))
	}
	fast := 0
	for _, cell := range cells {
		got, _, ok := shortDecimal(cell)
		want, err := strconv.ParseFloat(cell, 64)
		if !ok {
			continue
		}
		fast++
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("shortDecimal(%q) = %v (%#x), ParseFloat gives %v (%#x), %v", cell, got, math.Float64bits(got), want, math.Float64bits(want), err)
		}
	}
	if fast < len(cells)/4 {
		t.Errorf("the fast path read %d of %d cells", fast, len(cells))
	}
}
