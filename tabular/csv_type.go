package tabular

// colType follows, cell by cell, how pandas' CSV parser (pandas 1.5.3, C
// engine, default settings) types a column: it tries int64, then (when the
// first cell int64 refuses is an integer beyond it) uint64, then float64,
// then bool, and otherwise keeps the texts (object). Which reading wins
// depends on the first cell, in file order, that a reading refuses, so
// the state is a handful of flags updated once a cell.
type colType struct {
	intFail  uint8 // the first cell int64 refuses: failNone, failOverflow or failInvalid
	uintFail uint8 // after an int64 overflow, the first cell uint64 refuses
	seenNeg  bool  // a cell starting with '-' (uint64 notes it and reads on)
	seenNA   bool  // a missing cell
	seenUint bool  // an integer in (2^63-1, 2^64)
	notFloat bool  // a cell the float64 reading refuses
	notBool  bool  // a cell that is not true or false
	number   bool  // a cell that is a number (of any range)
	text     bool  // a cell that is text or a boolean
}

// Failures of a reading of colType.
const (
	failNone = iota
	failOverflow
	failInvalid
)

// The kinds colType.kind gives.
const (
	typeNumber = iota // int64, uint64 or float64
	typeBool
	typeText
)

// note updates the state with a non-missing cell of kind k; neg says that
// the cell starts with '-'.
func (ct *colType) note(k cellKind, neg bool) {
	if k == cellInt {
		ct.number, ct.notBool = true, true
		ct.seenNeg = ct.seenNeg || neg
		return
	}
	ct.seenNeg = ct.seenNeg || neg
	switch k {
	case cellUint, cellHugeInt, cellNegInt:
		ct.number, ct.notBool = true, true
		ct.seenUint = ct.seenUint || k == cellUint
		if ct.intFail == failNone {
			ct.intFail = failOverflow
		}
		if ct.intFail == failOverflow && ct.uintFail == failNone && k == cellHugeInt {
			ct.uintFail = failOverflow
		}
		return
	case cellFloat, cellRange, cellInf:
		ct.number, ct.notBool = true, true
	case cellBool:
		ct.text, ct.notFloat = true, true
	default:
		ct.text, ct.notFloat, ct.notBool = true, true, true
	}
	if ct.intFail == failNone {
		ct.intFail = failInvalid
	}
	if ct.intFail == failOverflow && ct.uintFail == failNone && !neg {
		ct.uintFail = failInvalid
	}
}

// floatPath reports whether pandas reads the column as float64 or
// beyond, its integer readings having failed on a cell that is not an
// integer.
func (ct *colType) floatPath() bool {
	return ct.intFail == failInvalid || ct.intFail == failOverflow && ct.uintFail == failInvalid
}

// kind returns the kind pandas gives the column, and whether pandas keeps
// its missing markers as text (a quirk of its uint64 reading: integers
// above 2^63-1 together with missing cells or negative numbers).
func (ct *colType) kind() (kind int, naText bool) {
	if ct.intFail == failOverflow {
		switch ct.uintFail {
		case failNone:
			switch {
			case ct.seenUint && (ct.seenNeg || ct.seenNA):
				return typeText, true
			case ct.seenNeg:
				return typeText, false
			}
			return typeNumber, false
		case failOverflow:
			return typeText, false
		}
	}
	switch {
	case ct.intFail == failNone || !ct.notFloat:
		return typeNumber, false
	case !ct.notBool:
		return typeBool, false
	}
	return typeText, false
}
