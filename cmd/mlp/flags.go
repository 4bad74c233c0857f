package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// listFlag is a flag.Value holding comma-separated names, such as
// -categorical a,b. Repeating the flag adds to the list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			*l = append(*l, f)
		}
	}
	return nil
}

// repeatedFlag is a flag.Value collecting every occurrence of a flag, such
// as -target a -target b, each taken whole.
type repeatedFlag []string

func (r *repeatedFlag) String() string { return strings.Join(*r, ",") }

func (r *repeatedFlag) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("empty column name")
	}
	*r = append(*r, s)
	return nil
}

// widthsFlag is a flag.Value holding comma-separated positive layer widths
// such as 64,32; "" means no hidden layer. set reports whether the flag was
// given.
type widthsFlag struct {
	widths []int
	set    bool
}

func (w *widthsFlag) String() string {
	if w == nil {
		return ""
	}
	s := make([]string, len(w.widths))
	for i, v := range w.widths {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func (w *widthsFlag) Set(s string) error {
	w.widths, w.set = nil, true
	if strings.TrimSpace(s) == "" {
		return nil
	}
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("width %q is not a positive integer", strings.TrimSpace(f))
		}
		w.widths = append(w.widths, n)
	}
	return nil
}

// sepFlag is a flag.Value holding a one-character field delimiter; "\t"
// and "tab" mean a tab.
type sepFlag rune

func (s *sepFlag) String() string { return string(rune(*s)) }

func (s *sepFlag) Set(v string) error {
	if v == `\t` || v == "tab" {
		*s = '\t'
		return nil
	}
	r, n := utf8.DecodeRuneInString(v)
	if n == 0 || n != len(v) || r == utf8.RuneError {
		return fmt.Errorf("want one character, such as ';' or '\\t'")
	}
	switch r {
	case '"', '\r', '\n':
		return fmt.Errorf("%q cannot separate fields", r)
	}
	*s = sepFlag(r)
	return nil
}
