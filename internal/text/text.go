// Package text holds the rules by which the module's messages and reports
// shorten text, so that the engine, the command and the server cut names
// alike.
package text

import "unicode/utf8"

// Cut returns s when it has at most n characters (runes), and otherwise its
// first n characters followed by "..."; it never cuts a character in two.
func Cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "..."
}
