package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/text"
)

// The report counts characters, not bytes: a confusion matrix of
// non-ASCII class names that fits in the width is printed in full, and a
// long name in the summary is cut between characters.
func TestReportWidthsCountCharacters(t *testing.T) {
	// Six names of 10 characters (30 bytes each): each line is
	// 10 + 6·11 = 76 characters but 216 bytes.
	var names []string
	for _, r := range "ネコイヌトリウ" {
		names = append(names, strings.Repeat(string(r), 10))
	}
	names = names[:6]
	pred, labels := []int{0, 1, 2, 3, 4, 5}, []int{0, 1, 2, 3, 4, 4}
	cm, err := mlp.NewConfusionMatrix(pred, labels, names)
	if err != nil {
		t.Fatal(err)
	}
	if got := confusionString(cm, 80); got != cm.String() {
		t.Errorf("a 76-character matrix is summarized at width 80:\n%s", got)
	}
	long := strings.Repeat("é", 40)
	if got, want := text.Cut(long, 30), strings.Repeat("é", 30)+"..."; got != want || !utf8.ValidString(got) {
		t.Errorf("text.Cut = %q, want %q", got, want)
	}
}
