package cli

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseWidths(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"", nil, false},
		{" ", nil, false},
		{"16", []int{16}, false},
		{"128, 64,10", []int{128, 64, 10}, false},
		{"0", nil, true},
		{"-3", nil, true},
		{"1.5", nil, true},
		{"8,", nil, true},
		{"a", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseWidths(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("ParseWidths(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// FuzzParseWidths checks that ParseWidths never panics, that the widths it
// accepts are all positive and that they parse back to themselves when
// written out with commas. The seed corpus is testdata/fuzz/FuzzParseWidths
// and the inputs added below.
func FuzzParseWidths(f *testing.F) {
	for _, s := range []string{"", " ", "16", "128, 64,10", "0", "-3", "1.5", "8,", ",", "+7", "007", "9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWidths(s)
		if err != nil {
			if w != nil {
				t.Fatalf("ParseWidths(%q) returned %v with its error %v", s, w, err)
			}
			return
		}
		parts := make([]string, len(w))
		for i, v := range w {
			if v < 1 {
				t.Fatalf("ParseWidths(%q) accepted width %d", s, v)
			}
			parts[i] = strconv.Itoa(v)
		}
		back, err := ParseWidths(strings.Join(parts, ","))
		if err != nil || !slices.Equal(back, w) {
			t.Fatalf("ParseWidths(%q) = %v, which parses back as %v, %v", s, w, back, err)
		}
	})
}
