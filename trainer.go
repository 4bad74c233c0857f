package mlp

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/kernel"
)

// TrainerSettings configure a Trainer. The zero value trains with no
// metrics, no hooks, no schedule and no clipping. A Trainer writes nothing:
// to print progress, add a ProgressLogger to Hooks.
type TrainerSettings struct {
	// Metrics are computed over the validation data after each epoch and
	// by Evaluate (and, with TrainMetrics, over the training batches). Each
	// is reset before use; a Metric must not be shared with another Trainer
	// that runs at the same time.
	Metrics []Metric

	// TrainMetrics also computes every metric over the training batches of
	// each epoch, as they are trained (the model's output in training mode,
	// before each step), as Keras does; History records them under the
	// metrics' own names ("accuracy"), the validation values under
	// "val_accuracy".
	TrainMetrics bool

	// Hooks are called in order after each completed epoch; any of them can
	// stop training. ProgressLogger and EarlyStopping are hooks.
	Hooks []Hook

	// Schedule, when not nil, sets the optimizer's learning rate at the
	// start of each epoch to Schedule.Rate(base, epoch), where base is the
	// optimizer's learning rate when the Trainer is made.
	Schedule Schedule

	// ClipNorm, when positive, scales the gradients of each step so that
	// their global L2 norm is at most ClipNorm (see ClipGradNorm). Zero
	// means no clipping; negative or NaN is an error.
	ClipNorm float64

	// DType is the type the forward and backward passes of training and
	// of the Trainer's evaluation (validation, Evaluate) compute in:
	// Float64 (the zero value) or Float32, mixed-precision training with
	// float64 master weights (see DType). The model's own prediction
	// methods compute in float64 whatever the Trainer's DType. Another
	// value is an error.
	DType DType
}

// Trainer trains a model with a criterion and an optimizer over mini-batches
// from a BatchSource (a DataLoader), exactly one optimizer step per batch.
//
// A Trainer is not safe for concurrent use, and its model, criterion,
// optimizer, metrics and hooks must not be used elsewhere while Fit or
// Evaluate runs.
type Trainer struct {
	model   *Sequential
	loss    Loss
	opt     Optimizer
	state   StateChecker // opt, when it can tell whether its state is finite
	s       TrainerSettings
	params  []Param
	baseLR  float64
	epochs  int      // epochs completed over every Fit
	snap    Snapshot // weights before the current step, for roll-back
	names   []string
	targets TargetKind // what the loss and metrics read, 0 when none says
	version uint64     // the model's version when the Trainer was made
}

// NewTrainer returns a Trainer for model, criterion loss and optimizer opt,
// which must have been made for model.Params(). It returns an error
// wrapping ErrSetting when a setting is out of range; an argument, a
// metric, a hook or the schedule is nil (a nil interface or a nil pointer);
// the loss, a metric, a hook or the schedule rejects its own settings
// (Validator); the loss or a metric does not suit the model's output
// (OutputValidator: CrossEntropy without a final Softmax and without
// FromLogits, BinaryCrossEntropy on several outputs, a classification
// metric on one output column that is not a Sigmoid); or the loss and a
// metric read different kinds of targets (TargetReader); or one of the
// package's optimizers holds a parameter that is not the model's (made for
// another model, or for this one before a Clone). The messages name
// what to build instead. The settings are copied; s is not changed.
func NewTrainer(model *Sequential, loss Loss, opt Optimizer, s TrainerSettings) (*Trainer, error) {
	switch {
	case model == nil || len(model.layers) == 0:
		return nil, fmt.Errorf("%w: NewTrainer: model is nil or has no layers", ErrSetting)
	case isNil(loss):
		return nil, fmt.Errorf("%w: NewTrainer: loss is nil", ErrSetting)
	case isNil(opt):
		return nil, fmt.Errorf("%w: NewTrainer: optimizer is nil", ErrSetting)
	case !(s.ClipNorm >= 0) || math.IsInf(s.ClipNorm, 1):
		return nil, fmt.Errorf("%w: TrainerSettings.ClipNorm must be >= 0 and finite, got %v", ErrSetting, s.ClipNorm)
	case s.DType != Float64 && s.DType != Float32:
		return nil, fmt.Errorf("%w: TrainerSettings.DType is %v; want Float64 or Float32", ErrSetting, s.DType)
	}
	if s.Schedule != nil && isNil(s.Schedule) {
		return nil, fmt.Errorf("%w: TrainerSettings.Schedule is a nil %T", ErrSetting, s.Schedule)
	}
	t := &Trainer{model: model, loss: loss, opt: opt, s: s, baseLR: opt.LearningRate(), version: model.version}
	t.state, _ = opt.(StateChecker)
	t.s.Metrics = append([]Metric(nil), s.Metrics...)
	t.s.Hooks = append([]Hook(nil), s.Hooks...)
	checks := []any{loss, s.Schedule}
	for i, m := range t.s.Metrics {
		if isNil(m) {
			return nil, fmt.Errorf("%w: TrainerSettings.Metrics[%d] is nil", ErrSetting, i)
		}
		t.names = append(t.names, m.Name())
		checks = append(checks, m)
	}
	for i, h := range t.s.Hooks {
		if isNil(h) {
			return nil, fmt.Errorf("%w: TrainerSettings.Hooks[%d] is nil", ErrSetting, i)
		}
		checks = append(checks, h)
	}
	out, last := model.OutputSize(), model.layers[len(model.layers)-1]
	for _, c := range checks {
		if v, ok := c.(Validator); ok {
			if err := v.Validate(); err != nil {
				return nil, err
			}
		}
		if v, ok := c.(OutputValidator); ok {
			if err := v.ValidateOutput(out, last); err != nil {
				return nil, err
			}
		}
		if r, ok := c.(TargetReader); ok {
			k := r.ReadsTargets()
			if t.targets != 0 && k != t.targets {
				return nil, fmt.Errorf("%w: NewTrainer: %s reads %v, but the loss or an earlier metric reads %v", ErrSetting, describe(c), k, t.targets)
			}
			t.targets = k
		}
	}
	t.params = model.Params()
	if err := checkOptimizerParams(opt, t.params); err != nil {
		return nil, err
	}
	t.snap.Save(t.params)
	return t, nil
}

// describe names a loss, metric, hook or schedule in messages.
func describe(v any) string {
	if m, ok := v.(Metric); ok {
		return fmt.Sprintf("metric %q", m.Name())
	}
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", v)
}

// Model returns the model the Trainer trains.
func (t *Trainer) Model() *Sequential { return t.model }

// where locates a batch in messages: what data ("training", "validation",
// "evaluation") and, for a batch, the epoch and batch index (-1 for the
// whole data set). Its message is built only on error.
type where struct {
	what         string
	epoch, batch int
}

func (w where) String() string {
	if w.batch < 0 {
		return w.what
	}
	return fmt.Sprintf("%s batch %d of epoch %d:", w.what, w.batch, w.epoch)
}

// checkTargets returns an error wrapping ErrData unless x and y fit the
// model, the loss and the metrics: x has InputSize columns and one row per
// target; the targets are of the kind the loss and metrics read; labels are
// within the classes the output can express (see Classify); values have one
// column per output. It allocates only on error.
func (t *Trainer) checkTargets(w where, x *mat.Dense, y Targets) error {
	if x == nil || (y.Labels == nil) == (y.Values == nil) {
		return fmt.Errorf("%w: %v features or targets are missing (a Batch needs X and exactly one of Labels and Values)", ErrData, w)
	}
	r, f := x.Dims()
	switch {
	case f != t.model.InputSize():
		return fmt.Errorf("%w: %v data has %d features, the model takes %d", ErrData, w, f, t.model.InputSize())
	case r != y.Len():
		return fmt.Errorf("%w: %v data has %d rows of features for %d targets", ErrData, w, r, y.Len())
	case r == 0:
		return fmt.Errorf("%w: %v data has no rows", ErrData, w)
	case y.Weights != nil && len(y.Weights) != r:
		return fmt.Errorf("%w: %v data has %d sample weights for %d rows", ErrData, w, len(y.Weights), r)
	case y.Weights != nil && !readsWeights(t.loss):
		return fmt.Errorf("%w: %v data has sample weights, but the loss %s does not read them", ErrData, w, describe(t.loss))
	}
	out := t.model.OutputSize()
	if y.Labels != nil {
		if t.targets == RealValues {
			return fmt.Errorf("%w: %v data has class labels, but the loss and metrics read real-valued targets", ErrData, w)
		}
		limit := ClassCount(out)
		for i, l := range y.Labels {
			if l < 0 || l >= limit {
				return fmt.Errorf("%w: %v label %d of sample %d is outside [0, %d) for a model with %d outputs",
					ErrData, w, l, i, limit, out)
			}
		}
		return nil
	}
	if t.targets == ClassLabels {
		return fmt.Errorf("%w: %v data has real-valued targets, but the loss and metrics read class labels", ErrData, w)
	}
	if _, c := y.Values.Dims(); c != out {
		return fmt.Errorf("%w: %v data has %d target columns, the model has %d outputs", ErrData, w, c, out)
	}
	return nil
}

// readsWeights reports whether loss reads Targets.Weights (WeightReader).
func readsWeights(loss Loss) bool {
	r, ok := loss.(WeightReader)
	return ok && r.ReadsWeights()
}

// checkSource returns an error unless src is usable: not nil, and, when it
// draws from a Dataset (DatasetSource), that whole data set fits the model
// (checkTargets) and holds only finite values. Sources that do not show
// their data are checked batch by batch.
func (t *Trainer) checkSource(what string, src BatchSource) error {
	if err := t.model.changedSince("Trainer", t.version); err != nil {
		return err
	}
	if err := t.model.check("model"); err != nil {
		return err
	}
	if isNil(src) {
		return fmt.Errorf("%w: %s data source is nil", ErrData, what)
	}
	ds, ok := src.(DatasetSource)
	if !ok {
		return nil
	}
	d := ds.Dataset()
	if d == nil || d.X == nil {
		return fmt.Errorf("%w: %s loader was not made by NewDataLoader", ErrData, what)
	}
	w := where{what, 0, -1}
	if err := t.checkTargets(w, d.X, d.Y); err != nil {
		return err
	}
	return t.nonFiniteData(w, Batch{X: d.X, Y: d.Y})
}

// nonFiniteData returns an error wrapping ErrData when the features or
// values of b are not all finite, and nil otherwise. Fit calls it on a
// whole data set before training and on a batch whose loss is not finite,
// to tell bad data from divergence.
func nonFiniteData(w where, b Batch) error {
	if err := checkFinite(w.String()+" feature", b.X); err != nil {
		return err
	}
	if b.Y.Values != nil {
		return checkFinite(w.String()+" target", b.Y.Values)
	}
	return nil
}

// Fit trains for the given number of epochs over train, evaluating on val
// after each epoch when val is not nil, and returns the history of the
// completed epochs. A nil val, untyped or typed (a (*DataLoader)(nil), say),
// means no validation; a nil train, untyped or typed, is an error wrapping
// ErrData.
//
// Data is read through the BatchSource interface, so any source of batches
// trains; a DataLoader (or any DatasetSource) has its whole data set checked
// against the model before the first step (feature count, the kind of
// targets the loss and metrics read, label range, target columns, NaN and
// Inf), and every batch of any source is checked before it is used, so that
// a source whose data changes during Fit gives an error, not a panic. These
// errors wrap ErrData and name the data, epoch, batch and sample; a
// negative epochs or a nil ctx gives an error wrapping ErrSetting. Training
// stops early, with the history so far and
//   - a *DivergenceError (wrapping ErrDiverged) when a step would leave a
//     non-finite loss, gradient or weight, or an optimizer state that is
//     not finite (StateChecker); the model keeps the weights from before
//     that step. A validation loss that is not finite is reported the same
//     way, with What "validation loss";
//   - an error wrapping ErrData when a batch of the whole data set has zero
//     total weight (BatchWeighter: CrossEntropy whose Weights give every
//     label of the set weight 0), or when a batch holds NaN or Inf;
//   - ctx.Err() when ctx is done, checked before every training and every
//     validation batch; the model keeps the weights of the last completed
//     step;
//   - an error wrapping ErrSetting when the Schedule gives a negative, NaN
//     or infinite learning rate;
//   - the error of a Hook, or none when a Hook asks to stop.
//
// When training ends normally (the epochs run out or a hook stops it), Fit
// calls FitEnd on every hook that implements FitEnder, in order, and
// returns the first error.
//
// The model is in training mode during training epochs and in evaluation
// mode while it is evaluated; Fit leaves it in evaluation mode. Apart from
// the history, an epoch allocates nothing.
func (t *Trainer) Fit(ctx context.Context, train, val BatchSource, epochs int) (*History, error) {
	if t == nil || t.model == nil {
		return &History{}, fmt.Errorf("%w: Fit: the Trainer was not made by NewTrainer", ErrSetting)
	}
	h := &History{MetricNames: append([]string(nil), t.names...)}
	if ctx == nil {
		return h, fmt.Errorf("%w: Fit: nil context; use context.Background()", ErrSetting)
	}
	if epochs < 0 {
		return h, fmt.Errorf("%w: epochs must be >= 0, got %d", ErrSetting, epochs)
	}
	if err := t.checkSource("training", train); err != nil {
		return h, err
	}
	hasVal := !isNil(val)
	if hasVal {
		if err := t.checkSource("validation", val); err != nil {
			return h, err
		}
	}
	defer t.model.SetTraining(false)
	var end EpochEnd
	for e := 0; e < epochs; e++ {
		epoch := t.epochs
		if t.s.Schedule != nil {
			lr := t.s.Schedule.Rate(t.baseLR, epoch)
			if !(lr >= 0) || math.IsInf(lr, 1) {
				return h, fmt.Errorf("%w: the schedule gives learning rate %v for epoch %d; want >= 0 and finite", ErrSetting, lr, epoch)
			}
			t.opt.SetLearningRate(lr)
		}
		rec := Epoch{Epoch: epoch, LR: t.opt.LearningRate(), ValLoss: math.NaN()}
		var err error
		if rec.Loss, rec.Metrics, err = t.trainEpoch(ctx, epoch, train); err != nil {
			return h, err
		}
		if hasVal {
			if rec.ValLoss, rec.ValMetrics, err = t.evaluate(ctx, where{"validation", epoch, 0}, val); err != nil {
				return h, err
			}
		}
		t.epochs++
		h.Epochs = append(h.Epochs, rec)
		end = EpochEnd{Epoch: epoch, Last: e == epochs-1, History: h, Model: t.model, Metrics: t.s.Metrics}
		stop, err := t.afterEpoch(end)
		if err != nil {
			return h, err
		}
		if stop {
			break
		}
	}
	if len(h.Epochs) == 0 {
		return h, nil
	}
	for _, hook := range t.s.Hooks {
		if f, ok := hook.(FitEnder); ok {
			if err := f.FitEnd(end); err != nil {
				return h, err
			}
		}
	}
	return h, nil
}

// afterEpoch runs the hooks in order until one asks to stop or fails.
func (t *Trainer) afterEpoch(e EpochEnd) (bool, error) {
	for _, hook := range t.s.Hooks {
		if stop, err := hook.AfterEpoch(e); err != nil || stop {
			return stop, err
		}
	}
	return false, nil
}

// trainEpoch runs one epoch of steps and returns the training loss over the
// epoch, Σ w·l / Σ w over its batches, and with TrainMetrics the metrics
// over its batches.
func (t *Trainer) trainEpoch(ctx context.Context, epoch int, src BatchSource) (float64, []float64, error) {
	t.model.SetTraining(true)
	if t.s.TrainMetrics {
		t.resetMetrics()
	}
	loss, err := t.pass(ctx, where{"training", epoch, 0}, src, t.step)
	if err != nil || !t.s.TrainMetrics {
		return loss, nil, err
	}
	return loss, t.metricValues(), nil
}

// pass runs do on every batch of one pass over src, checking ctx and the
// batch first, and returns the loss over the set: the losses do returns,
// weighted by their batches' weights (see setMean).
func (t *Trainer) pass(ctx context.Context, w where, src BatchSource, do func(where, Batch) (float64, error)) (float64, error) {
	var sum, weight float64
	src.Reset()
	for ; src.Next(); w.batch++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		b := src.Batch()
		if err := t.checkTargets(w, b.X, b.Y); err != nil {
			return 0, err
		}
		loss, err := do(w, b)
		if err != nil {
			return 0, err
		}
		bw := batchWeight(t.loss, b.Y)
		sum += float64(loss * bw)
		weight += bw
	}
	return setMean(w, sum, weight)
}

// setMean returns sum/weight, the mean of a whole set, or an error wrapping
// ErrData when the set had no batch or its total weight is 0.
func setMean(w where, sum, weight float64) (float64, error) {
	if w.batch == 0 {
		return 0, fmt.Errorf("%w: %s data gave no batches in epoch %d", ErrData, w.what, w.epoch)
	}
	if weight == 0 {
		return 0, fmt.Errorf("%w: %s data of epoch %d has total weight 0 (every label has class weight 0); its mean loss is undefined",
			ErrData, w.what, w.epoch)
	}
	return sum / weight, nil
}

// step does one forward, backward and optimizer step on b, rolling back if
// the result is not finite.
func (t *Trainer) step(w where, b Batch) (float64, error) {
	if err := t.model.changedSince("Fit", t.version); err != nil {
		return 0, err
	}
	t.model.busy.Add(1)
	defer t.model.busy.Add(-1)
	out := t.model.forwardAs(t.s.DType, b.X)
	loss := backpropAs(t.s.DType, t.model, t.loss, b.Y)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		if err := t.nonFiniteData(w, b); err != nil {
			return 0, err
		}
		return 0, &DivergenceError{Epoch: w.epoch, Batch: w.batch, What: "loss"}
	}
	if t.s.TrainMetrics {
		for _, m := range t.s.Metrics {
			m.Update(out, b.Y)
		}
	}
	if t.s.ClipNorm > 0 {
		ClipGradNorm(t.params, t.s.ClipNorm)
	}
	for i, p := range t.params {
		if !allFinite(p.Grad.RawMatrix().Data) {
			return 0, &DivergenceError{Epoch: w.epoch, Batch: w.batch, What: "gradient of " + t.paramName(i)}
		}
	}
	t.snap.Save(t.params)
	t.opt.Step()
	what := ""
	for i, p := range t.params {
		if !allFinite(p.Value.RawMatrix().Data) {
			what = "weights of " + t.paramName(i)
			break
		}
	}
	if what == "" && t.state != nil && !t.state.StateFinite() {
		what = fmt.Sprintf("the state of the optimizer %T", t.opt)
	}
	if what != "" {
		t.snap.Restore(t.params)
		return 0, &DivergenceError{Epoch: w.epoch, Batch: w.batch, What: what}
	}
	return loss, nil
}

// paramName names parameter i as "<layer index> <layer> <param>", for
// messages.
func (t *Trainer) paramName(i int) string {
	k := 0
	for li, l := range t.model.layers {
		for _, p := range layerParams(l) {
			if k == i {
				return fmt.Sprintf("layer %d %v %s", li, l, p.Name)
			}
			k++
		}
	}
	return fmt.Sprintf("parameter %d", i)
}

// allFinite reports whether no element of v is NaN or ±Inf.
func allFinite(v []float64) bool { return kernel.AllFinite(v) }

// Scores are the results of Evaluate.
type Scores struct {
	// Loss is the criterion over every sample of the data, Σ w·l / Σ w
	// over its batches (see Epoch.Loss), whatever the batch size.
	Loss float64
	// Metrics maps each metric's name to its value.
	Metrics map[string]float64
}

// Evaluate returns the loss and the value of every metric over all samples
// of src, with the model in evaluation mode (it restores the previous
// mode). The loss is computed from the logits where the criterion fuses
// with the model's final layer (see CrossEntropy). It returns an error
// wrapping ErrData if the data does not fit the model or its total weight
// is 0, a *DivergenceError if the loss is not finite, and ctx.Err() when
// ctx is done (checked before every batch).
func (t *Trainer) Evaluate(ctx context.Context, src BatchSource) (Scores, error) {
	if t == nil || t.model == nil {
		return Scores{}, fmt.Errorf("%w: Evaluate: the Trainer was not made by NewTrainer", ErrSetting)
	}
	if ctx == nil {
		return Scores{}, fmt.Errorf("%w: Evaluate: nil context; use context.Background()", ErrSetting)
	}
	if err := t.checkSource("evaluation", src); err != nil {
		return Scores{}, err
	}
	wasTraining := t.model.Training()
	defer t.model.SetTraining(wasTraining)
	loss, vals, err := t.evaluate(ctx, where{"evaluation", t.epochs, 0}, src)
	if err != nil {
		return Scores{}, err
	}
	s := Scores{Loss: loss, Metrics: make(map[string]float64, len(vals))}
	for i, v := range vals {
		s.Metrics[t.names[i]] = v
	}
	return s, nil
}

// evaluate runs the model over every batch of src in evaluation mode and
// returns the loss over the set and the metric values.
func (t *Trainer) evaluate(ctx context.Context, w where, src BatchSource) (float64, []float64, error) {
	t.model.SetTraining(false)
	t.resetMetrics()
	last := t.model.layers[len(t.model.layers)-1]
	loss, err := t.pass(ctx, w, src, func(w where, b Batch) (float64, error) {
		out := t.model.forwardAs(t.s.DType, b.X)
		loss := criterionLoss(t.loss, last, out, b.Y)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			if err := t.nonFiniteData(w, b); err != nil {
				return 0, err
			}
			return 0, &DivergenceError{Epoch: w.epoch, Batch: w.batch, What: w.what + " loss"}
		}
		for _, m := range t.s.Metrics {
			m.Update(out, b.Y)
		}
		return loss, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return loss, t.metricValues(), nil
}

// resetMetrics resets every metric.
func (t *Trainer) resetMetrics() {
	for _, m := range t.s.Metrics {
		m.Reset()
	}
}

// metricValues returns the value of every metric, in order; the slice is
// never nil.
func (t *Trainer) metricValues() []float64 {
	vals := make([]float64, len(t.s.Metrics))
	for i, m := range t.s.Metrics {
		vals[i] = m.Value()
	}
	return vals
}

var (
	_ BatchSource   = (*DataLoader)(nil)
	_ DatasetSource = (*DataLoader)(nil)
)
