package mlpserve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/mlpkit/mlp/tabular"
)

// Platform is the "platform" of the Open Inference Protocol's model
// metadata for a served pipeline.
const Platform = "mlp_pipeline"

// ProbabilitiesOutput is the name of a classifier's output of per-class
// probabilities on the Open Inference Protocol.
const ProbabilitiesOutput = "probabilities"

// TensorInput is the name of the one [N, columns] input a pipeline whose
// columns are all numeric also takes on the Open Inference Protocol, as
// mlp export names its ONNX input.
const TensorInput = "input"

// TensorMetadata describes an input or output of a model, as the Open
// Inference Protocol's model metadata lists them.
type TensorMetadata struct {
	Name     string `json:"name"`
	Datatype string `json:"datatype"`
	// Shape holds -1 for the batch dimension.
	Shape []int `json:"shape"`
}

// ModelMetadata is the answer of GET /v2/models/{name}.
type ModelMetadata struct {
	Name     string           `json:"name"`
	Versions []string         `json:"versions,omitempty"`
	Platform string           `json:"platform"`
	Inputs   []TensorMetadata `json:"inputs"`
	Outputs  []TensorMetadata `json:"outputs"`
}

// modelMetadata returns the Open Inference Protocol metadata of sv.
func (sv *served) modelMetadata() *ModelMetadata {
	m := &ModelMetadata{Name: sv.name, Platform: Platform}
	if sv.version != "" {
		m.Versions = []string{sv.version}
	}
	for _, c := range sv.cols {
		dt := "FP64"
		if c.Kind == tabular.Categorical {
			dt = "BYTES"
		}
		m.Inputs = append(m.Inputs, TensorMetadata{Name: c.Name, Datatype: dt, Shape: []int{-1}})
	}
	if sv.classes != nil {
		m.Outputs = append(m.Outputs,
			TensorMetadata{Name: sv.targets[0], Datatype: "BYTES", Shape: []int{-1}},
			TensorMetadata{Name: ProbabilitiesOutput, Datatype: "FP64", Shape: []int{-1, len(sv.classes)}})
	} else {
		for _, t := range sv.targets {
			m.Outputs = append(m.Outputs, TensorMetadata{Name: t, Datatype: "FP64", Shape: []int{-1}})
		}
	}
	return m
}

// serverMetadata returns the answer of GET /v2.
func serverMetadata(name, version string) []byte {
	if name == "" {
		name = "mlp"
	}
	if version == "" {
		version = moduleVersion()
	}
	b, _ := json.Marshal(struct {
		Name       string   `json:"name"`
		Version    string   `json:"version"`
		Extensions []string `json:"extensions"`
	}{name, version, []string{}})
	return append(b, '\n')
}

// moduleVersion returns the version of module github.com/mlpkit/mlp in the
// build information, or "devel".
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if bi.Main.Path == "github.com/mlpkit/mlp" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/mlpkit/mlp" {
			return d.Version
		}
	}
	return "devel"
}

// routeV2 answers the paths under /v2.
func (h *Handler) routeV2(w http.ResponseWriter, r *http.Request, ev *Event) {
	path := r.URL.Path
	switch path {
	case "/v2", "/v2/":
		ev.Route = "/v2"
		if isGet(w, r) {
			writeJSON(w, http.StatusOK, h.serverMeta)
		}
		return
	case "/v2/health/live":
		ev.Route = path
		if isGet(w, r) {
			writeJSON(w, http.StatusOK, []byte("{\"live\":true}\n"))
		}
		return
	case "/v2/health/ready":
		ev.Route = path
		h.health(w, r, []byte("{\"ready\":true}\n"), []byte("{\"ready\":false}\n"))
		return
	}
	ev.Route = "other"
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/v2/models/")
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such path %q under /v2", path))
		return
	}
	seg := strings.Split(rest, "/")
	for i, s := range seg {
		u, err := url.PathUnescape(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("path %q: %v", path, err))
			return
		}
		seg[i] = u
	}
	name, version, action := seg[0], "", ""
	route := "/v2/models/{name}"
	switch {
	case len(seg) == 1:
	case len(seg) == 2:
		action = seg[1]
	case len(seg) == 3 && seg[1] == "versions":
		version = seg[2]
		route += "/versions/{version}"
	case len(seg) == 4 && seg[1] == "versions":
		version, action = seg[2], seg[3]
		route += "/versions/{version}"
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such path %q under /v2/models", path))
		return
	}
	if action != "" && action != "ready" && action != "infer" {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such path %q: after the model come /ready and /infer", path))
		return
	}
	if action != "" {
		route += "/" + action
	}
	ev.Route = route
	if name == "" || (len(seg) >= 3 && version == "") {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such path %q: a model name or version is empty", path))
		return
	}
	sv, ok := h.models.Load().byName[name]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no model named %q; the models are %s", name, quoteList(h.Models())))
		return
	}
	ev.Model = sv.name
	if version != "" && version != sv.version {
		msg := fmt.Sprintf("model %q has no version %q", name, version)
		if sv.version != "" {
			msg += fmt.Sprintf("; its version is %q", sv.version)
		} else {
			msg += ": it has no versions"
		}
		writeError(w, http.StatusNotFound, msg)
		return
	}
	switch action {
	case "":
		if isGet(w, r) {
			writeJSON(w, http.StatusOK, sv.v2meta)
		}
	case "ready":
		if !isGet(w, r) {
			return
		}
		ready := h.Ready()
		b, _ := json.Marshal(struct {
			Name  string `json:"name"`
			Ready bool   `json:"ready"`
		}{sv.name, ready})
		status := http.StatusOK
		if !ready {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, append(b, '\n'))
	case "infer":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		h.infer(w, r, sv, ev)
	}
}

// quoteList returns the names quoted and joined with ", ".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// infer answers POST /v2/models/{name}/infer for sv.
func (h *Handler) infer(w http.ResponseWriter, r *http.Request, sv *served, ev *Event) {
	req, err := sv.decodeInfer(h.body(w, r), h.maxRows)
	if err != nil {
		writeRequestError(w, err)
		return
	}
	rows, err := sv.inferRows(req, h.maxRows)
	if err != nil {
		writeRequestError(w, err)
		return
	}
	req.inputs = nil // the rows hold what is needed
	outs, err := sv.selectOutputs(req.outputs)
	if err != nil {
		writeRequestError(w, err)
		return
	}
	ev.Rows = rows.n
	if !h.acquire(r) {
		writeError(w, http.StatusServiceUnavailable, "the request was cancelled while waiting for its turn")
		return
	}
	pred, err := sv.predict(rows)
	h.release()
	if err != nil {
		status, err := predictStatus(err)
		writeError(w, status, err.Error())
		return
	}
	bp := h.pool.Get().(*[]byte)
	buf, err := sv.appendInferResponse((*bp)[:0], req, outs, pred, rows.n)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
	} else {
		writeJSON(w, http.StatusOK, buf)
	}
	h.putBuffer(bp, buf)
}

// selectOutputs returns which outputs to answer, in the model's order:
// all of them when names is empty, those named otherwise; or an error
// naming an unknown output.
func (sv *served) selectOutputs(names []string) ([]bool, error) {
	avail := sv.outputNames()
	sel := make([]bool, len(avail))
	if len(names) == 0 {
		for i := range sel {
			sel[i] = true
		}
		return sel, nil
	}
	for _, n := range names {
		k := -1
		for i, a := range avail {
			if a == n {
				k = i
			}
		}
		if k < 0 {
			return nil, badRequest("unknown output %q; the outputs are %s", n, quoteList(avail))
		}
		sel[k] = true
	}
	return sel, nil
}

// outputNames returns the names of sv's outputs on the Open Inference
// Protocol: its target, then "probabilities", for a classifier; its targets
// for a regressor.
func (sv *served) outputNames() []string {
	if sv.classes != nil {
		return []string{sv.targets[0], ProbabilitiesOutput}
	}
	return sv.targets
}

// appendInferResponse appends the inference response for pred, n rows, to
// buf, with the outputs sel selects.
func (sv *served) appendInferResponse(buf []byte, req *inferRequest, sel []bool, pred *tabular.Prediction, n int) ([]byte, error) {
	if err := sv.checkPrediction(pred, n); err != nil {
		return buf, err
	}
	buf = append(buf, `{"model_name":`...)
	buf = append(buf, quote(sv.name)...)
	if sv.version != "" {
		buf = append(buf, `,"model_version":`...)
		buf = append(buf, quote(sv.version)...)
	}
	if req.hasID {
		buf = append(buf, `,"id":`...)
		buf = append(buf, quote(req.id)...)
	}
	buf = append(buf, `,"outputs":[`...)
	first := true
	next := func(name, datatype string) {
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, `{"name":`...)
		buf = append(buf, quote(name)...)
		buf = append(buf, `,"datatype":"`...)
		buf = append(buf, datatype...)
		buf = append(buf, `","shape":[`...)
	}
	var err error
	if sv.classes != nil {
		if sel[0] {
			next(sv.targets[0], "BYTES")
			buf = fmt.Appendf(buf, `%d],"data":[`, n)
			for i, l := range pred.Labels {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, sv.qclasses[l]...)
			}
			buf = append(buf, "]}"...)
		}
		if sel[1] {
			if pred.Proba == nil {
				return buf, fmt.Errorf("prediction failed: no probabilities")
			}
			next(ProbabilitiesOutput, "FP64")
			buf = fmt.Appendf(buf, `%d,%d],"data":[`, n, len(sv.classes))
			for i := range n {
				for j := range sv.classes {
					if i > 0 || j > 0 {
						buf = append(buf, ',')
					}
					if buf, err = appendFloat(buf, pred.Proba.At(i, j)); err != nil {
						return buf, err
					}
				}
			}
			buf = append(buf, "]}"...)
		}
	} else {
		for k, t := range sv.targets {
			if !sel[k] {
				continue
			}
			next(t, "FP64")
			buf = fmt.Appendf(buf, `%d],"data":[`, n)
			for i := range n {
				if i > 0 {
					buf = append(buf, ',')
				}
				if buf, err = appendFloat(buf, pred.Values.At(i, k)); err != nil {
					return buf, err
				}
			}
			buf = append(buf, "]}"...)
		}
	}
	return append(buf, "]}\n"...), nil
}
