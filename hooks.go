package mlp

// Hook is called by Trainer.Fit after each completed epoch, with the
// history so far. Returning stop = true ends training after that epoch
// without error; returning an error ends it with that error.
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
}
