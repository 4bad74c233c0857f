package tabular

import "testing"

// TestTextCategory checks that a cell given to predict finds the category
// the reader named it by: a boolean in any case as True or False, a
// number by its shortest form, other text as it is.
func TestTextCategory(t *testing.T) {
	pc := prepColumn{kind: Categorical, categories: []string{"1", "1.50", "2.5", "False", "True", "x"}}
	pc.index = indexOf(pc.categories)
	for _, tc := range []struct {
		cell string
		want float64
	}{
		{"x", 5}, {"true", 4}, {"TRUE", 4}, {"fAlSe", 3}, {"1.0", 0}, {"+1", 0}, {"1.50", 1}, {"2.50", 2}, {"1.5", -1}, {"X", -1}, {"inf", -1},
	} {
		if got := pc.textCategory(tc.cell); got != tc.want {
			t.Errorf("textCategory(%q) = %v, want %v", tc.cell, got, tc.want)
		}
	}
}
