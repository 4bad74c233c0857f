package mlpserve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// oipSpec is testdata/oip/schemas.json: the components.schemas and paths of
// the Open Inference Protocol's OpenAPI file.
type oipSpec struct {
	Schemas map[string]any                        `json:"schemas"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"` // path -> method or "parameters" -> value
}

// oipOperation is an operation of the specification's paths.
type oipOperation struct {
	Responses map[string]struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

func readSpec(t testing.TB) *oipSpec {
	t.Helper()
	b, err := os.ReadFile("testdata/oip/schemas.json")
	if err != nil {
		t.Fatal(err)
	}
	var s oipSpec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// validate checks v, as encoding/json decodes into an any, against the
// schema: the subset of JSON Schema the specification uses ($ref, type,
// properties, required, items, anyOf, additionalProperties).
func (s *oipSpec) validate(schema map[string]any, v any, at string) error {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		sub, ok := s.Schemas[name].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: unknown schema %s", at, ref)
		}
		return s.validate(sub, v, at)
	}
	if alts, ok := schema["anyOf"].([]any); ok {
		for _, alt := range alts {
			if s.validate(alt.(map[string]any), v, at) == nil {
				return nil
			}
		}
		return fmt.Errorf("%s: %v matches none of anyOf", at, v)
	}
	switch typ, _ := schema["type"].(string); typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %v is not an object", at, v)
		}
		for _, r := range asSlice(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				return fmt.Errorf("%s: no required field %q", at, r)
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, fv := range obj {
			if ps, ok := props[k].(map[string]any); ok {
				if err := s.validate(ps, fv, at+"."+k); err != nil {
					return err
				}
			} else if ap, ok := schema["additionalProperties"].(map[string]any); ok {
				if err := s.validate(ap, fv, at+"."+k); err != nil {
					return err
				}
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %v is not an array", at, v)
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, e := range arr {
				if err := s.validate(items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s: %v is not a string", at, v)
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != math.Trunc(f) {
			return fmt.Errorf("%s: %v is not an integer", at, v)
		}
	case "number":
		if _, ok := v.(float64); !ok {
			return fmt.Errorf("%s: %v is not a number", at, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %v is not a boolean", at, v)
		}
	}
	return nil
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// responseSchema returns the schema the specification gives the answer of
// method on path with status code, or nil when it gives none. Paths are
// matched against the specification's templates, with the version part
// optional as the specification says.
func (s *oipSpec) responseSchema(t *testing.T, method, path string, code int) map[string]any {
	t.Helper()
	for tmpl, ops := range s.Paths {
		re := regexp.QuoteMeta(tmpl)
		re = strings.ReplaceAll(re, `\$\{MODEL_NAME\}`, `[^/]+`)
		re = strings.ReplaceAll(re, `/versions/\$\{MODEL_VERSION\}`, `(/versions/[^/]+)?`)
		re = "^" + strings.TrimSuffix(re, "/") + "/?$"
		if !regexp.MustCompile(re).MatchString(path) {
			continue
		}
		raw, ok := ops[strings.ToLower(method)]
		if !ok {
			return nil
		}
		var op oipOperation
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatal(err)
		}
		r, ok := op.Responses[fmt.Sprint(code)]
		if !ok {
			return nil
		}
		return r.Content["application/json"].Schema
	}
	t.Fatalf("%s %s: no such path in the specification", method, path)
	return nil
}

// v2Handler serves the test pipeline under the name "kinds", version "3",
// and a fake regressor of two targets as "fake".
func v2Handler(t testing.TB, s *Settings) *Handler {
	t.Helper()
	h, err := NewModelsHandler([]NamedModel{
		{Name: "kinds", Version: "3", Model: testPipeline(t, false)},
		{Name: "fake", Model: &fake{targets: []string{"y", "z"}}},
	}, s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestV2Paths checks every path of the Open Inference Protocol, with and
// without a version, and their errors, against the specification's schemas
// (where it gives one) and the fields it requires.
func TestV2Paths(t *testing.T) {
	spec := readSpec(t)
	h := v2Handler(t, nil)
	infer := `{"id": "a1", "inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [2]}, {"name": "city", "shape": [1], "datatype": "BYTES", "data": ["Lyon"]}]}`
	for _, tc := range []struct {
		method, path, body string
		code               int
		want               string // a regular expression the answer matches
	}{
		{"GET", "/v2", "", 200, `^\{"name":"mlp","version":"[^"]+","extensions":\[\]\}$`},
		{"GET", "/v2/", "", 200, `^\{"name":"mlp","version":"[^"]+","extensions":\[\]\}$`},
		{"HEAD", "/v2", "", 200, ``},
		{"GET", "/v2/health/live", "", 200, `^\{"live":true\}$`},
		{"GET", "/v2/health/ready", "", 200, `^\{"ready":true\}$`},
		{"GET", "/v2/models/kinds", "", 200, `^\{"name":"kinds","versions":\["3"\],"platform":"mlp_pipeline","inputs":\[\{"name":"a","datatype":"FP64","shape":\[-1\]\},.*\{"name":"city","datatype":"BYTES","shape":\[-1\]\}\],"outputs":\[\{"name":"kind","datatype":"BYTES","shape":\[-1\]\},\{"name":"probabilities","datatype":"FP64","shape":\[-1,3\]\}\]\}$`},
		{"GET", "/v2/models/kinds/versions/3", "", 200, `^\{"name":"kinds","versions":\["3"\]`},
		{"GET", "/v2/models/fake", "", 200, `^\{"name":"fake","platform":"mlp_pipeline",.*"outputs":\[\{"name":"y","datatype":"FP64","shape":\[-1\]\},\{"name":"z","datatype":"FP64","shape":\[-1\]\}\]\}$`},
		{"GET", "/v2/models/kinds/ready", "", 200, `^\{"name":"kinds","ready":true\}$`},
		{"GET", "/v2/models/kinds/versions/3/ready", "", 200, `^\{"name":"kinds","ready":true\}$`},
		{"POST", "/v2/models/fake/infer", infer, 200, `^\{"model_name":"fake","id":"a1","outputs":\[\{"name":"y","datatype":"FP64","shape":\[1\],"data":\[2\]\},\{"name":"z","datatype":"FP64","shape":\[1\],"data":\[2.25\]\}\]\}$`},
		{"POST", "/v2/models/fake/infer", strings.Replace(infer, `"id": "a1", `, "", 1), 200, `^\{"model_name":"fake","outputs":`},

		{"GET", "/v2/models/nosuch", "", 404, `no model named \\"nosuch\\"; the models are \\"kinds\\", \\"fake\\"`},
		{"GET", "/v2/models/nosuch/ready", "", 404, `no model named`},
		{"POST", "/v2/models/nosuch/infer", infer, 404, `no model named`},
		{"GET", "/v2/models/kinds/versions/4", "", 404, `model \\"kinds\\" has no version \\"4\\"; its version is \\"3\\"`},
		{"POST", "/v2/models/fake/versions/1/infer", infer, 404, `it has no versions`},
		{"GET", "/v2/models/kinds/metadata", "", 404, `no such path`},
		{"GET", "/v2/models/", "", 404, `empty`},
		{"GET", "/v2/models", "", 404, `no such path`},
		{"GET", "/v2/models/kinds/versions//ready", "", 404, `empty`},
		{"GET", "/v2/healthz", "", 404, `no such path`},
		{"POST", "/v2/models/kinds", "", 405, `use GET`},
		{"POST", "/v2/health/live", "", 405, `use GET`},
		{"POST", "/v2", "", 405, `use GET`},
		{"GET", "/v2/models/kinds/infer", "", 405, `use POST`},
		{"POST", "/v2/models/fake/infer", `{"inputs": []}`, 400, `\\"inputs\\" is empty`},
	} {
		t.Run(tc.method+" "+tc.path+" "+fmt.Sprint(tc.code), func(t *testing.T) {
			code, got, hd := do(h, tc.method, tc.path, strings.NewReader(tc.body))
			got = strings.TrimSpace(got)
			if code != tc.code || !regexp.MustCompile(tc.want).MatchString(got) {
				t.Fatalf("got %d %s\nwant %d matching %s", code, got, tc.code, tc.want)
			}
			if tc.method == "HEAD" {
				return
			}
			if ct := hd.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var v any
			if err := json.Unmarshal([]byte(got), &v); err != nil {
				t.Fatalf("answer is not JSON: %v", err)
			}
			if code != 200 {
				if err := spec.validate(spec.Schemas["inference_error_response"].(map[string]any), v, "error"); err != nil || v.(map[string]any)["error"] == nil {
					t.Errorf("error answer %s: %v", got, err)
				}
				if code == 405 && hd.Get("Allow") == "" {
					t.Error("405 without an Allow header")
				}
				return
			}
			if schema := spec.responseSchema(t, tc.method, tc.path, code); schema != nil {
				if err := spec.validate(schema, v, "answer"); err != nil {
					t.Errorf("%s: %v", got, err)
				}
			}
		})
	}
}

// TestV2SpecExample sends the specification's own example request (an
// input0 of shape [2, 2] and an input1 of shape [3] holding one BOOL): it is
// inconsistent, and answered 400. The same request filled in for the test
// pipeline (one input per column, of the datatypes a client would send) is
// answered 200 with the output asked for, the id echoed, as the schema
// says, and the prediction of the same rows through PredictMaps bit for
// bit.
func TestV2SpecExample(t *testing.T) {
	spec := readSpec(t)
	examples := spec.Schemas["inference_request"].(map[string]any)["x-examples"].(map[string]any)
	example, err := json.Marshal(examples["Example 1"])
	if err != nil {
		t.Fatal(err)
	}
	var ex any
	json.Unmarshal(example, &ex)
	if err := spec.validate(spec.Schemas["inference_request"].(map[string]any), ex, "request"); err != nil {
		t.Fatalf("the example does not fit the schema: %v", err)
	}
	h := v2Handler(t, nil)
	code, got, _ := do(h, "POST", "/v2/models/kinds/infer", bytes.NewReader(example))
	if code != 400 || !strings.Contains(got, `input \"input1\": shape [3] does not fit its data of 1 elements`) {
		t.Errorf("the specification's example: got %d %s, want 400 naming input1", code, got)
	}

	p := testPipeline(t, false)
	var pool []map[string]any // rows without nulls, which the specification's data cannot hold
	for _, r := range rowPool(7) {
		if r["city"] != nil && r["d"] != nil {
			pool = append(pool, r)
		}
	}
	if len(pool) != 6 {
		t.Fatalf("%d rows without nulls", len(pool))
	}
	col := func(name string, conv func(any) any) []any {
		var d []any
		for _, r := range pool {
			d = append(d, conv(r[name]))
		}
		return d
	}
	same := func(v any) any { return v }
	req := map[string]any{
		"id": "42",
		"inputs": []any{
			map[string]any{"name": "a", "shape": []int{6}, "datatype": "FP64", "data": col("a", same)},
			map[string]any{"name": "b", "shape": []int{6, 1}, "datatype": "FP64", "data": col("b", same)},
			map[string]any{"name": "c", "shape": []int{6}, "datatype": "FP64", "data": col("c", same)},
			map[string]any{"name": "d", "shape": []int{6}, "datatype": "FP64", "data": col("d", same), "parameters": map[string]any{"content_type": "np"}},
			map[string]any{"name": "city", "shape": []int{6}, "datatype": "BYTES", "data": col("city", same)},
		},
		"outputs":    []any{map[string]any{"name": "kind"}},
		"parameters": map[string]any{"content_type": "pd"},
	}
	body, _ := json.Marshal(req)
	var rq any
	json.Unmarshal(body, &rq)
	if err := spec.validate(spec.Schemas["inference_request"].(map[string]any), rq, "request"); err != nil {
		t.Fatalf("the request does not fit the schema: %v", err)
	}
	want, err := p.PredictMaps(pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, outputs := range [][]string{{"kind"}, {"probabilities"}, nil} {
		if outputs == nil {
			delete(req, "outputs")
		} else {
			req["outputs"] = []any{map[string]any{"name": outputs[0]}}
		}
		body, _ := json.Marshal(req)
		code, got, _ := do(h, "POST", "/v2/models/kinds/versions/3/infer", bytes.NewReader(body))
		if code != 200 {
			t.Fatalf("outputs %v: got %d %s", outputs, code, got)
		}
		var v any
		json.Unmarshal([]byte(got), &v)
		if err := spec.validate(spec.Schemas["inference_response"].(map[string]any), v, "answer"); err != nil {
			t.Errorf("%s: %v", got, err)
		}
		var resp struct {
			ModelName    string `json:"model_name"`
			ModelVersion string `json:"model_version"`
			ID           string
			Outputs      []struct {
				Name, Datatype string
				Shape          []int
				Data           []any
			}
		}
		if err := json.Unmarshal([]byte(got), &resp); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, o := range resp.Outputs {
			names = append(names, o.Name)
			switch o.Name {
			case "kind":
				if o.Datatype != "BYTES" || !slices.Equal(o.Shape, []int{6}) || fmt.Sprint(o.Data) != fmt.Sprint(want.Labels) {
					t.Errorf("kind: %+v, want labels %v", o, want.Labels)
				}
			case "probabilities":
				if o.Datatype != "FP64" || !slices.Equal(o.Shape, []int{6, 3}) || len(o.Data) != 18 {
					t.Fatalf("probabilities: %+v", o)
				}
				for k, x := range o.Data {
					if w := want.Proba.At(k/3, k%3); math.Float64bits(x.(float64)) != math.Float64bits(w) {
						t.Errorf("probability %d: %v, want %v", k, x, w)
					}
				}
			}
		}
		wantNames := outputs
		if outputs == nil {
			wantNames = []string{"kind", "probabilities"}
		}
		if resp.ModelName != "kinds" || resp.ModelVersion != "3" || resp.ID != "42" || !slices.Equal(names, wantNames) {
			t.Errorf("outputs %v: answer %s", outputs, got)
		}
	}
}

// TestV2InputForms checks that a column's input of shape [N] or [N, 1],
// flat or nested, of FP64, FP32 or INT64 data, and for a pipeline whose
// columns are all numeric one [N, columns] tensor named "input", give the
// answers of the same rows on /predict.
func TestV2InputForms(t *testing.T) {
	h, err := NewModelsHandler([]NamedModel{{Name: "iris", Model: loadIris(t)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := `{"rows": [{"sepal_length": 5, "sepal_width": 3.5, "petal_length": 1.25, "petal_width": 0.5}, {"sepal_length": 7, "sepal_width": 3, "petal_length": 5.5, "petal_width": 2}]}`
	code, pred, _ := do(h, "POST", "/predict", strings.NewReader(rows))
	if code != 200 {
		t.Fatal(pred)
	}
	var legacy struct {
		Predictions   []string
		Probabilities [][]float64
	}
	json.Unmarshal([]byte(pred), &legacy)
	columns := func(shape, dt, a, b, c, d string) string {
		return `{"inputs": [` +
			`{"name": "sepal_length", "shape": ` + shape + `, "datatype": "` + dt + `", "data": ` + a + `},` +
			`{"name": "sepal_width", "shape": ` + shape + `, "datatype": "FP64", "data": ` + b + `},` +
			`{"name": "petal_length", "shape": ` + shape + `, "datatype": "FP64", "data": ` + c + `},` +
			`{"name": "petal_width", "shape": ` + shape + `, "datatype": "FP64", "data": ` + d + `}]}`
	}
	for _, tc := range []struct{ name, body string }{
		{"[N]", columns("[2]", "FP64", "[5, 7]", "[3.5, 3]", "[1.25, 5.5]", "[0.5, 2]")},
		{"[N, 1] nested", columns("[2, 1]", "FP64", "[[5], [7]]", "[[3.5], [3]]", "[[1.25], [5.5]]", "[[0.5], [2]]")},
		{"[N, 1] flat", columns("[2, 1]", "FP64", "[5, 7]", "[3.5, 3]", "[1.25, 5.5]", "[0.5, 2]")},
		{"INT64", columns("[2]", "INT64", "[5, 7]", "[3.5, 3]", "[1.25, 5.5]", "[0.5, 2]")},
		{"FP32", columns("[2]", "FP32", "[5, 7]", "[3.5, 3]", "[1.25, 5.5]", "[0.5, 2]")},
		{"tensor nested", `{"inputs": [{"name": "input", "shape": [2, 4], "datatype": "FP64", "data": [[5, 3.5, 1.25, 0.5], [7, 3, 5.5, 2]]}]}`},
		{"tensor flat", `{"inputs": [{"name": "input", "shape": [2, 4], "datatype": "FP32", "data": [5, 3.5, 1.25, 0.5, 7, 3, 5.5, 2]}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, got, _ := do(h, "POST", "/v2/models/iris/infer", strings.NewReader(tc.body))
			if code != 200 {
				t.Fatalf("got %d %s", code, got)
			}
			var resp struct {
				Outputs []struct{ Data []any }
			}
			json.Unmarshal([]byte(got), &resp)
			var proba []float64
			for _, row := range legacy.Probabilities {
				proba = append(proba, row...)
			}
			if len(resp.Outputs) != 2 || fmt.Sprint(resp.Outputs[0].Data) != fmt.Sprint(legacy.Predictions) ||
				fmt.Sprint(resp.Outputs[1].Data) != fmt.Sprint(proba) {
				t.Errorf("got %s\nwant the answer of /predict %s", got, pred)
			}
		})
	}
}

// TestV2FP32 checks that FP32 data are rounded to float32: 0.1 as FP32
// predicts as float64(float32(0.1)) does.
func TestV2FP32(t *testing.T) {
	h := v2Handler(t, nil)
	body := func(dt, x string) string {
		return `{"inputs": [{"name": "x", "shape": [1], "datatype": "` + dt + `", "data": [` + x + `]}, {"name": "city", "shape": [1], "datatype": "BYTES", "data": ["a"]}]}`
	}
	want := fmt.Sprint(float64(float32(0.1)))
	for _, tc := range []struct{ dt, x, want string }{
		{"FP32", "0.1", want},
		{"FP64", fmt.Sprint(float64(float32(0.1))), want},
		{"FP64", "0.1", "0.1"},
	} {
		code, got, _ := do(h, "POST", "/v2/models/fake/infer", strings.NewReader(body(tc.dt, tc.x)))
		if code != 200 || !strings.Contains(got, `"name":"y","datatype":"FP64","shape":[1],"data":[`+tc.want+`]`) {
			t.Errorf("%s %s: got %d %s, want y = %s", tc.dt, tc.x, code, got, tc.want)
		}
	}
}

// TestV2InferErrors checks the answers to inference requests that are
// wrong: 400 (or 413) with a message naming the input, or the row and the
// column.
func TestV2InferErrors(t *testing.T) {
	h := v2Handler(t, &Settings{MaxRows: 3, MaxBodyBytes: 1000})
	x := `{"name": "x", "shape": [1], "datatype": "FP64", "data": [1]}`
	city := `{"name": "city", "shape": [1], "datatype": "BYTES", "data": ["a"]}`
	with := func(inputs ...string) string { return `{"inputs": [` + strings.Join(inputs, ", ") + `]}` }
	for _, tc := range []struct {
		name, body string
		code       int
		want       string
	}{
		{"empty body", ``, 400, "the body ends early"},
		{"malformed", `{"inputs": [}`, 400, "malformed JSON"},
		{"not an object", `[1]`, 400, "the body is not an object"},
		{"no inputs", `{"id": "1"}`, 400, `no field "inputs"`},
		{"inputs not an array", `{"inputs": {}}`, 400, `"inputs" is not an array`},
		{"inputs twice", `{"inputs": [], "inputs": []}`, 400, `field "inputs" appears twice`},
		{"id not a string", `{"id": 42, "inputs": [` + x + `]}`, 400, `"id" is not a string`},
		{"parameters not an object", `{"parameters": [], "inputs": [` + x + `]}`, 400, `"parameters" is not an object`},
		{"trailing data", with(x, city) + ` {}`, 400, "data after the closing brace"},
		{"no name", with(`{"shape": [1], "datatype": "FP64", "data": [1]}`, city), 400, `inputs[0] has no field "name"`},
		{"no shape", with(`{"name": "x", "datatype": "FP64", "data": [1]}`, city), 400, `input "x" has no field "shape"`},
		{"no datatype", with(`{"name": "x", "shape": [1], "data": [1]}`, city), 400, `input "x" has no field "datatype"`},
		{"no data", with(`{"name": "x", "shape": [1], "datatype": "FP64"}`, city), 400, `input "x" has no field "data"`},
		{"name not a string", with(`{"name": 1, "shape": [1], "datatype": "FP64", "data": [1]}`, city), 400, `"name" is not a string`},
		{"negative shape", with(`{"name": "x", "shape": [-1], "datatype": "FP64", "data": [1]}`, city), 400, `"shape" holds -1`},
		{"shape of a string", with(`{"name": "x", "shape": ["1"], "datatype": "FP64", "data": [1]}`, city), 400, `"shape" holds 1, not a number`},
		{"empty shape", with(`{"name": "x", "shape": [], "datatype": "FP64", "data": [1]}`, city), 400, `shape [] does not fit its data of 1 elements`},
		{"shape and data differ", with(`{"name": "x", "shape": [2], "datatype": "FP64", "data": [1]}`, city), 400, `input "x": shape [2] does not fit its data of 1 elements`},
		{"unknown datatype", with(`{"name": "x", "shape": [1], "datatype": "FLOAT", "data": [1]}`, city), 400, `input "x": unknown datatype "FLOAT"`},
		{"BOOL", with(`{"name": "x", "shape": [1], "datatype": "BOOL", "data": [true]}`, city), 400, `input "x": datatype BOOL is not taken`},
		{"FP16", with(`{"name": "x", "shape": [1], "datatype": "FP16", "data": [1]}`, city), 400, `datatype FP16 is not taken`},
		{"BYTES of numbers", with(x, `{"name": "city", "shape": [1], "datatype": "BYTES", "data": [1]}`), 400, `input "city": datatype BYTES holds numbers`},
		{"FP64 of strings", with(`{"name": "x", "shape": [1], "datatype": "FP64", "data": ["1"]}`, city), 400, `datatype FP64 holds strings`},
		{"mixed data", with(`{"name": "x", "shape": [2], "datatype": "FP64", "data": [1, "2"]}`, city), 400, `input "x": element 1 is a string among numbers`},
		{"object in data", with(`{"name": "x", "shape": [1], "datatype": "FP64", "data": [{}]}`, city), 400, `element 0 is an object`},
		{"number beyond float64", with(`{"name": "x", "shape": [1], "datatype": "FP64", "data": [1e400]}`, city), 400, `input "x": element 0: the number 1e400 is beyond the range of float64`},
		{"beyond FP32", with(`{"name": "x", "shape": [1], "datatype": "FP32", "data": [1e39]}`, city), 400, `input "x": element 0: 1e+39 is beyond the range of FP32`},
		{"fraction in INT32", with(`{"name": "x", "shape": [1], "datatype": "INT32", "data": [1.5]}`, city), 400, `input "x": element 0: 1.5 is not a value of INT32`},
		{"UINT8 over", with(`{"name": "x", "shape": [1], "datatype": "UINT8", "data": [256]}`, city), 400, `256 is not a value of UINT8`},
		{"UINT8 negative", with(`{"name": "x", "shape": [1], "datatype": "UINT8", "data": [-1]}`, city), 400, `-1 is not a value of UINT8`},
		{"unknown input", with(x, city, `{"name": "colour", "shape": [1], "datatype": "BYTES", "data": ["red"]}`), 400, `unknown input "colour": the inputs are the columns "x", "city"`},
		{"repeated input", with(x, city, x), 400, `input "x" appears twice`},
		{"missing column", with(x), 400, `no input for column "city"`},
		{"rows differ", with(x, `{"name": "city", "shape": [2], "datatype": "BYTES", "data": ["a", "b"]}`), 400, `input "city" has 2 rows, input "x" has 1`},
		{"column of two", with(`{"name": "x", "shape": [1, 2], "datatype": "FP64", "data": [1, 2]}`, city), 400, `input "x": shape [1 2]: a column's input has shape [N] or [N, 1]`},
		{"no rows", with(`{"name": "x", "shape": [0], "datatype": "FP64", "data": []}`, `{"name": "city", "shape": [0], "datatype": "BYTES", "data": []}`), 400, "no rows"},
		{"too many rows", with(`{"name": "x", "shape": [4], "datatype": "FP64", "data": [1, 2, 3, 4]}`, `{"name": "city", "shape": [4], "datatype": "BYTES", "data": ["a", "b", "c", "d"]}`), 400, "too many rows: at most 3"},
		{"too many elements", with(`{"name": "x", "data": [1, 2, 3, 4, 5, 6, 7], "shape": [7], "datatype": "FP64"}`), 400, `input "x": too many elements: at most 6`},
		{"shape too large", with(`{"name": "x", "shape": [7], "datatype": "FP64", "data": [1, 2, 3, 4, 5, 6, 7]}`), 400, `input "x": shape too large: at most 6 elements`},
		{"number not a category", with(x, `{"name": "city", "shape": [1], "datatype": "INT64", "data": [2116]}`), 400, `row 0, column "city": the number 2116 is not one of the column's categories`},
		{"unknown output", `{"inputs": [` + x + `, ` + city + `], "outputs": [{"name": "w"}]}`, 400, `unknown output "w"; the outputs are "y", "z"`},
		{"output without name", `{"inputs": [` + x + `, ` + city + `], "outputs": [{}]}`, 400, `outputs[0] has no "name"`},
		{"model refuses", with(`{"name": "x", "shape": [1], "datatype": "BYTES", "data": ["one"]}`, city), 400, `row 0, column "x": not a number`},
		{"too large", with(x, `{"name": "city", "shape": [1], "datatype": "BYTES", "data": ["`+strings.Repeat("a", 1000)+`"]}`), 413, "over 1000 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, got, _ := do(h, "POST", "/v2/models/fake/infer", strings.NewReader(tc.body))
			var e struct{ Error string }
			if err := json.Unmarshal([]byte(got), &e); err != nil {
				t.Fatalf("answer is not JSON: %q", got)
			}
			if code != tc.code || !strings.Contains(e.Error, tc.want) {
				t.Errorf("got %d %q\nwant %d and %q", code, e.Error, tc.code, tc.want)
			}
		})
	}
}

// TestV2Missing checks that null data elements are missing values, as
// null is on /predict.
func TestV2Missing(t *testing.T) {
	h := v2Handler(t, nil)
	code, got, _ := do(h, "POST", "/v2/models/kinds/infer", strings.NewReader(`{"inputs": [
		{"name": "a", "shape": [2], "datatype": "FP64", "data": [null, 1]},
		{"name": "b", "shape": [2], "datatype": "FP64", "data": [1, 2]},
		{"name": "c", "shape": [2], "datatype": "FP64", "data": [1, 2]},
		{"name": "d", "shape": [2], "datatype": "FP64", "data": [1, null]},
		{"name": "city", "shape": [2], "datatype": "BYTES", "data": [null, "Lyon"]}]}`))
	_, want, _ := do(h, "POST", "/predict", strings.NewReader(`{"rows": [{"a": null, "b": 1, "c": 1, "d": 1, "city": null}, {"a": 1, "b": 2, "c": 2, "d": null, "city": "Lyon"}]}`))
	var v2 struct{ Outputs []struct{ Data []any } }
	var legacy struct {
		Predictions   []string
		Probabilities [][]float64
	}
	json.Unmarshal([]byte(got), &v2)
	json.Unmarshal([]byte(want), &legacy)
	if code != 200 || len(v2.Outputs) != 2 || fmt.Sprint(v2.Outputs[0].Data) != fmt.Sprint(legacy.Predictions) ||
		v2.Outputs[1].Data[3].(float64) != legacy.Probabilities[1][0] {
		t.Errorf("got %d %s\nwant the answer of %s", code, got, want)
	}
}

// loadIris reads testdata/iris.mlp, a classifier of four numeric columns.
func loadIris(t testing.TB) Model {
	t.Helper()
	f, err := os.Open("testdata/iris.mlp")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := tabular.LoadPipeline(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
