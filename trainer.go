package mlp

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/mlpkit/mlp/internal/kernel"
)

// TrainerSettings configure a Trainer. The zero value trains with no
// validation metrics, no logging, no schedule and no clipping.
type TrainerSettings struct {
	// Metrics are computed over the validation loader after each epoch and
	// by Evaluate. Each is reset before use; a Metric must not be shared
	// with another Trainer that runs at the same time.
	Metrics []Metric

	// Log, when not nil, receives one line per logged epoch in the form
	//	epoch=  0 | loss= 0.878 | val_loss= 0.873 | val_accuracy= 0.968
	Log io.Writer
	// LogEvery logs every LogEvery-th epoch (epochs 0, k, 2k, ...) and the
	// last one. Zero means every epoch; negative is an error.
	LogEvery int

	// Hooks are called in order after each completed epoch; any of them can
	// stop training. EarlyStopping is one.
	Hooks []Hook

	// Schedule, when not nil, sets the optimizer's learning rate at the
	// start of each epoch to Schedule.Rate(base, epoch), where base is the
	// optimizer's learning rate when the Trainer is made.
	Schedule Schedule

	// ClipNorm, when positive, scales the gradients of each step so that
	// their global L2 norm is at most ClipNorm (see ClipGradNorm). Zero
	// means no clipping; negative or NaN is an error.
	ClipNorm float64
}

// Trainer trains a model with a criterion and an optimizer over mini-batches
// from a DataLoader, exactly one optimizer step per batch.
//
// A Trainer is not safe for concurrent use, and its model, criterion and
// optimizer must not be used elsewhere while Fit or Evaluate runs.
type Trainer struct {
	model  *Sequential
	loss   Loss
	opt    Optimizer
	s      TrainerSettings
	params []Param
	baseLR float64
	epochs int         // epochs completed over every Fit
	snap   [][]float64 // weights before the current step, for roll-back
	names  []string
}

// NewTrainer returns a Trainer for model, criterion loss and optimizer opt,
// which must have been made for model.Params(). It returns an error
// wrapping ErrSetting when a setting is out of range or an argument, a
// metric, a hook or the schedule is nil (a nil interface or a nil pointer).
// The settings are copied; s is not changed.
func NewTrainer(model *Sequential, loss Loss, opt Optimizer, s TrainerSettings) (*Trainer, error) {
	switch {
	case model == nil || len(model.layers) == 0:
		return nil, fmt.Errorf("%w: NewTrainer: model is nil or has no layers", ErrSetting)
	case isNil(loss):
		return nil, fmt.Errorf("%w: NewTrainer: loss is nil", ErrSetting)
	case isNil(opt):
		return nil, fmt.Errorf("%w: NewTrainer: optimizer is nil", ErrSetting)
	case s.Log != nil && isNil(s.Log):
		return nil, fmt.Errorf("%w: TrainerSettings.Log is a nil %T", ErrSetting, s.Log)
	case s.LogEvery < 0:
		return nil, fmt.Errorf("%w: TrainerSettings.LogEvery must be >= 0, got %d", ErrSetting, s.LogEvery)
	case !(s.ClipNorm >= 0) || math.IsInf(s.ClipNorm, 1):
		return nil, fmt.Errorf("%w: TrainerSettings.ClipNorm must be >= 0 and finite, got %v", ErrSetting, s.ClipNorm)
	}
	if s.Schedule != nil && isNil(s.Schedule) {
		return nil, fmt.Errorf("%w: TrainerSettings.Schedule is a nil %T", ErrSetting, s.Schedule)
	}
	if v, ok := s.Schedule.(interface{ Validate() error }); ok && s.Schedule != nil {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	t := &Trainer{model: model, loss: loss, opt: opt, s: s, baseLR: opt.LearningRate()}
	t.s.Metrics = append([]Metric(nil), s.Metrics...)
	t.s.Hooks = append([]Hook(nil), s.Hooks...)
	for i, m := range t.s.Metrics {
		if isNil(m) {
			return nil, fmt.Errorf("%w: TrainerSettings.Metrics[%d] is nil", ErrSetting, i)
		}
		t.names = append(t.names, m.Name())
	}
	for i, h := range t.s.Hooks {
		if isNil(h) {
			return nil, fmt.Errorf("%w: TrainerSettings.Hooks[%d] is nil", ErrSetting, i)
		}
	}
	t.params = model.Params()
	t.snap = make([][]float64, len(t.params))
	for i, p := range t.params {
		t.snap[i] = make([]float64, len(p.Value.RawMatrix().Data))
	}
	return t, nil
}

// Model returns the model the Trainer trains.
func (t *Trainer) Model() *Sequential { return t.model }

// checkData returns an error wrapping ErrData unless the data of l fits the
// model, criterion and metrics: the feature count, the label range, the
// number of target columns, the kind of targets each built-in metric reads,
// and finite values. It reads the matrices the loader gathers its batches
// from, which are those of its Dataset when the loader was made.
func (t *Trainer) checkData(what string, l *DataLoader) error {
	if err := t.model.check("model"); err != nil {
		return err
	}
	if l == nil {
		return fmt.Errorf("%w: %s loader is nil", ErrData, what)
	}
	if l.x == nil {
		return fmt.Errorf("%w: %s loader was not made by NewDataLoader", ErrData, what)
	}
	if _, f := l.x.Dims(); f != t.model.InputSize() {
		return fmt.Errorf("%w: %s data has %d features, the model takes %d", ErrData, what, f, t.model.InputSize())
	}
	out := t.model.OutputSize()
	switch {
	case l.labels != nil:
		if _, ok := t.loss.(interface{ acceptsValues() }); ok {
			return fmt.Errorf("%w: %s data has class labels, but the loss needs real-valued targets", ErrData, what)
		}
		limit := out
		if _, ce := t.loss.(*CrossEntropy); out == 1 && !ce {
			limit = 2 // one sigmoid output: labels 0 and 1
		}
		for i, y := range l.labels {
			if y < 0 || y >= limit {
				return fmt.Errorf("%w: %s label %d of sample %d is outside [0, %d) for a model with %d outputs",
					ErrData, what, y, i, limit, out)
			}
		}
	case l.values != nil:
		if _, ok := t.loss.(interface{ acceptsValues() }); !ok {
			return fmt.Errorf("%w: %s data has real-valued targets, but the loss needs class labels", ErrData, what)
		}
		if _, c := l.values.Dims(); c != out {
			return fmt.Errorf("%w: %s data has %d target columns, the model has %d outputs", ErrData, what, c, out)
		}
	}
	for _, m := range t.s.Metrics {
		switch m.(type) {
		case *Accuracy, *MacroF1, *MacroPrecision, *MacroRecall:
			if l.labels == nil {
				return fmt.Errorf("%w: metric %q needs class labels, but the %s data has real-valued targets", ErrData, m.Name(), what)
			}
		case *RMSE, *MAE, *R2:
			if l.values == nil {
				return fmt.Errorf("%w: metric %q needs real-valued targets, but the %s data has class labels", ErrData, m.Name(), what)
			}
		}
	}
	if err := checkFinite(what+" feature", l.x); err != nil {
		return err
	}
	if l.values != nil {
		if err := checkFinite(what+" target", l.values); err != nil {
			return err
		}
	}
	if v, ok := t.loss.(interface{ Validate(classes int) error }); ok {
		if err := v.Validate(out); err != nil {
			return err
		}
	}
	return nil
}

// Fit trains for the given number of epochs over train, evaluating on val
// after each epoch when val is not nil, and returns the history of the
// completed epochs.
//
// Before the first step it checks both loaders' data against the model
// (feature count, label range, target columns, the targets each built-in
// metric reads, NaN and Inf) and returns an error wrapping ErrData if they
// do not fit; a negative epochs or a nil ctx gives an error wrapping
// ErrSetting. Training stops early, with the history so far and
//   - a *DivergenceError (wrapping ErrDiverged) when a step would leave a
//     non-finite loss, gradient or weight; the model keeps the weights from
//     before that step;
//   - ctx.Err() when ctx is done, checked before every batch; the model
//     keeps the weights of the last completed step;
//   - an error wrapping ErrSetting when the Schedule gives a negative, NaN
//     or infinite learning rate;
//   - the error of a Hook, or none when a Hook asks to stop.
//
// The model is in training mode during training epochs and in evaluation
// mode while it is evaluated; Fit leaves it in evaluation mode. Apart from
// the history, an epoch allocates nothing.
func (t *Trainer) Fit(ctx context.Context, train, val *DataLoader, epochs int) (*History, error) {
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
	if err := t.checkData("training", train); err != nil {
		return h, err
	}
	if val != nil {
		if err := t.checkData("validation", val); err != nil {
			return h, err
		}
	}
	defer t.model.SetTraining(false)
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
		loss, err := t.trainEpoch(ctx, epoch, train)
		if err != nil {
			return h, err
		}
		rec.Loss = loss
		if val != nil {
			vl, vm, err := t.evaluate(val)
			if err != nil {
				return h, err
			}
			rec.ValLoss, rec.ValMetrics = vl, vm
		}
		t.epochs++
		h.Epochs = append(h.Epochs, rec)
		t.log(rec, e == epochs-1)
		for _, hook := range t.s.Hooks {
			stop, err := hook.AfterEpoch(EpochEnd{Epoch: epoch, Last: e == epochs-1, History: h, Model: t.model})
			if err != nil {
				return h, err
			}
			if stop {
				return h, nil
			}
		}
	}
	return h, nil
}

// trainEpoch runs one epoch of steps and returns the mean training loss.
func (t *Trainer) trainEpoch(ctx context.Context, epoch int, l *DataLoader) (float64, error) {
	t.model.SetTraining(true)
	var sum float64
	var n int
	l.Reset()
	for l.Next() {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		b := l.Batch()
		loss, err := t.step(epoch, l.BatchIndex(), b)
		if err != nil {
			return 0, err
		}
		rows := b.Y.Len()
		sum += loss * float64(rows)
		n += rows
	}
	return sum / float64(n), nil
}

// step does one forward, backward and optimizer step on b, rolling back if
// the result is not finite.
func (t *Trainer) step(epoch, batch int, b Batch) (float64, error) {
	t.model.Forward(b.X)
	loss := backprop(t.model, t.loss, b.Y, false)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, &DivergenceError{Epoch: epoch, Batch: batch, What: "loss"}
	}
	if t.s.ClipNorm > 0 {
		ClipGradNorm(t.params, t.s.ClipNorm)
	}
	for i, p := range t.params {
		if !allFinite(p.Grad.RawMatrix().Data) {
			return 0, &DivergenceError{Epoch: epoch, Batch: batch, What: "gradient of " + t.paramName(i)}
		}
		copy(t.snap[i], p.Value.RawMatrix().Data)
	}
	t.opt.Step()
	for i, p := range t.params {
		if !allFinite(p.Value.RawMatrix().Data) {
			for k, q := range t.params {
				copy(q.Value.RawMatrix().Data, t.snap[k])
			}
			return 0, &DivergenceError{Epoch: epoch, Batch: batch, What: "weights of " + t.paramName(i)}
		}
	}
	return loss, nil
}

// paramName names parameter i as "<layer index> <layer> <param>", for
// messages.
func (t *Trainer) paramName(i int) string {
	k := 0
	for li, l := range t.model.Layers() {
		for _, p := range l.Params() {
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
	// Loss is the criterion's mean over every sample of the loader.
	Loss float64
	// Metrics maps each metric's name to its value.
	Metrics map[string]float64
}

// Evaluate returns the mean loss and the value of every metric over all
// samples of l, with the model in evaluation mode (it restores the previous
// mode). It returns an error wrapping ErrData if the data does not fit the
// model.
func (t *Trainer) Evaluate(l *DataLoader) (Scores, error) {
	if t == nil || t.model == nil {
		return Scores{}, fmt.Errorf("%w: Evaluate: the Trainer was not made by NewTrainer", ErrSetting)
	}
	if err := t.checkData("evaluation", l); err != nil {
		return Scores{}, err
	}
	wasTraining := t.model.Training()
	defer t.model.SetTraining(wasTraining)
	loss, vals, err := t.evaluate(l)
	if err != nil {
		return Scores{}, err
	}
	s := Scores{Loss: loss, Metrics: make(map[string]float64, len(vals))}
	for i, v := range vals {
		s.Metrics[t.names[i]] = v
	}
	return s, nil
}

// evaluate runs the model over every batch of l in evaluation mode and
// returns the mean loss and the metric values.
func (t *Trainer) evaluate(l *DataLoader) (float64, []float64, error) {
	t.model.SetTraining(false)
	for _, m := range t.s.Metrics {
		m.Reset()
	}
	var sum float64
	var n int
	l.Reset()
	for l.Next() {
		b := l.Batch()
		out := t.model.Forward(b.X)
		rows := b.Y.Len()
		sum += t.loss.Loss(out, b.Y) * float64(rows)
		n += rows
		for _, m := range t.s.Metrics {
			m.Update(out, b.Y)
		}
	}
	vals := make([]float64, len(t.s.Metrics))
	for i, m := range t.s.Metrics {
		vals[i] = m.Value()
	}
	return sum / float64(n), vals, nil
}

// log writes the epoch's line when logging is on and the epoch is due.
func (t *Trainer) log(e Epoch, last bool) {
	if t.s.Log == nil {
		return
	}
	if k := t.s.LogEvery; k > 1 && e.Epoch%k != 0 && !last {
		return
	}
	line := fmt.Sprintf("epoch=%3d | loss=%6.3f", e.Epoch, e.Loss)
	if !math.IsNaN(e.ValLoss) {
		line += fmt.Sprintf(" | val_loss=%6.3f", e.ValLoss)
	}
	for i, v := range e.ValMetrics {
		line += fmt.Sprintf(" | val_%s=%6.3f", t.names[i], v)
	}
	fmt.Fprintln(t.s.Log, line)
}

var _ Hook = (*EarlyStopping)(nil)
