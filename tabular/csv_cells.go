package tabular

import (
	"fmt"
	"math"

	"github.com/mlpkit/mlp"
	"strconv"
	"strings"
)

// isDefaultNA reports whether cell is one of the texts every reader takes
// for a missing cell: pandas' default markers (pandas 1.5.3's
// STR_NA_VALUES), matched exactly, case included.
func isDefaultNA(cell string) bool {
	if len(cell) > 8 {
		return false
	}
	switch cell {
	case "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
		"<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null":
		return true
	}
	return false
}

// defaultNA lists the markers of isDefaultNA, for messages and documents.
var defaultNA = []string{"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
	"<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null"}

// isMissing reports whether cell (trimmed) is a missing-value marker: one
// of the defaults or of extra.
func isMissing(cell string, extra []string) bool {
	if isDefaultNA(cell) {
		return true
	}
	for _, m := range extra {
		if m == cell {
			return true
		}
	}
	return false
}

// trimCell returns cell without surrounding spaces, as strings.TrimSpace
// does, with a fast path for the usual cell that has none.
func trimCell(cell string) string {
	if cell == "" {
		return cell
	}
	if first, last := cell[0], cell[len(cell)-1]; first > ' ' && first < 0x80 && last > ' ' && last < 0x80 {
		return cell
	}
	return strings.TrimSpace(cell)
}

// cellKind is what the text of a non-missing cell is, as pandas' CSV
// parser (pandas 1.5.3, C engine, default settings) reads it.
type cellKind uint8

const (
	cellInt     cellKind = iota // an integer within int64: [sign] digits
	cellFloat                   // another decimal number, finite
	cellUint                    // an integer in (2^63-1, 2^64)
	cellHugeInt                 // an integer of 2^64 or more
	cellNegInt                  // an integer below -2^63
	cellRange                   // a decimal number pandas finds beyond float64's range
	cellInf                     // inf or infinity, in any case, with a sign or none
	cellBool                    // true or false, in any case
	cellText                    // anything else
)

// parseNumber reads a number cell (trimmed, not a missing marker) as the
// reader reads the cells of a numeric column. Its errors wrap ErrNotNumber
// for text, ErrOutOfRange for a number beyond float64 (1e309), and
// ErrNotFinite for Inf, and quote at most a short prefix of the cell.
func parseNumber(cell string) (float64, error) {
	v, kind := classifyCell(cell)
	switch kind {
	case cellInt, cellFloat, cellUint, cellHugeInt, cellNegInt:
		if !math.IsInf(v, 0) {
			return v, nil
		}
		return 0, numberError(cell, cellRange)
	}
	return 0, numberError(cell, kind)
}

// numberError returns the error of parseNumber for a cell of kind
// cellRange, cellInf, cellBool or cellText.
func numberError(cell string, kind cellKind) error {
	switch kind {
	case cellRange:
		return fmt.Errorf("%w: %s is beyond float64's range (±1.8e308)", ErrOutOfRange, quote(cell))
	case cellInf:
		return fmt.Errorf("%w: %s", ErrNotFinite, quote(cell))
	}
	return fmt.Errorf("%w: %s", ErrNotNumber, quote(cell))
}

// classifyCell says what cell (trimmed, not a missing marker) is, as
// pandas reads it, and its value: the number (the nearest float64 for an
// integer beyond int64; ±Inf for cellInf and cellRange), 1 or 0 for a
// boolean, 0 for text.
//
// A number is [sign] digits [. digits] [e [sign] digits], at least one
// digit before the exponent and at most 17 in the exponent, as pandas'
// parser reads it: "1.", ".5", "1e5" are numbers; "0x10", "1_000", "1d5",
// "1e", "nan(0)" and "Infinity1" are text. A number is out of range where
// pandas' parser finds it so (its exponent, counted from the first 17
// digits, is above 308, or the value overflows): "1e309", "0e999". It
// allocates nothing for decimal numbers within int64 or of up to 22
// decimals, and for text.
func classifyCell(cell string) (float64, cellKind) {
	if v, isInt, ok := shortDecimal(cell); ok {
		if isInt {
			return v, cellInt
		}
		return v, cellFloat
	}
	body, neg := cell, false
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body, neg = body[1:], body[0] == '-'
	}
	switch {
	case body == "":
		return 0, cellText
	case allDigits(body):
		return bigInteger(cell, body, neg)
	case decimalSyntax(body):
		if pandasOverflow(body) {
			return signedInf(neg), cellRange
		}
		v, err := strconv.ParseFloat(cell, 64)
		if err != nil {
			// Only a range error is possible for this syntax.
			return signedInf(neg), cellRange
		}
		return v, cellFloat
	case strings.EqualFold(body, "inf") || strings.EqualFold(body, "infinity"):
		return signedInf(neg), cellInf
	case len(body) != len(cell):
	case strings.EqualFold(cell, "true"):
		return 1, cellBool
	case strings.EqualFold(cell, "false"):
		return 0, cellBool
	}
	return 0, cellText
}

// bigInteger classifies an integer cell, [sign] digits, that shortDecimal
// did not read: body is its digits and neg its sign.
func bigInteger(cell, body string, neg bool) (float64, cellKind) {
	v, err := strconv.ParseFloat(cell, 64)
	if err != nil {
		v = signedInf(neg)
	}
	if _, err := strconv.ParseInt(cell, 10, 64); err == nil {
		return v, cellInt
	}
	switch {
	case neg:
		return v, cellNegInt
	case len(strings.TrimLeft(body, "0")) <= 20:
		if _, err := strconv.ParseUint(body, 10, 64); err == nil {
			return v, cellUint
		}
	}
	return v, cellHugeInt
}

// signedInf returns -Inf if neg, else +Inf.
func signedInf(neg bool) float64 {
	if neg {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

// pandasOverflow reports whether pandas' parser (precise_xstrtod) finds
// the decimal number s (unsigned, of decimalSyntax or all digits) out of
// range: it reads at most 17 digits, counts the integer digits beyond
// them in the exponent and the decimals within them against it, and
// refuses an exponent above 308 whatever the digits.
func pandasOverflow(s string) bool {
	const maxDigits = 17
	digits, exp := 0, 0
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if digits < maxDigits {
			digits++
		} else {
			exp++
		}
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if digits < maxDigits {
				digits++
				exp--
			}
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		neg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			neg = s[i] == '-'
			i++
		}
		n := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			n = min(n*10+int(s[i]-'0'), 1<<40)
		}
		if neg {
			exp -= n
		} else {
			exp += n
		}
	}
	return exp > 308
}

// shortDecimal reads s when it is [sign] digits [. digits] with at least
// one digit, no exponent and a value m·10^-k with m < 2^53 and k ≤ 22, the
// usual cell: then m and 10^k are exact float64 values and one division
// rounds as strconv.ParseFloat does. isInt reports that s has no point. It
// reports false for any other text, which ParseFloat must read.
func shortDecimal(s string) (v float64, isInt, ok bool) {
	i, neg := 0, false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		i, neg = 1, s[0] == '-'
	}
	var m uint64
	k, digits := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		m, digits = m*10+uint64(s[i]-'0'), digits+1
		if m >= 1<<53 {
			return 0, false, false
		}
	}
	isInt = true
	if i < len(s) && s[i] == '.' {
		isInt = false
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			m, digits, k = m*10+uint64(s[i]-'0'), digits+1, k+1
			if m >= 1<<53 || k > 22 {
				return 0, false, false
			}
		}
	}
	if digits == 0 || i != len(s) {
		return 0, false, false
	}
	v = float64(m) / pow10[k]
	if neg {
		v = -v
	}
	return v, isInt, true
}

// pow10 holds the powers of ten that are exact float64 values.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// decimalSyntax reports whether s is digits [. digits] [e [sign] digits]
// with at least one digit before the exponent and at most 17 in it, the
// syntax of pandas' parser.
func decimalSyntax(s string) bool {
	i, digits := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start || i-start > 17 {
			return false
		}
	}
	return i == len(s)
}

// exactInteger reports whether the decimal text s ([sign] digits [.
// digits] [e [sign] digits]) denotes an integer exactly: "3", "3.0",
// "-2.50e1" do, "0.99999999999999999" and "1e-400" do not. Other syntax
// (hexadecimal, "Inf") does not.
func exactInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	mant, exp, hasExp := s, "", false
	if k := strings.IndexAny(s, "eE"); k >= 0 {
		mant, exp, hasExp = s[:k], s[k+1:], true
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return false
	}
	e := 0
	if hasExp {
		neg := false
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			neg, exp = exp[0] == '-', exp[1:]
		}
		if exp == "" || !allDigits(exp) {
			return false
		}
		for _, ch := range exp {
			e = min(e*10+int(ch-'0'), 1<<20)
		}
		if neg {
			e = -e
		}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return true // zero
	}
	digits = strings.TrimRight(intPart+frac, "0")
	// The value is 0.digits × 10^(len(intPart)+e) before trimming leading
	// zeros; it is an integer when no significant digit lies after the
	// point.
	return len(digits) <= len(intPart)+e
}

// allDigits reports whether s holds only ASCII digits ("" does).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// quote returns s quoted for a message, cut to its first maxQuoted bytes
// (then marked "…") so that an error never carries a whole huge cell.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("… (%d bytes)", len(s))
}

// maxQuoted is the most bytes of a cell an error message quotes.
const maxQuoted = 40

// isRuneStart reports whether b is the first byte of a UTF-8 encoding.
func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// listNames returns names quoted and joined by ", ", at most 20 of them.
func listNames(names []string) string {
	const most = 20
	var b strings.Builder
	for i, n := range names {
		if i == most {
			fmt.Fprintf(&b, ", … (%d columns)", len(names))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(n))
	}
	return b.String()
}

// maxListed is the most names a message lists before "and N more".
const maxListed = 20

// listSome returns names quoted and joined by ", ", at most maxListed of
// them, then "and N more".
func listSome(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i == maxListed {
			fmt.Fprintf(&b, " and %d more", len(names)-maxListed)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(n))
	}
	return b.String()
}

// missingColumns returns an error wrapping mlp.ErrData that names every
// column of want that is not among have (names trimmed of spaces), as
// absentList does, and lists have, described by whose ("the header"). It
// returns nil when none is missing.
func missingColumns(want, have []string, whose string) error {
	set := make(map[string]struct{}, len(have))
	for _, h := range have {
		set[trimName(h)] = struct{}{}
	}
	list, n := absentList(want, func(name string) bool { _, ok := set[name]; return ok })
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%w: no %s; %s has %s", mlp.ErrData, list, whose, listNames(have))
}

// absentList names the columns of want for which has is false: `column
// "a"` for one, `columns "a", "b" (2 of the 5 needed)` for several (at
// most maxListed, then how many more); n counts them.
func absentList(want []string, has func(string) bool) (list string, n int) {
	var absent []string
	for _, w := range want {
		if !has(w) {
			absent = append(absent, w)
		}
	}
	switch len(absent) {
	case 0:
		return "", 0
	case 1:
		return "column " + quote(absent[0]), 1
	}
	return fmt.Sprintf("columns %s (%d of the %d needed)", listSome(absent), len(absent), len(want)), len(absent)
}
