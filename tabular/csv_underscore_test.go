package tabular

import (
	"strings"
	"testing"
)

// TestCSVUnderscoreIsText checks that a cell with an underscore between
// digits ("1_000", "0x_1p0") is text, as pandas reads it, not a number as
// strconv.ParseFloat would read it.
func TestCSVUnderscoreIsText(t *testing.T) {
	for _, cell := range []string{"1_000", "0x_1p0", "0x1_0p0", "-1_5"} {
		if v, kind := classifyCell(cell); kind != cellText {
			t.Errorf("classifyCell(%q) = %v, kind %d; want text", cell, v, kind)
		}
	}
	tab, err := NewCSVReader(strings.NewReader("a,b\nx,0x_1p0\ny,0x_2p0\n")).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tab.Features {
		if c.Name == "b" && c.Kind != Categorical {
			t.Errorf("column b of 0x_1p0, 0x_2p0 is %v, want Categorical", c.Kind)
		}
	}
}
