package mlp

// Epoch holds the figures of one completed epoch.
type Epoch struct {
	// Epoch is the 0-based index of the epoch over every Fit of the Trainer.
	Epoch int
	// LR is the learning rate used during the epoch.
	LR float64
	// Loss is the mean training loss over all samples of the epoch (the
	// mean of the batch losses weighted by batch size), measured as each
	// batch was trained.
	Loss float64
	// ValLoss is the mean loss over the whole validation loader after the
	// epoch, NaN without a validation loader.
	ValLoss float64
	// ValMetrics holds the value of each of the Trainer's Metrics on the
	// validation loader, in the order of History.MetricNames; nil without a
	// validation loader.
	ValMetrics []float64
}

// History is the record of a Fit: one Epoch per completed epoch.
type History struct {
	// MetricNames are the names of the Trainer's metrics, in order.
	MetricNames []string
	// Epochs holds the completed epochs, in order.
	Epochs []Epoch
}

// Losses returns the training loss of each epoch.
func (h *History) Losses() []float64 {
	v := make([]float64, len(h.Epochs))
	for i, e := range h.Epochs {
		v[i] = e.Loss
	}
	return v
}

// ValLosses returns the validation loss of each epoch.
func (h *History) ValLosses() []float64 {
	v := make([]float64, len(h.Epochs))
	for i, e := range h.Epochs {
		v[i] = e.ValLoss
	}
	return v
}

// Metric returns the validation value of the named metric for each epoch,
// or nil if there is no such metric or no validation data.
func (h *History) Metric(name string) []float64 {
	k := -1
	for i, n := range h.MetricNames {
		if n == name {
			k = i
		}
	}
	if k < 0 {
		return nil
	}
	v := make([]float64, 0, len(h.Epochs))
	for _, e := range h.Epochs {
		if e.ValMetrics == nil {
			return nil
		}
		v = append(v, e.ValMetrics[k])
	}
	return v
}

// Last returns the last completed epoch and false if there is none.
func (h *History) Last() (Epoch, bool) {
	if h == nil || len(h.Epochs) == 0 {
		return Epoch{}, false
	}
	return h.Epochs[len(h.Epochs)-1], true
}
