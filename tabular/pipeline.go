package tabular

import (
	"github.com/mlpkit/mlp"

	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"
)

// Pipeline is everything between a raw record and a prediction, as one
// value that saves to one file: the input columns (matched by name),
// their imputation, one-hot encoding and scaling (a Preprocessor), the
// network, and the meaning of its outputs: class names for
// classification, or the targets' names and standardization, inverted on
// predictions, for regression.
//
// A Pipeline is not changed by its methods, which are all safe for
// concurrent use: any number of goroutines may predict with one Pipeline
// at once (the network's prediction writes nothing shared, see
// mlp.Sequential.Predict), save it and read its description.
type Pipeline struct {
	pre     *Preprocessor
	net     *mlp.Sequential
	task    Task
	targets []string
	classes []string
	yMean   []float64 // regression: prediction = output·yStd + yMean
	yStd    []float64
	prov    *Provenance // nil: none recorded (a version-2 file)
}

// PipelineTargets says what a Pipeline's network outputs mean.
type PipelineTargets struct {
	// Names are the target columns' names: one per network output for
	// regression, and one for classification. Nil or empty means
	// DefaultTargetNames: "y" for one target, "y0", "y1", … for several,
	// as scikit-learn and pandas name an unnamed target.
	Names []string

	// Classes names the classes for classification, in the order of the
	// network's outputs: one per output column, or two for a one-column
	// output (the probability of Classes[1], as after a Sigmoid). Nil
	// means regression.
	//
	// A classifier's network ends in a layer that gives probabilities
	// (implements mlp.ProbabilityOutput): a Softmax over several columns,
	// or a Sigmoid over one. A network that ends otherwise gives logits,
	// and the Pipeline appends a Softmax to it (a Sigmoid for one output
	// column), as onnx.Import does, so that Prediction.Proba holds
	// probabilities; Net returns the network with that layer. A Sigmoid
	// over several columns (multi-label) and a Softmax over one column
	// (always 1) cannot choose one class and are refused.
	Classes []string

	// Scaler, for regression, is the standardization the targets were
	// trained in: a prediction is output·Std[k] + Mean[k] for output k.
	// Nil means the outputs are in the targets' units already.
	Scaler *mlp.StandardScaler
}

// NewPipeline returns a Pipeline that preprocesses records with pre, runs
// net and reads its outputs as targets says. The Pipeline keeps pre and a
// copy of net (made with mlp.Sequential.Clone, in evaluation mode), so later
// training of net does not change it; it keeps copies of targets' slices.
//
// It returns an error wrapping mlp.ErrSetting if pre or net is nil, if net has
// no layers or does not take pre.Width() inputs, if Classes does not fit the network's
// outputs or its last layer (see PipelineTargets), if Names or the Scaler
// do not fit the outputs, if the Scaler has a non-positive or non-finite
// Std or a non-finite Mean, and if a class name, a target name, a column
// name or a category is repeated (naming it and both positions) or is not
// valid UTF-8 (a JSON request could not name it); and the error of Clone
// for a network it cannot copy.
func NewPipeline(pre *Preprocessor, net *mlp.Sequential, targets PipelineTargets) (*Pipeline, error) {
	return newPipeline("NewPipeline", pre, net, targets, true)
}

// NewPipelineNoCopy is NewPipeline without the copy of net: the Pipeline
// takes net itself, as bytes.NewBuffer takes its slice, and sets it to
// evaluation mode. The caller must not change net afterwards (train it,
// set its layers or parameters, switch it to training mode), since that
// would change the Pipeline, which is meant not to change; reading it
// (Layers, Params, String, prediction) is safe. It saves the memory of a
// second copy of the weights, which for a large network loaded from a file
// (onnx.ImportPipeline) is most of what the program holds. Its errors are
// those of NewPipeline, without Clone's.
func NewPipelineNoCopy(pre *Preprocessor, net *mlp.Sequential, targets PipelineTargets) (*Pipeline, error) {
	return newPipeline("NewPipelineNoCopy", pre, net, targets, false)
}

// newPipeline is NewPipeline, named where in errors, copying net if clone.
func newPipeline(where string, pre *Preprocessor, net *mlp.Sequential, targets PipelineTargets, clone bool) (*Pipeline, error) {
	if pre == nil || net == nil {
		return nil, fmt.Errorf("%w: %s: nil Preprocessor or network", mlp.ErrSetting, where)
	}
	if len(net.Layers()) == 0 {
		return nil, fmt.Errorf("%w: %s: the network has no layers; make it with mlp.NewSequential", mlp.ErrSetting, where)
	}
	if pre.width != net.InputSize() {
		return nil, fmt.Errorf("%w: %s: the preprocessing gives %d columns, the network takes %d",
			mlp.ErrSetting, where, pre.width, net.InputSize())
	}
	if err := checkColumnNames(pre); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", mlp.ErrSetting, where, err)
	}
	if clone {
		c, err := net.Clone()
		if err != nil {
			return nil, err
		}
		net = c
	}
	net.SetTraining(false)
	p := &Pipeline{pre: pre, net: net}
	if err := p.setTargets(targets, true); err != nil {
		return nil, err
	}
	return p, nil
}

// DefaultTargetNames returns the names of n targets that have none, as
// scikit-learn and pandas name an unnamed target: "y" for one, and "y0",
// "y1", …, "y<n-1>" for several. NewPipeline and LoadPipeline give them to
// a pipeline made without target names (a version-1 model file, say), and
// onnx.Import to a file without them.
func DefaultTargetNames(n int) []string {
	if n == 1 {
		return []string{"y"}
	}
	names := make([]string, n)
	for i := range names {
		names[i] = "y" + strconv.Itoa(i)
	}
	return names
}

// checkNames returns an error naming the first name of names (what they
// are, "class name" say) that is not valid UTF-8, or that repeats an
// earlier one, with both positions.
func checkNames(what string, names []string) error {
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if !utf8.ValidString(n) {
			return fmt.Errorf("%s %d, %s, is not valid UTF-8", what, i, quote(n))
		}
		if j, dup := seen[n]; dup {
			return fmt.Errorf("%s %s appears twice, at positions %d and %d", what, quote(n), j, i)
		}
		seen[n] = i
	}
	return nil
}

// checkColumnNames returns the error of checkNames for pre's column names
// and each categorical column's categories.
func checkColumnNames(pre *Preprocessor) error {
	names := make([]string, len(pre.cols))
	for j, c := range pre.cols {
		names[j] = c.name
		if err := checkNames(fmt.Sprintf("column %s: category", quote(c.name)), c.categories); err != nil {
			return err
		}
	}
	return checkNames("column name", names)
}

// setTargets checks targets against p.net and stores them: the class
// names or the target scaling, and the target names (nil for none, which
// Targets reads as DefaultTargetNames). For classification, with
// appendLayer, it appends a Softmax or Sigmoid to a network that ends in
// logits (see PipelineTargets.Classes); without, such a network is an
// error.
func (p *Pipeline) setTargets(t PipelineTargets, appendLayer bool) error {
	outs := p.net.OutputSize()
	if err := checkNames("target name", t.Names); err != nil {
		return fmt.Errorf("%w: NewPipeline: %w", mlp.ErrSetting, err)
	}
	if len(t.Names) == 0 {
		t.Names = nil
	}
	if t.Classes != nil {
		p.task = Classification
		if want := mlp.ClassCount(outs); len(t.Classes) != want {
			return fmt.Errorf("%w: NewPipeline: %d class names for a network of %d outputs (want %d)",
				mlp.ErrSetting, len(t.Classes), outs, want)
		}
		if err := checkNames("class name", t.Classes); err != nil {
			return fmt.Errorf("%w: NewPipeline: %w", mlp.ErrSetting, err)
		}
		if len(t.Names) > 1 {
			return fmt.Errorf("%w: NewPipeline: %d target names for classification; want at most one", mlp.ErrSetting, len(t.Names))
		}
		if t.Scaler != nil {
			return fmt.Errorf("%w: NewPipeline: a target Scaler for classification", mlp.ErrSetting)
		}
		if err := p.probabilityOutput(appendLayer); err != nil {
			return err
		}
		p.classes = slices.Clone(t.Classes)
		p.targets = slices.Clone(t.Names)
		return nil
	}
	p.task = Regression
	if t.Names != nil && len(t.Names) != outs {
		return fmt.Errorf("%w: NewPipeline: %d target names for a network of %d outputs", mlp.ErrSetting, len(t.Names), outs)
	}
	p.targets = slices.Clone(t.Names)
	if t.Scaler != nil {
		if len(t.Scaler.Mean) != outs {
			return fmt.Errorf("%w: NewPipeline: the target Scaler has %d means for a network of %d outputs",
				mlp.ErrSetting, len(t.Scaler.Mean), outs)
		}
		if err := t.Scaler.Validate(); err != nil {
			return fmt.Errorf("NewPipeline: target Scaler: %w", err)
		}
		for k, m := range t.Scaler.Mean {
			if math.IsNaN(m) || math.IsInf(m, 0) {
				return fmt.Errorf("%w: NewPipeline: target Scaler Mean[%d] = %v is not finite", mlp.ErrSetting, k, m)
			}
		}
		p.yMean, p.yStd = slices.Clone(t.Scaler.Mean), slices.Clone(t.Scaler.Std)
	}
	return nil
}

// probabilityOutput makes sure p.net, a classifier's, ends in class
// probabilities: with appendLayer it appends a Softmax (a Sigmoid for one
// output column) to a network whose last layer does not implement
// mlp.ProbabilityOutput, and without it returns an error for such a
// network. It returns an error wrapping ErrSetting for a Sigmoid over
// several columns or a Softmax over one.
func (p *Pipeline) probabilityOutput(appendLayer bool) error {
	layers := p.net.Layers()
	last, outs := layers[len(layers)-1], p.net.OutputSize()
	kind := mlp.ProbabilityKind(0)
	if pk, ok := last.(mlp.ProbabilityOutput); ok {
		kind = pk.Probabilities()
	}
	switch {
	case kind == mlp.SigmoidProbabilities && outs > 1:
		return fmt.Errorf("%w: NewPipeline: the network ends in %v over %d columns, a probability per column (multi-label), "+
			"which is not supported: a classifier ends in a Softmax over one column per class, or a Sigmoid over one column (two classes)",
			mlp.ErrSetting, last, outs)
	case kind == mlp.SoftmaxProbabilities && outs == 1:
		return fmt.Errorf("%w: NewPipeline: the network ends in %v over one column, which always gives 1: "+
			"end it with a Sigmoid over one column, or a Softmax over two", mlp.ErrSetting, last)
	case kind != 0:
		return nil
	case !appendLayer:
		return fmt.Errorf("%w: the classifier's network ends in %v, which gives logits, not class probabilities: "+
			"it needs a Softmax (a Sigmoid for one output column) at its end", mlp.ErrSetting, last)
	}
	var l mlp.Layer = &mlp.Softmax{}
	if outs == 1 {
		l = &mlp.Sigmoid{}
	}
	net, err := mlp.NewSequential(append(layers, l)...)
	if err != nil {
		return fmt.Errorf("%w: NewPipeline: appending %v to the network: %w", mlp.ErrSetting, l, err)
	}
	net.SetTraining(false)
	p.net = net
	return nil
}

// Task returns Classification or Regression.
func (p *Pipeline) Task() Task { return p.task }

// Provenance returns a copy of the record of how the pipeline was made, and
// false when it has none (a pipeline of NewPipeline, or one read from a
// file of format version 1 or 2).
func (p *Pipeline) Provenance() (Provenance, bool) {
	if p.prov == nil {
		return Provenance{}, false
	}
	return *p.prov.clone(), true
}

// WithProvenance returns a pipeline that shares p's preprocessing and
// network (neither is ever changed) and holds a copy of pv, which Save
// writes as format version 3. p is not changed.
func (p *Pipeline) WithProvenance(pv Provenance) *Pipeline {
	q := *p
	q.prov = pv.clone()
	return &q
}

// Columns describes the input columns the pipeline reads, in order, in new
// slices.
func (p *Pipeline) Columns() []ColumnInfo { return p.pre.Columns() }

// Classes returns the class names, in the order of Prediction.Proba's
// columns, in a new slice; nil for regression.
func (p *Pipeline) Classes() []string { return slices.Clone(p.classes) }

// Targets returns the target columns' names, in a new slice: one for
// classification, one per output for regression (DefaultTargetNames when
// none were given).
func (p *Pipeline) Targets() []string {
	switch {
	case p.targets != nil:
		return slices.Clone(p.targets)
	case p.task == Classification:
		return DefaultTargetNames(1)
	}
	return DefaultTargetNames(p.net.OutputSize())
}

// NA returns the texts the pipeline reads as a missing cell besides the
// defaults ("", "NA", "N/A", "NaN", "nan" and "null"): those of the table
// it was trained on (Table.NA), in a new slice.
func (p *Pipeline) NA() []string {
	if p == nil || p.pre == nil {
		return nil
	}
	return slices.Clone(p.pre.na)
}

// ColumnNA returns the texts the pipeline reads as missing in one column
// only, by column name: those of the table it was trained on
// (Table.ColumnNA, which holds the markers CSVReader.DetectNA found), in
// a new map; nil when none. Its predictions read them so in the records
// they are given; a program that reads new data with a CSVReader (to
// score it, say) sets CSVReader.ColumnNA to them.
func (p *Pipeline) ColumnNA() map[string][]string {
	if p == nil || p.pre == nil {
		return nil
	}
	return cloneColumnNA(p.pre.columnNA)
}

// Net returns a copy of the pipeline's network (see mlp.Sequential.Clone).
func (p *Pipeline) Net() (*mlp.Sequential, error) {
	return p.net.Clone()
}

// Prediction holds a Pipeline's predictions for a batch of records, one row
// per record.
type Prediction struct {
	// Labels are the predicted class names (classification), by the rule
	// of mlp.Classify.
	Labels []string
	// Classes are the indices of Labels in Pipeline.Classes.
	Classes []int
	// Proba holds the per-class probabilities, rows×len(Classes)
	// (classification); a one-output network's column p gives [1−p, p].
	Proba *mat.Dense
	// Values holds the predicted values in the targets' own units,
	// rows×targets (regression).
	Values *mat.Dense
}

// maxPredictRows is the most records one Predict call takes.
const maxPredictRows = 1 << 20

// Predict predicts the rows of t, whose feature (and target) columns are
// matched by name; columns the pipeline does not use are ignored. Errors
// are those of Preprocessor.Transform and of the network's prediction
// (wrapping mlp.ErrData), and an error for more than 2^20 rows. A nil
// Pipeline, or one not made by NewPipeline or LoadPipeline, is an error
// wrapping mlp.ErrSetting here and in PredictRecords, PredictMaps and Save.
//
// Allocation, for Predict and the other Predict methods: the preprocessed
// rows×Width matrix, the rows×outputs result and, for classification, a
// label and an index per row (about 8·(Width + 2·outputs + 3) bytes a
// record, TestPipelinePredictAllocation measures it), plus the network's
// per-call workspace (see mlp.Sequential.Predict) and a few small slices. One
// call takes at most 2^20 records, so its memory is bounded.
func (p *Pipeline) Predict(t *Table) (*Prediction, error) {
	if err := p.usable("Predict"); err != nil {
		return nil, err
	}
	if t != nil && t.Rows() > maxPredictRows {
		return nil, fmt.Errorf("%w: Predict: %d rows, more than the %d one call takes", mlp.ErrData, t.Rows(), maxPredictRows)
	}
	x, err := p.pre.Transform(t)
	if err != nil {
		return nil, err
	}
	return p.predict(x)
}

// PredictRecords predicts rows of text cells, as a CSV reader gives them,
// whose columns header names (in any order; columns the pipeline does not
// use, such as the target, are ignored). Cells are read as CSVReader reads
// them: trimmed, with the missing-value markers the training table had
// (NA, and ColumnNA in its column only).
//
// It returns an error wrapping mlp.ErrData that names what is wrong: a feature
// column missing from header (listing header), a header name repeated, a
// row whose length differs from header's, or more than 2^20 rows; and a
// *RecordError naming the record and the column for a cell it cannot read:
// text in a numeric column, a number beyond float64's range, Inf or NaN
// text. Allocation is as for Predict, plus a map of the header.
func (p *Pipeline) PredictRecords(header []string, rows [][]string) (*Prediction, error) {
	if err := p.usable("PredictRecords"); err != nil {
		return nil, err
	}
	pos, err := p.positions(header)
	if err != nil {
		return nil, err
	}
	return p.predictRows(len(rows), func(i int, vals []float64) error {
		if len(rows[i]) != len(header) {
			return fmt.Errorf("%w: record %d (0-based) has %d fields, the header has %d", mlp.ErrData, i, len(rows[i]), len(header))
		}
		for j, k := range pos {
			v, err := p.pre.cellValue(j, rows[i][k])
			if err != nil {
				return &RecordError{Record: i, Column: p.pre.cols[j].name, Err: err}
			}
			vals[j] = v
		}
		return nil
	})
}

// PredictMaps predicts records given as maps from column name to value: a
// string (read as PredictRecords reads a cell), a float64 (as encoding/json
// decodes numbers; int, int32, int64 and float32 are taken too), or nil
// for a missing value; a NaN float64 is missing too. Keys the pipeline does
// not use are ignored. It returns an error wrapping mlp.ErrData, naming the
// record and column, for a record without one of the pipeline's columns,
// and a *RecordError for a value of another type, Inf, or the errors of
// PredictRecords' cells. Allocation is as for Predict.
func (p *Pipeline) PredictMaps(rows []map[string]any) (*Prediction, error) {
	if err := p.usable("PredictMaps"); err != nil {
		return nil, err
	}
	return p.predictRows(len(rows), func(i int, vals []float64) error {
		for j := range p.pre.cols {
			name := p.pre.cols[j].name
			raw, ok := rows[i][name]
			if !ok {
				list, _ := absentList(p.pre.columnNames(), func(n string) bool { _, ok := rows[i][n]; return ok })
				return fmt.Errorf("%w: record %d (0-based) has no %s", mlp.ErrData, i, list)
			}
			v, err := p.pre.anyValue(j, raw)
			if err != nil {
				return &RecordError{Record: i, Column: name, Err: err}
			}
			vals[j] = v
		}
		return nil
	})
}

// usable returns an error wrapping mlp.ErrSetting, naming the method op, when p
// is nil or was not made by NewPipeline or LoadPipeline.
func (p *Pipeline) usable(op string) error {
	if p == nil || p.pre == nil || p.net == nil {
		return fmt.Errorf("%w: Pipeline.%s: nil or empty pipeline; make it with NewPipeline or LoadPipeline", mlp.ErrSetting, op)
	}
	return nil
}

// positions returns, for each of p's columns, its position in header.
func (p *Pipeline) positions(header []string) ([]int, error) {
	at := make(map[string]int, len(header))
	for k, h := range header {
		h = trimName(h)
		if _, dup := at[h]; dup {
			return nil, fmt.Errorf("%w: header names column %s twice", mlp.ErrData, quote(h))
		}
		at[h] = k
	}
	if err := missingColumns(p.pre.columnNames(), header, "the header"); err != nil {
		return nil, err
	}
	pos := make([]int, len(p.pre.cols))
	for j, c := range p.pre.cols {
		pos[j] = at[c.name]
	}
	return pos, nil
}

// predictRows preprocesses n records, record i read into vals (one value
// per input column in the Preprocessor's coding) by read, and predicts
// them.
func (p *Pipeline) predictRows(n int, read func(i int, vals []float64) error) (*Prediction, error) {
	if n == 0 {
		return nil, fmt.Errorf("%w: no records to predict", mlp.ErrData)
	}
	if n > maxPredictRows {
		return nil, fmt.Errorf("%w: %d records, more than the %d one call takes", mlp.ErrData, n, maxPredictRows)
	}
	x := mat.NewDense(n, p.pre.width, nil)
	raw := x.RawMatrix()
	vals := make([]float64, len(p.pre.cols))
	for i := range n {
		if err := read(i, vals); err != nil {
			return nil, err
		}
		if err := p.pre.encodeRow(raw.Data[i*raw.Stride:i*raw.Stride+p.pre.width], vals, i); err != nil {
			return nil, err
		}
	}
	return p.predict(x)
}

// predict runs the network on preprocessed rows and reads its outputs.
func (p *Pipeline) predict(x *mat.Dense) (*Prediction, error) {
	out, err := p.net.Predict(x)
	if err != nil {
		return nil, err
	}
	r, c := out.Dims()
	if p.task == Regression {
		if p.yMean != nil {
			raw := out.RawMatrix()
			for i := range r {
				row := raw.Data[i*raw.Stride : i*raw.Stride+c]
				for k := range row {
					row[k] = float64(row[k]*p.yStd[k]) + p.yMean[k]
					if math.IsInf(row[k], 0) {
						return nil, fmt.Errorf("%w: record %d (0-based): prediction %d overflows in the targets' units", mlp.ErrData, i, k)
					}
				}
			}
		}
		return &Prediction{Values: out}, nil
	}
	pr := &Prediction{Classes: mlp.Classify(out, nil), Labels: make([]string, r)}
	for i, k := range pr.Classes {
		pr.Labels[i] = p.classes[k]
	}
	if c == 1 {
		pr.Proba = mat.NewDense(r, 2, nil)
		for i := range r {
			q := out.At(i, 0)
			pr.Proba.Set(i, 0, 1-q)
			pr.Proba.Set(i, 1, q)
		}
	} else {
		pr.Proba = out
	}
	return pr, nil
}
