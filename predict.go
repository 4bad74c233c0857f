package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/kernel"
)

// Workspace is the scratch memory of one prediction in progress. Sequential
// takes one from a pool of its own for each call of its prediction methods
// and hands it to every layer's PredictInto (see Predictor); a layer uses it
// through Float64s. The zero value is ready to use. A Workspace is not safe
// for concurrent use: each prediction in progress has its own.
type Workspace struct {
	par     kernel.Group // splits this call's large products between the cores
	scratch []float64    // for the layers, through Float64s

	// The model's buffers: the layers' outputs alternate between a and b;
	// inV, aV and bV are views of the input, a and b.
	a, b        []float64
	inV, aV, bV mat.Dense
}

// Float64s returns n float64s of scratch memory owned by ws, valid until
// the next call of Float64s; their values are unspecified. It allocates
// only when n exceeds every earlier request.
func (ws *Workspace) Float64s(n int) []float64 {
	ws.scratch = grow(ws.scratch, n)
	return ws.scratch
}

// grow returns buf resized to n elements, reallocated only when too small.
func grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}

// view sets v to the r×c matrix of rows i to i+r of g and returns it.
func view(v *mat.Dense, g blas64.General, i, r int) *mat.Dense {
	v.SetRawMatrix(blas64.General{Rows: r, Cols: g.Cols, Stride: g.Stride, Data: g.Data[i*g.Stride : (i+r-1)*g.Stride+g.Cols]})
	return v
}

// dense returns the r×c row-major matrix at the start of data as a General.
func dense(r, c int, data []float64) blas64.General {
	return blas64.General{Rows: r, Cols: c, Stride: c, Data: data[:r*c]}
}

// checkPredictShapes panics with an error wrapping ErrShape unless x has in
// columns (any width when in is 0) and dst has x's rows and out columns
// (x's width when out is 0). It returns the number of rows.
func checkPredictShapes(l Layer, dst, x *mat.Dense, in, out int) int {
	r, c := x.Dims()
	if in != 0 && c != in {
		shapePanic(l.String()+".PredictInto", "input is %dx%d, the layer takes %d columns", r, c, in)
	}
	if out == 0 {
		out = c
	}
	if dr, dc := dst.Dims(); dr != r || dc != out {
		shapePanic(l.String()+".PredictInto", "destination is %dx%d, want %dx%d", dr, dc, r, out)
	}
	return r
}

// Prediction runs at most predictChunk rows through the model at once, and
// fewer when the model is wide, so that each of a workspace's two buffers
// holds at most predictCells float64s (8 MiB) or one row. The layers'
// outputs alternate between the two buffers, so a prediction of r rows
// takes 8·min(r, predictChunk)·(evenW+oddW) bytes of workspace at most: no
// more than the sum of the layers' widths per row.
const (
	predictChunk = 512
	predictCells = 1 << 20
)

// chunkRows returns the number of rows prediction runs through the model
// at once.
func (s *Sequential) chunkRows() int {
	return max(1, min(predictChunk, predictCells/max(s.evenW, s.oddW)))
}

// Predict returns the model's output for the rows of x in a new matrix:
// real values for a regression model, class probabilities for a classifier
// ending in Softmax (PredictProba checks that they are probabilities).
//
// Prediction runs every layer in evaluation mode, whatever the mode of the
// model and its layers (a Dropout is the identity), and neither reads nor
// changes the mode. It returns an error wrapping ErrData if x is nil, has
// no rows, does not have InputSize columns or holds NaN or Inf (naming the
// row and column), or if an output is NaN or Inf although the input is
// finite (naming the row and the layer that overflowed: scale the input);
// and one wrapping ErrSetting if s is nil.
//
// Concurrency: prediction writes nothing the model shares, so any number
// of goroutines may predict with one model at once, through any of the
// prediction methods, each getting the result of a lone call bit for bit.
// Each call takes a workspace of the model's (see Workspace): the model
// keeps one across calls, and calls that run at once take more from a
// sync.Pool, which the garbage collector may empty.
// Layers that do not implement Predictor (a user's own) run through their
// Forward, under a mutex of the model, one call at a time. Prediction must
// not overlap training of the same model (Forward, Backward, Backprop, an
// optimizer step, SetLayer, SetTraining, a Trainer's Fit or Evaluate): a
// prediction that finds the model's Forward, Backward, SetLayer or a
// Trainer's step running panics with an error wrapping ErrMisuse. The check
// is cheap and best-effort: the race detector finds every overlap.
//
// Predict allocates the result (and a copy of x unless x is a *mat.Dense);
// see PredictInto for prediction that allocates nothing.
func (s *Sequential) Predict(x mat.Matrix) (*mat.Dense, error) {
	var dst mat.Dense
	if err := s.PredictInto(&dst, x); err != nil {
		return nil, err
	}
	return &dst, nil
}

// PredictInto writes the model's output for the rows of x into dst, which
// must be empty (it is then sized, allocating) or have x's rows and
// OutputSize columns. dst may be x itself (when the widths agree), but must
// not overlap it otherwise. Errors are those of Predict, and one wrapping
// ErrShape if dst has another shape. With a *mat.Dense x and a dst of the
// right size, PredictInto allocates nothing in steady state: to predict one
// sample held in a []float64 row, view it as a matrix once with
// mat.NewDense(1, len(row), row), or reuse one *mat.Dense through
// SetRawMatrix. It is safe for concurrent use as Predict is.
//
// Predict, PredictProba and PredictClasses are PredictInto with a new
// destination and, for the last two, a check that the model is a
// classifier; all four run the same path.
func (s *Sequential) PredictInto(dst *mat.Dense, x mat.Matrix) error {
	xr, err := s.checkInput(x)
	if err != nil {
		return err
	}
	if dst == nil {
		return fmt.Errorf("%w: PredictInto: nil destination", ErrShape)
	}
	if dst.IsEmpty() {
		dst.ReuseAs(xr.Rows, s.outW)
	}
	if r, c := dst.Dims(); r != xr.Rows || c != s.outW {
		return fmt.Errorf("%w: PredictInto: destination is %dx%d, want %dx%d for %d rows", ErrShape, r, c, xr.Rows, s.outW, xr.Rows)
	}
	return s.predict(dst.RawMatrix(), xr)
}

// errNoModel is the error of prediction with a nil or zero Sequential.
var errNoModel = fmt.Errorf("%w: the model is nil or has no layers; make it with NewSequential", ErrSetting)

// checkInput returns x as a General (a copy unless x is a *mat.Dense), or
// an error unless x has the model's input width, at least one row and only
// finite values.
func (s *Sequential) checkInput(x mat.Matrix) (blas64.General, error) {
	if s == nil || len(s.layers) == 0 {
		return blas64.General{}, errNoModel
	}
	if isNil(x) {
		return blas64.General{}, fmt.Errorf("%w: input is nil", ErrData)
	}
	r, c := x.Dims()
	if c != s.in {
		return blas64.General{}, fmt.Errorf("%w: input has %d columns, the model takes %d", ErrData, c, s.in)
	}
	if r == 0 {
		return blas64.General{}, fmt.Errorf("%w: input has no rows", ErrData)
	}
	xd, ok := x.(*mat.Dense)
	if !ok {
		xd = mat.DenseCopyOf(x)
	}
	xr := xd.RawMatrix()
	return xr, checkFiniteRows(xr, 0)
}

// checkFiniteRows returns an error wrapping ErrData naming the first NaN or
// Inf of g, whose row 0 is row first of the caller's input.
func checkFiniteRows(g blas64.General, first int) error {
	for i := 0; i < g.Rows; i++ {
		row := g.Data[i*g.Stride : i*g.Stride+g.Cols]
		if kernel.AllFinite(row) {
			continue
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: input row %d, column %d is %v", ErrData, first+i, j, v)
			}
		}
	}
	return nil
}

// predict writes the model's output for x, whose values are finite, into
// dst, of x's rows and OutputSize columns, a chunk of rows at a time.
func (s *Sequential) predict(dst, x blas64.General) error {
	s.checkIdle()
	ws := s.workspace()
	defer s.release(ws)
	chunk := s.chunkRows()
	for i := 0; i < x.Rows; i += chunk {
		n := min(chunk, x.Rows-i)
		out, _, err := s.run(view(&ws.inV, x, i, n), ws, false)
		if err != nil {
			return err
		}
		o := out.RawMatrix()
		if !kernel.AllFinite(o.Data) {
			return s.overflowError(x, i, o)
		}
		for k := 0; k < n; k++ {
			copy(dst.Data[(i+k)*dst.Stride:(i+k)*dst.Stride+s.outW], o.Data[k*o.Stride:k*o.Stride+s.outW])
		}
	}
	s.checkIdle()
	return nil
}

// workspace returns a workspace for one prediction: the model's spare one,
// or one from its pool, or a new one.
func (s *Sequential) workspace() *Workspace {
	if ws := s.spare.Swap(nil); ws != nil {
		return ws
	}
	if ws, _ := s.pool.Get().(*Workspace); ws != nil {
		return ws
	}
	return new(Workspace)
}

// release gives back the workspace of a prediction that has ended.
func (s *Sequential) release(ws *Workspace) {
	if !s.spare.CompareAndSwap(nil, ws) {
		s.pool.Put(ws)
	}
}

// checkIdle panics with an error wrapping ErrMisuse if the model is in a
// training call.
func (s *Sequential) checkIdle() {
	if s.busy.Load() != 0 {
		misusePanic("Sequential prediction", "the model is training (Forward, Backward, SetLayer or a Trainer's step) while it predicts; prediction must not overlap training of the same model")
	}
}

// run runs x through every layer in evaluation mode, the outputs
// alternating between ws's two buffers, and returns the last output, owned
// by ws. With check, it stops after the first layer whose output is not
// finite and returns its index as bad (-1 if none).
func (s *Sequential) run(x *mat.Dense, ws *Workspace, check bool) (out *mat.Dense, bad int, err error) {
	n, _ := x.Dims()
	ws.a, ws.b = grow(ws.a, n*s.evenW), grow(ws.b, n*s.oddW)
	cur := x
	for k, l := range s.layers {
		next, buf := &ws.aV, ws.a
		if k%2 == 1 {
			next, buf = &ws.bV, ws.b
		}
		next.SetRawMatrix(dense(n, s.widths[k], buf))
		if p, ok := l.(Predictor); ok {
			p.PredictInto(next, cur, ws)
		} else if err := s.forwardLocked(k, next, cur); err != nil {
			return nil, -1, err
		}
		cur = next
		if check && !kernel.AllFinite(next.RawMatrix().Data) {
			return cur, k, nil
		}
	}
	return cur, -1, nil
}

// forwardLocked runs layer k, which does not implement Predictor, on x
// through its Forward in evaluation mode, under the model's mutex, and
// copies its output into dst.
func (s *Sequential) forwardLocked(k int, dst, x *mat.Dense) error {
	l := s.layers[k]
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := l.(TrainingModer); ok && !s.eval {
		t.SetTraining(false)
		defer t.SetTraining(true)
	}
	out := l.Forward(x)
	if r, c := dst.Dims(); out == nil || !sameDims(out, r, c) {
		return fmt.Errorf("%w: predict: layer %d %v gave a %s output for %d rows, want %dx%d", ErrShape, k, l, dimsOrNil(out), r, r, c)
	}
	dst.Copy(out)
	return nil
}

// sameDims reports whether m is r×c.
func sameDims(m mat.Matrix, r, c int) bool {
	mr, mc := m.Dims()
	return mr == r && mc == c
}

// dimsOrNil returns dimsOf(m), or "nil" for a nil m.
func dimsOrNil(m *mat.Dense) string {
	if m == nil {
		return "nil"
	}
	return dimsOf(m)
}

// overflowError returns the error for a chunk of x starting at row first
// whose output o holds NaN or Inf: it finds the first such row and, running
// that row again layer by layer, the layer whose output overflowed.
func (s *Sequential) overflowError(x blas64.General, first int, o blas64.General) error {
	for k := 0; k < o.Rows; k++ {
		row := o.Data[k*o.Stride : k*o.Stride+o.Cols]
		if kernel.AllFinite(row) {
			continue
		}
		i := first + k
		var ws Workspace
		_, bad, err := s.run(view(&ws.inV, x, i, 1), &ws, true)
		if err != nil {
			return err
		}
		where := "the output"
		if bad >= 0 {
			where = fmt.Sprintf("the output of layer %d %v", bad, s.layers[bad])
		}
		return fmt.Errorf("%w: input row %d is finite but %s is not (NaN or Inf): the input is too large for the model; scale it (StandardScaler)",
			ErrData, i, where)
	}
	return nil
}

// PredictProba returns the class probabilities the model gives for the rows
// of x, in a new matrix: one column per class for a model ending in Softmax
// over several columns, or one column holding P(class 1) for a model ending
// in Sigmoid. Errors are those of Predict, and one wrapping ErrSetting if the
// model does not end in a layer that gives probabilities (see
// ProbabilityOutput: a regression model, or one trained on logits; use
// Predict) or its output cannot express a choice between classes (see
// PredictClasses). PredictProba is safe for concurrent use as Predict is.
func (s *Sequential) PredictProba(x mat.Matrix) (*mat.Dense, error) {
	if s == nil || len(s.layers) == 0 {
		return nil, errNoModel
	}
	if last := s.layers[len(s.layers)-1]; probabilityKind(last) == 0 {
		return nil, fmt.Errorf("%w: PredictProba: the model ends in %v, which does not give probabilities (it does not implement ProbabilityOutput); "+
			"use Predict for real-valued outputs or logits", ErrSetting, last)
	}
	if err := s.checkClassifier("PredictProba"); err != nil {
		return nil, err
	}
	return s.Predict(x)
}

// PredictClasses returns the class the model predicts for each row of x,
// read from its output by Classify, the rule every metric uses: the largest
// column (the first on ties), or with one column, class 1 when the output
// is above 0.5. Errors are those of Predict, and one wrapping ErrSetting if
// the output cannot express a choice between classes under that rule: one
// column that is not a Sigmoid probability (a Softmax over one column is
// always 1; a Linear output is a real value), or more than MaxClasses
// columns. PredictClasses is safe for concurrent use as Predict is.
func (s *Sequential) PredictClasses(x mat.Matrix) ([]int, error) {
	if err := s.checkClassifier("PredictClasses"); err != nil {
		return nil, err
	}
	p, err := s.Predict(x)
	if err != nil {
		return nil, err
	}
	return Classify(p, nil), nil
}

// checkClassifier returns the error of checkClassOutput for the model, or
// errNoModel.
func (s *Sequential) checkClassifier(where string) error {
	if s == nil || len(s.layers) == 0 {
		return errNoModel
	}
	return checkClassOutput(where, s.outW, s.layers[len(s.layers)-1])
}
