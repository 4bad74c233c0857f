package tabular

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// defaultNA are the texts every reader takes for a missing cell.
var defaultNA = []string{"", "NA", "N/A", "NaN", "nan", "null"}

// isMissing reports whether cell (trimmed) is a missing-value marker: one
// of defaultNA or of extra.
func isMissing(cell string, extra []string) bool {
	// Every default marker is at most 4 bytes; most cells are not.
	if len(cell) <= 4 && slices.Contains(defaultNA, cell) {
		return true
	}
	return len(extra) > 0 && slices.Contains(extra, cell)
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

// parseNumber reads a number cell (trimmed, not a missing marker). Its
// errors wrap ErrNotNumber for text, ErrOutOfRange for a number beyond
// float64 (1e309), and ErrNotFinite for Inf or NaN, and quote at most a
// short prefix of the cell.
func parseNumber(cell string) (float64, error) {
	v, kind := scanNumber(cell)
	if kind == numFinite {
		return v, nil
	}
	return 0, numberError(cell, kind)
}

// numberError returns the error of parseNumber for a cell that scanNumber
// says is kind, other than numFinite.
func numberError(cell string, kind int) error {
	switch kind {
	case numRange:
		return fmt.Errorf("%w: %s is beyond float64's range (±1.8e308)", ErrOutOfRange, quote(cell))
	case numNotFinite:
		return fmt.Errorf("%w: %s", ErrNotFinite, quote(cell))
	}
	return fmt.Errorf("%w: %s", ErrNotNumber, quote(cell))
}

// What a cell's text is, for scanNumber.
const (
	numFinite    = iota // a finite number
	numText             // not a number
	numRange            // a number beyond float64's range
	numNotFinite        // Inf or NaN
)

// scanNumber reads cell as strconv.ParseFloat does and says what it is,
// except that a cell with an underscore ("1_000", "0x_1p0") is text, as
// pandas reads it: ParseFloat accepts underscores in hexadecimal literals. It
// allocates nothing for decimal numbers and for text that does not start
// like a number, so that a column of text costs no parse errors.
func scanNumber(cell string) (float64, int) {
	if v, ok := shortDecimal(cell); ok {
		return v, numFinite
	}
	body := cell
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	switch {
	case body == "":
		return 0, numText
	case decimalSyntax(body):
	case len(body) > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') && !strings.Contains(body, "_"):
	case strings.EqualFold(body, "inf") || strings.EqualFold(body, "infinity") || strings.EqualFold(body, "nan"):
		return 0, numNotFinite
	default:
		return 0, numText
	}
	v, err := strconv.ParseFloat(cell, 64)
	switch {
	case err == nil:
		return v, numFinite
	case err.(*strconv.NumError).Err == strconv.ErrRange:
		return 0, numRange
	}
	return 0, numText
}

// shortDecimal reads s when it is [sign] digits [. digits] with at least
// one digit, no exponent and a value m·10^-k with m < 2^53 and k ≤ 22, the
// usual cell: then m and 10^k are exact float64 values and one division
// rounds as strconv.ParseFloat does. It reports false for any other text,
// which ParseFloat must read.
func shortDecimal(s string) (float64, bool) {
	i, neg := 0, false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		i, neg = 1, s[0] == '-'
	}
	var m uint64
	k, digits := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		m, digits = m*10+uint64(s[i]-'0'), digits+1
		if m >= 1<<53 {
			return 0, false
		}
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			m, digits, k = m*10+uint64(s[i]-'0'), digits+1, k+1
			if m >= 1<<53 || k > 22 {
				return 0, false
			}
		}
	}
	if digits == 0 || i != len(s) {
		return 0, false
	}
	v := float64(m) / pow10[k]
	if neg {
		v = -v
	}
	return v, true
}

// pow10 holds the powers of ten that are exact float64 values.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// decimalSyntax reports whether s is digits [. digits] [e [sign] digits]
// with at least one digit before the exponent.
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
		if i == start {
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
