package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		name, s string
		n       int
		want    string
	}{
		{"short", "abc", 3, "abc"},
		{"ascii", "abcdef", 3, "abc..."},
		{"runes fit", strings.Repeat("é", 30), 30, strings.Repeat("é", 30)},
		{"runes cut", strings.Repeat("é", 40), 30, strings.Repeat("é", 30) + "..."},
		{"wide runes", strings.Repeat("ネ", 41), 40, strings.Repeat("ネ", 40) + "..."},
		{"empty", "", 0, ""},
	} {
		if got := Cut(tc.s, tc.n); got != tc.want || !utf8.ValidString(got) {
			t.Errorf("%s: Cut(%q, %d) = %q, want %q", tc.name, tc.s, tc.n, got, tc.want)
		}
	}
}
