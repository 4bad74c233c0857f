package mlpserve

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// inferRequest is a decoded inference request.
type inferRequest struct {
	id      string
	hasID   bool
	inputs  []*tensorIn
	outputs []string
}

// Kinds of tensor data elements.
const (
	noKind = iota // no element yet, or only nulls
	numberKind
	stringKind
	boolKind
)

// tensorIn is a decoded input: its data are numbers in nums or strings in
// strs (by kind), with null elements marked in null.
type tensorIn struct {
	name, datatype string
	shape          []int
	has            map[string]bool
	kind           int
	n              int // elements
	nums           []float64
	strs           []string
	null           []bool // nil when there is no null
}

// label names t in messages.
func (t *tensorIn) label(i int) string {
	if t.name != "" {
		return fmt.Sprintf("input %q", t.name)
	}
	return fmt.Sprintf("inputs[%d]", i)
}

// decodeInfer reads an inference request from body as a stream, refusing
// more than maxRows·columns elements in one input as soon as they are read.
func (sv *served) decodeInfer(body io.Reader, maxRows int) (*inferRequest, error) {
	dec := json.NewDecoder(body)
	dec.UseNumber()
	if err := expectDelim(dec, '{', "the body"); err != nil {
		return nil, err
	}
	limit := maxRows * max(len(sv.cols), 1)
	req := &inferRequest{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err, "the body")
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, badRequest("field %q appears twice in the body", key)
		}
		seen[key] = true
		switch key {
		case "id":
			tok, err := dec.Token()
			if err != nil {
				return nil, jsonError(err, `"id"`)
			}
			id, ok := tok.(string)
			if !ok {
				return nil, badRequest(`"id" is not a string`)
			}
			req.id, req.hasID = id, true
		case "parameters":
			if err := skipObject(dec, `"parameters"`); err != nil {
				return nil, err
			}
		case "inputs":
			if err := expectDelim(dec, '[', `"inputs"`); err != nil {
				return nil, err
			}
			for dec.More() {
				t, err := decodeTensor(dec, len(req.inputs), limit)
				if err != nil {
					return nil, err
				}
				req.inputs = append(req.inputs, t)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonError(err, `"inputs"`)
			}
		case "outputs":
			if err := expectDelim(dec, '[', `"outputs"`); err != nil {
				return nil, err
			}
			for dec.More() {
				name, err := decodeRequestOutput(dec, len(req.outputs))
				if err != nil {
					return nil, err
				}
				req.outputs = append(req.outputs, name)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonError(err, `"outputs"`)
			}
		default:
			tok, err := dec.Token()
			if err == nil {
				err = skipValue(dec, tok)
			}
			if err != nil {
				return nil, jsonError(err, fmt.Sprintf("field %q", key))
			}
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, jsonError(err, "the body")
	}
	if err := expectEnd(dec); err != nil {
		return nil, err
	}
	if !seen["inputs"] {
		return nil, badRequest(`the body has no field "inputs": send {"inputs": [{"name": "<column>", "shape": [N], "datatype": "FP64", "data": [...]}, ...]}`)
	}
	if len(req.inputs) == 0 {
		return nil, badRequest(`"inputs" is empty`)
	}
	return req, nil
}

// skipObject reads an object, what, from dec, or returns an error when the
// next value is not one.
func skipObject(dec *json.Decoder, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err, what)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return badRequest("%s is not an object", what)
	}
	if err := skipValue(dec, tok); err != nil {
		return jsonError(err, what)
	}
	return nil
}

// decodeRequestOutput reads outputs[i], {"name": "...", "parameters":
// {...}}, and returns its name.
func decodeRequestOutput(dec *json.Decoder, i int) (string, error) {
	what := fmt.Sprintf("outputs[%d]", i)
	if err := expectDelim(dec, '{', what); err != nil {
		return "", err
	}
	name, hasName := "", false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", jsonError(err, what)
		}
		key, _ := tok.(string)
		if key == "parameters" {
			if err := skipObject(dec, what+".parameters"); err != nil {
				return "", err
			}
			continue
		}
		if tok, err = dec.Token(); err != nil {
			return "", jsonError(err, what)
		}
		if key != "name" {
			if err := skipValue(dec, tok); err != nil {
				return "", jsonError(err, what)
			}
			continue
		}
		if name, hasName = tok.(string); !hasName {
			return "", badRequest("%s: \"name\" is not a string", what)
		}
	}
	if _, err := dec.Token(); err != nil {
		return "", jsonError(err, what)
	}
	if !hasName {
		return "", badRequest("%s has no \"name\"", what)
	}
	return name, nil
}

// decodeTensor reads inputs[i] from dec, refusing more than limit data
// elements.
func decodeTensor(dec *json.Decoder, i, limit int) (*tensorIn, error) {
	t := &tensorIn{has: map[string]bool{}}
	if err := expectDelim(dec, '{', fmt.Sprintf("inputs[%d]", i)); err != nil {
		return nil, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err, t.label(i))
		}
		key, _ := tok.(string)
		if t.has[key] {
			return nil, badRequest("%s: field %q appears twice", t.label(i), key)
		}
		t.has[key] = true
		switch key {
		case "data":
			if err := t.decodeData(dec, i, limit); err != nil {
				return nil, err
			}
			continue
		case "parameters":
			if err := skipObject(dec, t.label(i)+".parameters"); err != nil {
				return nil, err
			}
			continue
		case "shape":
			if err := t.decodeShape(dec, i, limit); err != nil {
				return nil, err
			}
			continue
		}
		if tok, err = dec.Token(); err != nil {
			return nil, jsonError(err, t.label(i))
		}
		switch key {
		case "name", "datatype":
			s, ok := tok.(string)
			if !ok {
				return nil, badRequest("%s: %q is not a string", t.label(i), key)
			}
			if key == "name" {
				t.name = s
			} else {
				t.datatype = s
			}
		default:
			if err := skipValue(dec, tok); err != nil {
				return nil, jsonError(err, t.label(i))
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(err, t.label(i))
	}
	for _, f := range []string{"name", "shape", "datatype", "data"} {
		if !t.has[f] {
			return nil, badRequest("%s has no field %q", t.label(i), f)
		}
	}
	return t, nil
}

// decodeShape reads the "shape" of inputs[i]: an array of non-negative
// integers, none over limit.
func (t *tensorIn) decodeShape(dec *json.Decoder, i, limit int) error {
	if err := expectDelim(dec, '[', t.label(i)+".shape"); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err, t.label(i)+".shape")
		}
		num, ok := tok.(json.Number)
		if !ok {
			return badRequest("%s: \"shape\" holds %v, not a number", t.label(i), tok)
		}
		d, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil || d < 0 {
			return badRequest("%s: \"shape\" holds %s, not a non-negative integer", t.label(i), num)
		}
		if d > int64(limit) || len(t.shape) > 8 {
			return badRequest("%s: shape too large: at most %d elements per input", t.label(i), limit)
		}
		t.shape = append(t.shape, int(d))
	}
	if _, err := dec.Token(); err != nil {
		return jsonError(err, t.label(i)+".shape")
	}
	return nil
}

// decodeData reads the "data" of inputs[i], flat or nested, refusing more
// than limit elements.
func (t *tensorIn) decodeData(dec *json.Decoder, i, limit int) error {
	what := t.label(i) + ".data"
	if err := expectDelim(dec, '[', what); err != nil {
		return err
	}
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err, what)
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '[':
				depth++
			case ']':
				depth--
			default:
				return badRequest("%s: element %d is an object", t.label(i), t.n)
			}
			continue
		}
		if t.n == limit {
			return badRequest("%s: too many elements: at most %d per input", t.label(i), limit)
		}
		switch v := tok.(type) {
		case nil:
			if t.null == nil {
				t.null = make([]bool, t.n, t.n+1)
			}
			switch t.kind {
			case numberKind, boolKind:
				t.nums = append(t.nums, math.NaN())
			case stringKind:
				t.strs = append(t.strs, "")
			}
		case json.Number:
			if err := t.setKind(numberKind, i); err != nil {
				return err
			}
			x, err := strconv.ParseFloat(string(v), 64)
			if err != nil {
				return badRequest("%s: element %d: the number %s is beyond the range of float64", t.label(i), t.n, v)
			}
			t.nums = append(t.nums, x)
		case string:
			if err := t.setKind(stringKind, i); err != nil {
				return err
			}
			t.strs = append(t.strs, v)
		case bool:
			if err := t.setKind(boolKind, i); err != nil {
				return err
			}
			x := 0.0
			if v {
				x = 1
			}
			t.nums = append(t.nums, x)
		}
		if t.null != nil {
			t.null = append(t.null, tok == nil)
		}
		t.n++
	}
	return nil
}

// setKind sets the kind of t's data to k, filling in the nulls before the
// first element, or returns an error when t's elements are of another kind.
func (t *tensorIn) setKind(k, i int) error {
	if t.kind == k {
		return nil
	}
	if t.kind != noKind {
		return badRequest("%s: element %d is %s among %s", t.label(i), t.n, kindName(k), kindPlural(t.kind))
	}
	t.kind = k
	switch k {
	case numberKind, boolKind:
		t.nums = make([]float64, t.n, max(t.n, 8))
		for j := range t.nums {
			t.nums[j] = math.NaN()
		}
	case stringKind:
		t.strs = make([]string, t.n, max(t.n, 8))
	}
	return nil
}

func kindName(k int) string {
	switch k {
	case numberKind:
		return "a number"
	case stringKind:
		return "a string"
	case boolKind:
		return "a boolean"
	}
	return "null"
}

func kindPlural(k int) string {
	switch k {
	case numberKind:
		return "numbers"
	case stringKind:
		return "strings"
	case boolKind:
		return "booleans"
	}
	return "nulls"
}

// Tensor datatypes of the Open Inference Protocol, and the range of the
// integer ones.
var datatypes = map[string][2]float64{
	"BOOL": {}, "BYTES": {}, "FP16": {}, "FP32": {}, "FP64": {},
	"INT8": {math.MinInt8, math.MaxInt8}, "INT16": {math.MinInt16, math.MaxInt16},
	"INT32": {math.MinInt32, math.MaxInt32}, "INT64": {math.MinInt64, math.MaxInt64},
	"UINT8": {0, math.MaxUint8}, "UINT16": {0, math.MaxUint16},
	"UINT32": {0, math.MaxUint32}, "UINT64": {0, math.MaxUint64},
}

// check checks t's shape against its data, and its datatype against its
// data, rounding FP32 data to float32.
func (t *tensorIn) check(i int) error {
	count := 1
	for _, d := range t.shape {
		count *= d // each d is at most limit, and a product over it is refused below
		if count > t.n {
			break
		}
	}
	if len(t.shape) == 0 || count != t.n {
		return badRequest("%s: shape %v does not fit its data of %d elements", t.label(i), t.shape, t.n)
	}
	rng, ok := datatypes[t.datatype]
	if !ok {
		return badRequest("%s: unknown datatype %q", t.label(i), t.datatype)
	}
	switch t.datatype {
	case "BOOL", "FP16":
		return badRequest("%s: datatype %s is not taken: send numbers as FP64, FP32, INT* or UINT*, and categories as BYTES", t.label(i), t.datatype)
	case "BYTES":
		if t.kind != stringKind && t.kind != noKind {
			return badRequest("%s: datatype BYTES holds %s; want strings", t.label(i), kindPlural(t.kind))
		}
		return nil
	}
	if t.kind != numberKind && t.kind != noKind {
		return badRequest("%s: datatype %s holds %s; want numbers", t.label(i), t.datatype, kindPlural(t.kind))
	}
	for k, x := range t.nums {
		if math.IsNaN(x) { // null
			continue
		}
		switch t.datatype {
		case "FP64":
		case "FP32":
			y := float64(float32(x))
			if math.IsInf(y, 0) {
				return badRequest("%s: element %d: %v is beyond the range of FP32", t.label(i), k, x)
			}
			t.nums[k] = y
		default:
			if x != math.Trunc(x) || x < rng[0] || x > rng[1] {
				return badRequest("%s: element %d: %v is not a value of %s", t.label(i), k, x, t.datatype)
			}
		}
	}
	return nil
}

// inferRows returns the rows of req, checked against sv's columns.
func (sv *served) inferRows(req *inferRequest, maxRows int) (*batch, error) {
	for i, t := range req.inputs {
		if err := t.check(i); err != nil {
			return nil, err
		}
	}
	if t := req.inputs[0]; len(req.inputs) == 1 && t.name == TensorInput && sv.numeric {
		if _, isColumn := sv.known[TensorInput]; !isColumn {
			return sv.tensorRows(t, maxRows)
		}
	}
	byCol := make([]*tensorIn, len(sv.cols))
	n, from := -1, ""
	for i, t := range req.inputs {
		k, ok := sv.known[t.name]
		if !ok {
			hint := ""
			if sv.numeric {
				hint = fmt.Sprintf(", or one input %q of shape [N, %d]", TensorInput, len(sv.cols))
			}
			return nil, badRequest("unknown input %q: the inputs are the columns %s%s", t.name, sv.names, hint)
		}
		for _, u := range req.inputs[:i] {
			if u.name == t.name {
				return nil, badRequest("input %q appears twice", t.name)
			}
		}
		if len(t.shape) > 2 || (len(t.shape) == 2 && t.shape[1] != 1) {
			return nil, badRequest("input %q: shape %v: a column's input has shape [N] or [N, 1]", t.name, t.shape)
		}
		if n >= 0 && t.shape[0] != n {
			return nil, badRequest("input %q has %d rows, input %q has %d", t.name, t.shape[0], from, n)
		}
		n, from = t.shape[0], t.name
		if !sv.isTarget(k) {
			byCol[k] = t
		}
	}
	for j, t := range byCol {
		if t == nil {
			return nil, badRequest("no input for column %q; the inputs are the columns %s", sv.cols[j].Name, sv.names)
		}
	}
	if err := checkRows(n, maxRows); err != nil {
		return nil, err
	}
	rows := newBatch(len(sv.cols))
	for i := range n {
		rows.addRow()
		for j, t := range byCol {
			v, err := sv.elementValue(j, t, i)
			if err != nil {
				return nil, badRequest("row %d, column %q: %v", i, sv.cols[j].Name, err)
			}
			sv.set(rows, i, j, v)
		}
	}
	return rows, nil
}

// checkRows returns an error unless 1 ≤ n ≤ maxRows.
func checkRows(n, maxRows int) error {
	switch {
	case n == 0:
		return badRequest("no rows: the inputs hold no data")
	case n > maxRows:
		return badRequest("too many rows: at most %d per request", maxRows)
	}
	return nil
}

// tensorRows returns the rows of t, of shape [N, columns], for a pipeline
// whose columns are all numeric.
func (sv *served) tensorRows(t *tensorIn, maxRows int) (*batch, error) {
	nc := len(sv.cols)
	if len(t.shape) != 2 || t.shape[1] != nc {
		return nil, badRequest("input %q: shape %v; want [N, %d], one column per input column %s", t.name, t.shape, nc, sv.names)
	}
	if t.kind == stringKind {
		return nil, badRequest("input %q holds strings; want numbers", t.name)
	}
	n := t.shape[0]
	if err := checkRows(n, maxRows); err != nil {
		return nil, err
	}
	rows := &batch{cols: nc, n: n, vals: t.nums}
	if t.kind == noKind { // all null
		rows.vals = make([]float64, n*nc)
		for k := range rows.vals {
			rows.vals[k] = math.NaN()
		}
	}
	return rows, nil
}

// elementValue returns element i of t as the value of column j, as
// cellValue does for /predict.
func (sv *served) elementValue(j int, t *tensorIn, i int) (any, error) {
	if t.kind == noKind || (t.null != nil && t.null[i]) {
		return nil, nil
	}
	if t.kind == stringKind {
		s := t.strs[i]
		if c, ok := sv.cats[j][s]; ok {
			return c, nil
		}
		return s, nil
	}
	x := t.nums[i]
	if sv.cats[j] != nil {
		return sv.category(j, x, numberText(x))
	}
	return x, nil
}
