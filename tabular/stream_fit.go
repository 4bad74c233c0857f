package tabular

import (
	"context"
	"fmt"
	"strconv"

	"github.com/mlpkit/mlp"
)

// FitStream trains the classifier on the training rows of s, reading the
// file once per epoch, as Fit trains it on a Table of those rows: the
// preprocessing is CSVStream.Preprocessor's with c.Preprocess, the classes
// those of the training rows, and the net, its initialisation, Adam, the
// L2 penalty and the stopping rule are Fit's. The difference is the order
// of the rows: rather than a new permutation of all rows each epoch, the
// rows pass in file order through a shuffle buffer of
// StreamSettings.ShuffleBuffer rows (tf.data's shuffle), drawing from
// rand.NewPCG(Seed, 2), so a buffer at least as large as the data gives a
// uniform random order (another one than Fit's) and a smaller one mixes
// rows only within that distance. NoShuffle gives file order. The same
// Seed and settings give the same model, whatever StreamSettings.ChunkRows.
// With StreamSettings.ScoreHeldOut the held-out rows are scored after
// every epoch, as with Monitor.
//
// Memory: the shuffle buffer (8 bytes per preprocessed value), at most
// four chunks of ChunkRows rows, the net and its Adam state; nothing grows
// with the number of rows. A goroutine reads and preprocesses the next
// chunks while the net trains.
//
// Its errors are Fit's, an error of reading (wrapping mlp.ErrData when the
// file changed since NewCSVStream), and one wrapping mlp.ErrSetting for
// EarlyStopping, ValidationRows, Monitor, ClassWeight or
// BalancedClassWeight, which FitStream does not support (the held-out rows
// of StreamSettings.ValidationFraction play Monitor's part), and for a
// stream whose task is not classification.
func (c MLPClassifier) FitStream(ctx context.Context, s *CSVStream) (*FittedMLP, error) {
	return fitStream(ctx, MLPSettings(c), "MLPClassifier", s, Classification)
}

// FitStream trains the regressor on the training rows of s as
// MLPClassifier.FitStream trains a classifier, on the targets standardized
// with the mean and standard deviation of their training values. Its
// errors are those of MLPClassifier.FitStream, for a stream whose task is
// regression.
func (r MLPRegressor) FitStream(ctx context.Context, s *CSVStream) (*FittedMLP, error) {
	return fitStream(ctx, MLPSettings(r), "MLPRegressor", s, Regression)
}

// fitStream is FitStream for the estimator name and the task.
func fitStream(ctx context.Context, set MLPSettings, name string, s *CSVStream, task Task) (*FittedMLP, error) {
	d, err := set.resolve(name)
	if err != nil {
		return nil, err
	}
	unsupported := func(field string) error {
		return fmt.Errorf("%w: %s.%s is not supported by FitStream (the held-out rows of StreamSettings.ValidationFraction are scored instead: StreamSettings.ScoreHeldOut)",
			mlp.ErrSetting, name, field)
	}
	switch {
	case s == nil:
		return nil, fmt.Errorf("%w: %s.FitStream: nil CSVStream; make it with NewCSVStream", mlp.ErrSetting, name)
	case d.EarlyStopping:
		return nil, unsupported("EarlyStopping")
	case d.ValidationRows != nil:
		return nil, unsupported("ValidationRows")
	case d.Monitor != nil:
		return nil, unsupported("Monitor")
	case d.ClassWeight != nil || d.BalancedClassWeight:
		return nil, fmt.Errorf("%w: %s.ClassWeight and BalancedClassWeight are not supported by FitStream", mlp.ErrSetting, name)
	case len(s.order) == 0:
		return nil, fmt.Errorf("%w: %s.FitStream: the stream has no target column; name it with StreamSettings.Targets", mlp.ErrData, name)
	case s.task != task:
		return nil, fmt.Errorf("%w: %s.FitStream: the stream's task is %v (%s)", mlp.ErrData, name, s.task, s.taskNote)
	}
	prep, err := s.Preprocessor(d.Preprocess)
	if err != nil {
		return nil, err
	}
	var (
		enc     *LabelEncoder
		ts      *mlp.TargetScaler
		outputs int
		last    mlp.Layer
		loss    mlp.Loss
		score   mlp.Metric
	)
	if task == Classification {
		if enc, err = s.labelEncoder(name); err != nil {
			return nil, err
		}
		outputs, last, loss, score = len(enc.Classes), &mlp.Softmax{}, &mlp.CrossEntropy{}, &mlp.Accuracy{}
		if outputs == 2 {
			outputs, last, loss = 1, &mlp.Sigmoid{}, &mlp.BinaryCrossEntropy{}
		}
	} else {
		if ts, err = s.targetScaler(); err != nil {
			return nil, err
		}
		outputs, loss, score = len(s.order), &squaredLoss{}, &mlp.R2{}
	}
	batch := d.BatchSize
	if batch == 0 {
		batch = 200
	}
	batch = min(batch, s.trainRows)
	net, weights, err := d.build(prep.Width(), outputs, batch, last)
	if err != nil {
		return nil, err
	}
	adam := newSklearnAdam(net.Params(), d.LearningRateInit, d.Beta1, d.Beta2, d.Epsilon)
	pen, opt, err := mlp.NewL2Penalty(loss, adam, weights, d.Alpha)
	if err != nil {
		return nil, err
	}
	train, err := s.newSource(false, prep, enc, ts, batch, !d.NoShuffle, d.Seed)
	if err != nil {
		return nil, err
	}
	defer train.Close()
	sources := []*streamSource{train}
	var val mlp.BatchSource
	ts2 := mlp.TrainerSettings{}
	if s.s.ScoreHeldOut && s.heldRows > 0 {
		v, err := s.newSource(true, prep, enc, ts, min(batch, s.heldRows), false, d.Seed)
		if err != nil {
			return nil, err
		}
		defer v.Close()
		sources, val, ts2.Metrics = append(sources, v), v, []mlp.Metric{score}
	}
	stop := &noImprovement{tol: d.Tol, patience: d.NIterNoChange}
	// The read's errors end Fit before the stopping rule sees the epoch.
	ts2.Hooks = []mlp.Hook{mlp.HookFunc(func(mlp.EpochEnd) (bool, error) { return false, readError(sources) }), stop}
	if d.Log != nil {
		ts2.Hooks = append(ts2.Hooks, &mlp.ProgressLogger{W: d.Log})
	}
	ts2.Hooks = append(ts2.Hooks, d.Hooks...)
	tr, err := mlp.NewTrainer(net, pen, opt, ts2)
	if err != nil {
		return nil, err
	}
	h, err := tr.Fit(ctx, train, val, d.MaxIter)
	if e := readError(sources); e != nil {
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	run := &mlpRun{net: net, history: h, stop: d.convergence(stop, h, score)}
	shell := s.shell()
	run.prov = newProvenance(&d, shell, run)
	run.prov.TrainingRows = s.trainRows
	run.prov.Settings["stream_shuffle_buffer"] = strconv.Itoa(s.s.ShuffleBuffer)
	if s.s.ValidationFraction > 0 {
		run.prov.Settings["stream_validation_fraction"] = strconv.FormatFloat(s.s.ValidationFraction, 'g', -1, 64)
		run.prov.Settings["stream_validation_seed"] = strconv.FormatUint(s.s.Seed, 10)
	}
	return newFittedMLP(shell, prep, enc, ts, run)
}

// readError returns the first error of the sources' reads.
func readError(sources []*streamSource) error {
	for _, src := range sources {
		if err := src.Err(); err != nil {
			return err
		}
	}
	return nil
}
