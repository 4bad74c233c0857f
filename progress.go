package mlp

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// ProgressLogger is a Hook that writes one line per logged epoch to W, with
// the figures named as in History (Keras's names):
//
//	epoch=  0 | loss= 0.878 | accuracy= 0.712 | val_loss= 0.873 | val_accuracy= 0.968
//
// where the training metrics appear when TrainerSettings.TrainMetrics is
// set and the validation figures when Fit has validation data. It logs the
// epochs 0, Every, 2·Every, ... and the last epoch Fit was asked for. Put it
// first among the hooks to log an epoch after which another hook stops
// training.
//
// A write error stops Fit with that error. The Trainer itself writes
// nothing; ProgressLogger is how its progress is printed. A ProgressLogger
// is not safe for concurrent use by two trainers (its writer would be
// shared).
type ProgressLogger struct {
	// W receives the lines. It is required.
	W io.Writer
	// Every logs every Every-th epoch and the last one. Zero or 1 means
	// every epoch; negative is an error.
	Every int
}

// Validate returns an error wrapping ErrSetting when W is nil or Every is
// negative.
func (p *ProgressLogger) Validate() error {
	switch {
	case isNil(p.W):
		return fmt.Errorf("%w: ProgressLogger.W is nil", ErrSetting)
	case p.Every < 0:
		return fmt.Errorf("%w: ProgressLogger.Every must be >= 0, got %d", ErrSetting, p.Every)
	}
	return nil
}

// AfterEpoch writes the epoch's line when it is due. It never stops
// training; it returns the error of W.
func (p *ProgressLogger) AfterEpoch(e EpochEnd) (bool, error) {
	last, ok := e.History.Last()
	if !ok {
		return false, nil
	}
	if k := p.Every; k > 1 && last.Epoch%k != 0 && !e.Last {
		return false, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "epoch=%3d | loss=%6.3f", last.Epoch, last.Loss)
	names := e.History.MetricNames
	for i, v := range last.Metrics[:min(len(last.Metrics), len(names))] {
		fmt.Fprintf(&b, " | %s=%6.3f", names[i], v)
	}
	if !math.IsNaN(last.ValLoss) {
		fmt.Fprintf(&b, " | val_loss=%6.3f", last.ValLoss)
	}
	for i, v := range last.ValMetrics[:min(len(last.ValMetrics), len(names))] {
		fmt.Fprintf(&b, " | val_%s=%6.3f", names[i], v)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(p.W, b.String())
	return false, err
}

var (
	_ Hook      = (*ProgressLogger)(nil)
	_ Validator = (*ProgressLogger)(nil)
)
