package mlp

// Hook is called by Trainer.Fit after each completed epoch, with the
// history so far. Returning stop = true ends training after that epoch
// without error; returning an error ends it with that error. Hooks run in
// the order of TrainerSettings.Hooks; once one stops training, those after
// it are not called for that epoch.
//
// A hook may also implement Validator (NewTrainer checks its settings) and
// FitEnder (Fit calls it once when training ends normally). Hooks that keep
// state (EarlyStopping, ProgressLogger) are not safe for concurrent use:
// give each Trainer that runs at the same time its own.
type Hook interface {
	AfterEpoch(e EpochEnd) (stop bool, err error)
}

// HookFunc adapts a function to the Hook interface.
type HookFunc func(e EpochEnd) (stop bool, err error)

// AfterEpoch calls f(e).
func (f HookFunc) AfterEpoch(e EpochEnd) (bool, error) { return f(e) }

// EpochEnd is what a Hook sees after an epoch.
type EpochEnd struct {
	// Epoch is the 0-based index of the epoch that ended, counted over
	// every Fit of the Trainer.
	Epoch int
	// Last reports whether it was the last epoch this Fit was asked for.
	Last bool
	// History holds every epoch of this Fit so far, this one included.
	History *History
	// Model is the model being trained.
	Model *Sequential
	// Metrics are the Trainer's metrics, in the order of
	// History.MetricNames, for their capabilities (Goaler); a hook must not
	// call their Update or Reset.
	Metrics []Metric
}
