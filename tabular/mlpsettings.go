package tabular

import (
	"github.com/mlpkit/mlp"

	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// MLPSettings are the settings of MLPClassifier and MLPRegressor, named
// after scikit-learn 1.2's parameters of the same estimators. The zero value
// of every field means scikit-learn's default, as each field says; settings
// are never changed by the estimators.
//
// The training follows scikit-learn's "adam" solver: the net
// Linear(features->h1), act, ..., Linear(hk->outputs) with Glorot-uniform
// weights and biases (bound sqrt(6/(fan_in+fan_out)), or sqrt(2/(...)) for
// "logistic"), mini-batches drawn without replacement in a new order each
// epoch, one step of scikit-learn's Adam per batch,
//
//	w += −LearningRateInit·√(1−β2ᵗ)/(1−β1ᵗ)·m/(√v + ε)
//
// (ε added to √v, where mlp.Adam, PyTorch's, adds it to the bias-corrected
// √v̂), and the L2 penalty 0.5·Alpha·Σ‖W‖²/n on the weight matrices (not
// the biases) of each batch of n samples, added to the loss and its
// gradient exactly as scikit-learn does. Given the same initial weights
// (InitialWeights) and NoShuffle (batches in table order), the estimators
// follow scikit-learn 1.2's loss_curve_, n_iter_, coefs_ and intercepts_
// (and, with EarlyStopping and ValidationRows, validation_scores_) to
// about 1e-14; the vectors in tabular/testdata/sklearn hold them.
type MLPSettings struct {
	// HiddenLayerSizes are the widths of the hidden layers. nil means
	// [100], scikit-learn's default; an empty non-nil slice means no
	// hidden layer. Each width must be at least 1.
	HiddenLayerSizes []int

	// Activation of the hidden layers: "relu" (the default, also for ""),
	// "tanh", "logistic" or "identity".
	Activation string

	// Alpha >= 0 is the strength of the L2 penalty. Zero means 1e-4,
	// scikit-learn's default; NoPenalty trains without a penalty.
	Alpha float64

	// BatchSize is the number of samples per mini-batch; zero means
	// min(200, n) for n training samples, scikit-learn's "auto". A batch
	// size larger than n is clipped to n.
	BatchSize int

	// LearningRateInit is Adam's learning rate. Zero means 1e-3,
	// scikit-learn's default (unlike mlp.AdamSettings.LR and mlp.SGDSettings.LR,
	// which are required).
	LearningRateInit float64

	// Beta1, Beta2 and Epsilon are Adam's; zero means 0.9, 0.999 and 1e-8.
	Beta1, Beta2, Epsilon float64

	// MaxIter is the maximum number of epochs; zero means 200.
	MaxIter int

	// Tol is the smallest improvement that counts: training stops when the
	// training loss (or, with EarlyStopping, the validation score) has not
	// improved by at least Tol for more than NIterNoChange consecutive
	// epochs. Zero means 1e-4.
	Tol float64

	// NIterNoChange is the number of epochs without improvement that
	// training tolerates; zero means 10.
	NIterNoChange int

	// NoShuffle keeps the training rows in table order in every epoch, as
	// scikit-learn's shuffle=False. By default (scikit-learn's
	// shuffle=True) the mini-batches are drawn in a new random order each
	// epoch.
	NoShuffle bool

	// EarlyStopping holds out ValidationFraction of the training samples
	// (stratified by class for the classifier), or the rows ValidationRows
	// lists, scores the net on them after each epoch (accuracy or R²),
	// stops by the rule of Tol on that score, and keeps the weights of the
	// best epoch. Off by default, as in scikit-learn.
	EarlyStopping bool

	// EarlyStoppingMonitor names the figure of the held-out rows that
	// EarlyStopping watches (Keras' monitor), one of EarlyStoppingMonitors
	// for the task, such as "val_balanced_accuracy"; "" (the default)
	// watches the score, accuracy or R², as scikit-learn does. See
	// EarlyStoppingMonitors for the rule. It requires EarlyStopping.
	EarlyStoppingMonitor string

	// ValidationFraction, in (0, 1), is the fraction held out with
	// EarlyStopping; zero means 0.1.
	ValidationFraction float64

	// ValidationRows, when not nil, are the rows of the table given to Fit
	// (0-based, each at most once, not all of them; in CrossValidate,
	// rows of each fold's training table) that EarlyStopping
	// holds out instead of a random ValidationFraction; the other rows
	// train, in table order. It requires EarlyStopping. As in
	// scikit-learn, where the hold-out is taken inside the estimator, the
	// preprocessing (and the regressor's target scaling) is learnt from
	// every row of the table, the held-out ones included.
	ValidationRows []int

	// Monitor, when not nil, is a table with the training table's feature
	// and target columns whose rows are scored after every epoch, as
	// Keras' validation_data: their loss (with the L2 penalty, as the
	// training loss; a regressor's on standardized targets) and score
	// (accuracy or R²) go into History as val_loss and val_accuracy or
	// val_r2 and into the Log lines. They never change training: the
	// weights and History's training figures are those of a fit without
	// Monitor. It excludes EarlyStopping, whose held-out rows are scored
	// instead. A label of Monitor the training table does not have is an
	// error.
	Monitor *Table

	// InitialWeights, when not nil, are the weights training starts from
	// instead of random ones: the weights of an earlier fit
	// (FittedMLP.Weights, for a warm start) or any others of the net's
	// shape. Coefs[i] must be widths[i]×widths[i+1] for the widths
	// (preprocessed features, HiddenLayerSizes..., outputs), where outputs
	// is the number of classes (1 for two classes) or of target columns.
	// Unlike scikit-learn's warm_start, which keeps loss_curve_ and the
	// stopping rule's best loss across fits, a fit from InitialWeights
	// starts its History, stopping rule and Adam moments afresh, as
	// scikit-learn's optimizer does. A regressor's weights act on
	// standardized targets, and a later fit standardizes its own table's
	// targets again.
	InitialWeights *MLPWeights

	// WarmStart, when not nil, continues training a fitted pipeline (one
	// of FittedMLP.Pipeline, or read by LoadPipeline), as scikit-learn's
	// warm_start=True continues an estimator's earlier fit and Keras'
	// second call of fit continues a model: training starts from the
	// pipeline's weights and keeps its preprocessing (the Preprocessor is
	// not refitted), its classes and its target scaling, so the table
	// given to Fit must have the pipeline's feature and target columns
	// (an error names a column one has and the other lacks) and a
	// classifier's labels must be classes of the pipeline (an error names
	// the first that is not). HiddenLayerSizes and Activation may be left
	// zero, meaning the pipeline's (NetSettings), and any other value is
	// an error naming the field; Preprocess and InitialWeights must be
	// zero. As with InitialWeights, the fit's History, NIter, stopping
	// rule and Adam moments start afresh, MaxIter counts the epochs of
	// this fit, and the batch order is drawn from Seed as for any fit
	// (scikit-learn's n_iter_ and loss_curve_ run on across fits, and it
	// keeps the stopping rule's best loss and count; it restarts Adam, as
	// here, since a saved pipeline holds no optimizer state). The
	// pipeline is not changed.
	WarmStart *Pipeline

	// Seed drives every random choice: the initial weights from
	// rand.NewPCG(Seed, 1) (unless InitialWeights are given), the batch
	// order from rand.NewPCG(Seed, 2) and
	// the EarlyStopping hold-out from rand.NewPCG(Seed, 3). Unlike
	// scikit-learn's random_state=None, the zero seed is a fixed seed.
	Seed uint64

	// ClassWeight, when not nil, weighs the training rows of each class
	// (MLPClassifier only), keyed by class name as FittedMLP.Classes names
	// them: a row of class c counts ClassWeight[c] times in the training
	// loss, and a class the map leaves out counts 1 (scikit-learn's
	// class_weight dict). Each weight must be finite and non-negative, and
	// each key a class of the target. Class weights multiply the sample
	// weights given to FitWeighted; they weigh the training loss only, not
	// the validation figures.
	ClassWeight map[string]float64

	// BalancedClassWeight weighs the rows of class c by n/(k·n_c) for n
	// rows of the table given to Fit, k classes and n_c rows of class c
	// (BalancedClassWeights; scikit-learn's class_weight="balanced"), so
	// that every class carries the same total weight. It excludes
	// ClassWeight.
	BalancedClassWeight bool

	// Preprocess configures the preprocessing Fit learns from the training
	// table (FitPreprocessor); the zero value imputes numeric cells with
	// the mean.
	Preprocess PreprocessSettings

	// Log, when not nil, receives one line per epoch (mlp.ProgressLogger), as
	// scikit-learn's verbose=True prints, in one Write per line. Fits
	// running at once in CrossValidate and GridSearch write through one
	// lock, so Log need not be safe for concurrent use there; two Fit
	// calls of your own at once need a Log that is.
	Log io.Writer

	// DType is the type training computes in: mlp.Float64 (the zero
	// value) or mlp.Float32, mixed-precision training whose forward and
	// backward passes run in float32 with float64 master weights (see
	// mlp.DType). The fitted weights are float64 either way, and
	// prediction and saved models compute in float64.
	DType mlp.DType

	// Hooks, when not empty, are called after every epoch, after Log's
	// line and the estimator's own stopping rule (Tol, NIterNoChange,
	// EarlyStopping), as mlp.TrainerSettings.Hooks are: one that returns
	// true ends training there, with the weights of that epoch unless it
	// restores others itself (mlp.EarlyStopping.RestoreBest). With
	// Monitor, the History they see records val_loss and the Monitor
	// score, so an mlp.EarlyStopping on "val_loss" with a Patience stops
	// a run whose validation loss has stopped falling. Convergence then
	// reports Converged false, as for a run that reached MaxIter. The
	// estimator does not reset them: a stateful hook such as
	// mlp.EarlyStopping serves one Fit at a time, so give each Fit a new
	// one, and none to CrossValidate or GridSearch, whose fits run at once.
	Hooks []mlp.Hook
}

// NoPenalty is an MLPSettings.Alpha that trains without an L2 penalty: the
// smallest positive float64, whose penalty and gradient round to zero.
const NoPenalty = math.SmallestNonzeroFloat64

// Streams of the PCG source derived from MLPSettings.Seed.
const (
	mlpInitStream    = 1
	mlpShuffleStream = 2
	mlpSplitStream   = 3
)

// mlpDefaults are MLPSettings with every zero field replaced by its default.
type mlpDefaults struct {
	MLPSettings
	name   string // the estimator, in messages
	hidden []int
	newAct func() mlp.Layer
	gain   float64 // 6, or 2 for logistic: the Glorot bound is sqrt(gain/(in+out))
}

// resolve checks s and returns it with its defaults filled in. It returns an
// error wrapping mlp.ErrSetting that names the field of a bad setting.
func (s MLPSettings) resolve(estimator string) (mlpDefaults, error) {
	d := mlpDefaults{MLPSettings: s, name: estimator, gain: 6}
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("%w: %s.%s = %v; want %s", mlp.ErrSetting, estimator, field, v, want)
	}
	if s.HiddenLayerSizes == nil {
		d.hidden = []int{100}
	} else {
		d.hidden = append([]int{}, s.HiddenLayerSizes...)
	}
	for i, h := range d.hidden {
		if h < 1 {
			return d, bad(fmt.Sprintf("HiddenLayerSizes[%d]", i), h, "a width of at least 1")
		}
	}
	switch s.Activation {
	case "", "relu":
		d.newAct = func() mlp.Layer { return &mlp.ReLU{} }
	case "tanh":
		d.newAct = func() mlp.Layer { return &mlp.Tanh{} }
	case "logistic":
		d.newAct, d.gain = func() mlp.Layer { return &mlp.Sigmoid{} }, 2
	case "identity":
		d.newAct = nil
	default:
		return d, bad("Activation", fmt.Sprintf("%q", s.Activation), `"relu", "tanh", "logistic" or "identity"`)
	}
	positive := func(field string, v, def float64) (float64, error) {
		if v == 0 {
			return def, nil
		}
		if !(v > 0) || math.IsInf(v, 1) {
			return 0, bad(field, v, "a positive finite number, or 0 for the default")
		}
		return v, nil
	}
	var err error
	if d.Alpha, err = positive("Alpha", s.Alpha, 1e-4); err != nil {
		return d, err
	}
	if d.LearningRateInit, err = positive("LearningRateInit", s.LearningRateInit, 1e-3); err != nil {
		return d, err
	}
	if d.Tol, err = positive("Tol", s.Tol, 1e-4); err != nil {
		return d, err
	}
	if d.Epsilon, err = positive("Epsilon", s.Epsilon, 1e-8); err != nil {
		return d, err
	}
	for _, b := range []struct {
		field string
		v     *float64
		def   float64
	}{{"Beta1", &d.Beta1, 0.9}, {"Beta2", &d.Beta2, 0.999}} {
		if *b.v == 0 {
			*b.v = b.def
		} else if !(*b.v > 0 && *b.v < 1) {
			return d, bad(b.field, *b.v, "a number in (0, 1), or 0 for the default")
		}
	}
	switch {
	case s.BatchSize < 0:
		return d, bad("BatchSize", s.BatchSize, "at least 1, or 0 for min(200, n)")
	case s.MaxIter < 0:
		return d, bad("MaxIter", s.MaxIter, "at least 1, or 0 for 200")
	case s.NIterNoChange < 0:
		return d, bad("NIterNoChange", s.NIterNoChange, "at least 1, or 0 for 10")
	case s.DType != mlp.Float64 && s.DType != mlp.Float32:
		return d, bad("DType", s.DType, "mlp.Float64 or mlp.Float32")
	}
	if d.MaxIter == 0 {
		d.MaxIter = 200
	}
	if d.NIterNoChange == 0 {
		d.NIterNoChange = 10
	}
	if s.Monitor != nil && s.EarlyStopping {
		return d, bad("Monitor", "a table", "nil with EarlyStopping, which scores its held-out rows")
	}
	if err := s.checkMonitorName(estimator); err != nil {
		return d, err
	}
	if s.ValidationRows != nil && !s.EarlyStopping {
		return d, bad("ValidationRows", s.ValidationRows, "nil without EarlyStopping")
	}
	if s.ClassWeight != nil && s.BalancedClassWeight {
		return d, bad("ClassWeight", "a map", "nil with BalancedClassWeight")
	}
	for name, w := range s.ClassWeight {
		if !(w >= 0) || math.IsInf(w, 1) {
			return d, bad(fmt.Sprintf("ClassWeight[%q]", name), w, "a finite number ≥ 0")
		}
	}
	if d.ValidationFraction == 0 {
		d.ValidationFraction = 0.1
	} else if !(d.ValidationFraction > 0 && d.ValidationFraction < 1) {
		return d, bad("ValidationFraction", s.ValidationFraction, "a number in (0, 1), or 0 for 0.1")
	}
	return d, nil
}

// build returns the net Linear(features->h1), act, ..., Linear(hk->outputs)
// followed by last (nil for none), with InitialWeights or else
// scikit-learn's Glorot-uniform initialisation drawn from
// rand.NewPCG(Seed, 1), and the weight matrices the L2 penalty applies to.
// Before allocating, it returns an error wrapping mlp.ErrTooLarge when the net
// or its buffers for batches of the given size would be too large
// (CheckTrainingSize), and one wrapping mlp.ErrSetting when InitialWeights do
// not fit the net.
func (d *mlpDefaults) build(features, outputs, batch int, last mlp.Layer) (*mlp.Sequential, []mlp.Param, error) {
	widths := append(append([]int{features}, d.hidden...), outputs)
	if err := CheckTrainingSize(widths, batch); err != nil {
		return nil, nil, err
	}
	init := d.InitialWeights
	if init != nil {
		if err := init.check(d.name+".InitialWeights", widths); err != nil {
			return nil, nil, err
		}
	}
	rng := rand.New(rand.NewPCG(d.Seed, mlpInitStream))
	var (
		layers  []mlp.Layer
		weights []mlp.Param
	)
	for i := 0; i+1 < len(widths); i++ {
		in, out := widths[i], widths[i+1]
		l := mlp.NewLinear(in, out, rand.NewPCG(0, 0)) // drawn again below, as scikit-learn draws
		bound := math.Sqrt(d.gain / float64(in+out))
		ps := l.Params()
		if init != nil {
			ps[0].Value.Copy(init.Coefs[i])
			copy(ps[1].Value.RawMatrix().Data, init.Intercepts[i])
		} else {
			for _, p := range ps { // W then b, as scikit-learn draws coefs_ then intercepts_
				for k := range p.Value.RawMatrix().Data {
					p.Value.RawMatrix().Data[k] = (2*rng.Float64() - 1) * bound
				}
			}
		}
		weights = append(weights, ps[0])
		layers = append(layers, l)
		if i+2 < len(widths) && d.newAct != nil {
			layers = append(layers, d.newAct())
		}
	}
	if last != nil {
		layers = append(layers, last)
	}
	m, err := mlp.NewSequential(layers...)
	return m, weights, err
}

// maxBatchFloats caps the activation floats of one training batch, batch
// size times mlp.ModelLimits' floats per row: 2^27, 1 GiB.
const maxBatchFloats = 1 << 27

// CheckTrainingSize returns an error unless the multilayer perceptron of
// the given widths (input, hidden, output) fits the default mlp.ModelLimits
// (mlp.ModelLimits.CheckWidths) and its layers' outputs and their gradients for a
// training batch of the given size take at most 2^27 floats (1 GiB). The
// error wraps mlp.ErrTooLarge, or mlp.ErrSetting for a width below 1. Programs that
// build nets from user settings call it before allocating anything; it
// allocates nothing itself.
func CheckTrainingSize(widths []int, batch int) error {
	if err := (mlp.ModelLimits{}).CheckWidths(widths); err != nil {
		return err
	}
	var row float64
	for _, w := range widths[1:] {
		row += 2 * float64(w) // a Linear output and its activation
	}
	if f := 2 * row * float64(batch); f > maxBatchFloats { // and their gradients
		return fmt.Errorf("%w: the net %v needs %.0f floats of activations and gradients for a batch of %d, more than %d; use a smaller BatchSize",
			mlp.ErrTooLarge, widths, f, batch, maxBatchFloats)
	}
	return nil
}

// mlpRun is the outcome of trainMLP.
type mlpRun struct {
	net         *mlp.Sequential
	history     *mlp.History
	classWeight []float64 // per class index; nil without class weights
	stop        Convergence
	prov        *Provenance
}

// trainMLP trains the net d describes, ending in last, on the preprocessed
// features x and targets y (class labels, or standardized values with
// outputs columns; y.Weights, when not nil, the sample weights) with loss,
// as MLPSettings describes. classWeight, when not nil, holds a weight per
// class index that multiplies the training rows' sample weights. monitor,
// when not nil, is Monitor preprocessed. With EarlyStopping or monitor,
// score names the metric on the held-out part (higher is better).
func (d *mlpDefaults) train(ctx context.Context, x *mat.Dense, y mlp.Targets, classWeight []float64, monitor *mlp.Dataset, outputs int, last mlp.Layer, loss mlp.Loss, score mlp.Metric) (*mlpRun, error) {
	train, err := mlp.NewDataset(x, y)
	if err != nil {
		return nil, err
	}
	val := monitor
	if d.ValidationRows != nil {
		if train, val, err = d.splitRows(x, y); err != nil {
			return nil, err
		}
	} else if d.EarlyStopping {
		train, val, err = mlp.Split(train, mlp.SplitSettings{
			ValFraction: d.ValidationFraction,
			Stratify:    y.Labels != nil,
			Src:         rand.NewPCG(d.Seed, mlpSplitStream),
		})
		if err != nil {
			return nil, fmt.Errorf("EarlyStopping: %w", err)
		}
	}
	if classWeight != nil {
		ty := train.Y
		w := make([]float64, len(ty.Labels))
		for i, l := range ty.Labels {
			w[i] = classWeight[l]
			if ty.Weights != nil {
				w[i] *= ty.Weights[i]
			}
		}
		ty.Weights = w
		if train, err = mlp.NewDataset(train.X, ty); err != nil {
			return nil, fmt.Errorf("%s: class weights: %w", d.name, err)
		}
	}
	batch := d.BatchSize
	if batch == 0 {
		batch = 200
	}
	batch = min(batch, train.Len())
	net, weights, err := d.build(x.RawMatrix().Cols, outputs, batch, last)
	if err != nil {
		return nil, err
	}
	adam := newSklearnAdam(net.Params(), d.LearningRateInit, d.Beta1, d.Beta2, d.Epsilon)
	pen, opt, err := mlp.NewL2Penalty(loss, adam, weights, d.Alpha)
	if err != nil {
		return nil, err
	}
	mon, err := d.monitor(y.Labels != nil, score)
	if err != nil {
		return nil, err
	}
	stop := &noImprovement{tol: d.Tol, patience: d.NIterNoChange, validation: d.EarlyStopping, mon: mon}
	// The logger runs first: a hook after the one that stops training is
	// not called, and the last epoch's line must be written too.
	ts := mlp.TrainerSettings{DType: d.DType}
	if d.Log != nil {
		ts.Hooks = append(ts.Hooks, &mlp.ProgressLogger{W: d.Log})
	}
	ts.Hooks = append(ts.Hooks, stop)
	ts.Hooks = append(ts.Hooks, d.Hooks...)
	if val != nil {
		ts.Metrics = []mlp.Metric{score}
		if mon.metric != nil && d.EarlyStopping {
			ts.Metrics = append(ts.Metrics, mon.metric)
		}
	}
	tr, err := mlp.NewTrainer(net, pen, opt, ts)
	if err != nil {
		return nil, err
	}
	loader, err := mlp.NewDataLoader(train, mlp.LoaderSettings{
		BatchSize: batch,
		Shuffle:   !d.NoShuffle,
		Src:       rand.NewPCG(d.Seed, mlpShuffleStream),
	})
	if err != nil {
		return nil, err
	}
	var valLoader mlp.BatchSource
	if val != nil {
		if valLoader, err = mlp.NewDataLoader(val, mlp.LoaderSettings{BatchSize: min(batch, val.Len())}); err != nil {
			return nil, err
		}
	}
	h, err := tr.Fit(ctx, loader, valLoader, d.MaxIter)
	if err != nil {
		return nil, err
	}
	return &mlpRun{net: net, history: h, stop: d.convergence(stop, h, score)}, nil
}

// splitRows returns the rows of x and y that ValidationRows does not list,
// in order, for training, and those it lists, in its order, for
// validation. It returns an error wrapping ErrSetting for a row out of
// range or listed twice, or a list that holds no row or every row.
func (d *mlpDefaults) splitRows(x *mat.Dense, y mlp.Targets) (train, val *mlp.Dataset, err error) {
	n, _ := x.Dims()
	field := d.name + ".ValidationRows"
	held := make([]bool, n)
	for i, r := range d.ValidationRows {
		switch {
		case r < 0 || r >= n:
			return nil, nil, fmt.Errorf("%w: %s[%d] = %d is not a row of the table's %d", mlp.ErrSetting, field, i, r, n)
		case held[r]:
			return nil, nil, fmt.Errorf("%w: %s lists row %d twice", mlp.ErrSetting, field, r)
		}
		held[r] = true
	}
	if len(d.ValidationRows) == 0 || len(d.ValidationRows) == n {
		return nil, nil, fmt.Errorf("%w: %s holds %d of the table's %d rows; both parts need at least one", mlp.ErrSetting, field, len(d.ValidationRows), n)
	}
	var trainRows []int
	for r := range n {
		if !held[r] {
			trainRows = append(trainRows, r)
		}
	}
	if train, err = mlp.NewDataset(gatherRows(x, trainRows), gatherTargets(y, trainRows)); err != nil {
		return nil, nil, err
	}
	if val, err = mlp.NewDataset(gatherRows(x, d.ValidationRows), gatherTargets(y, d.ValidationRows)); err != nil {
		return nil, nil, err
	}
	return train, val, nil
}

// gatherRows returns a new matrix of rows idx of m, in that order.
func gatherRows(m *mat.Dense, idx []int) *mat.Dense {
	_, c := m.Dims()
	out := mat.NewDense(len(idx), c, nil)
	for i, r := range idx {
		copy(out.RawRowView(i), m.RawRowView(r))
	}
	return out
}

// gatherTargets returns new targets holding rows idx of y, in that order.
func gatherTargets(y mlp.Targets, idx []int) mlp.Targets {
	var out mlp.Targets
	if y.Values != nil {
		out.Values = gatherRows(y.Values, idx)
	} else {
		out = mlp.Targets{Labels: make([]int, len(idx))}
		for i, r := range idx {
			out.Labels[i] = y.Labels[r]
		}
	}
	if y.Weights != nil {
		out.Weights = make([]float64, len(idx))
		for i, r := range idx {
			out.Weights[i] = y.Weights[r]
		}
	}
	return out
}
