package mlp

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate of each epoch from the base rate the
// optimizer was made with. A trainer asks it once per epoch, before the
// epoch's first step; epoch counts from 0.
//
// The schedules of this package return base at epoch 0, compute the rate
// from base and epoch alone (the closed forms of the PyTorch schedulers,
// so skipping or repeating epochs changes nothing), treat a negative epoch
// as 0, and have a Validate method that a trainer calls before the first
// epoch. Their Rate panics with the error of Validate when the settings are
// invalid. They allocate nothing and are safe for concurrent use.
type Schedule interface {
	Rate(base float64, epoch int) float64
}

var (
	_ Schedule = StepDecay{}
	_ Schedule = ExponentialDecay{}
	_ Schedule = CosineAnnealing{}
)

// StepDecay multiplies the learning rate by Gamma every Step epochs, as
// PyTorch's StepLR:
//
//	rate = base·Gamma^⌊epoch/Step⌋
type StepDecay struct {
	// Step is the number of epochs between decays; it must be positive.
	Step int
	// Gamma is the factor applied at each decay; it must be positive and
	// finite (usually below 1).
	Gamma float64
}

// Validate returns an error wrapping ErrSetting, naming the field, unless
// Step is positive and Gamma is positive and finite.
func (s StepDecay) Validate() error {
	if s.Step <= 0 {
		return fmt.Errorf("%w: StepDecay.Step must be positive, got %d", ErrSetting, s.Step)
	}
	return checkGamma("StepDecay.Gamma", s.Gamma)
}

// Rate returns base·Gamma^⌊epoch/Step⌋. It panics if Validate fails.
func (s StepDecay) Rate(base float64, epoch int) float64 {
	if err := s.Validate(); err != nil {
		panic(misuseWrap(err))
	}
	epoch = max(epoch, 0)
	return base * math.Pow(s.Gamma, float64(epoch/s.Step))
}

// ExponentialDecay multiplies the learning rate by Gamma every epoch, as
// PyTorch's ExponentialLR:
//
//	rate = base·Gamma^epoch
type ExponentialDecay struct {
	// Gamma is the factor applied each epoch; it must be positive and
	// finite (usually below 1).
	Gamma float64
}

// Validate returns an error wrapping ErrSetting, naming the field, unless
// Gamma is positive and finite.
func (s ExponentialDecay) Validate() error {
	return checkGamma("ExponentialDecay.Gamma", s.Gamma)
}

// Rate returns base·Gamma^epoch. It panics if Validate fails.
func (s ExponentialDecay) Rate(base float64, epoch int) float64 {
	if err := s.Validate(); err != nil {
		panic(misuseWrap(err))
	}
	epoch = max(epoch, 0)
	return base * math.Pow(s.Gamma, float64(epoch))
}

// CosineAnnealing lowers the learning rate from base to MinLR along half a
// cosine over Epochs epochs, with the closed form of PyTorch's
// CosineAnnealingLR:
//
//	rate = MinLR + (base-MinLR)·(1 + cos(π·epoch/Epochs))/2
//
// From epoch Epochs on the rate stays at MinLR; PyTorch's closed form would
// rise again (it is periodic), which no single annealing run wants.
type CosineAnnealing struct {
	// Epochs is the number of epochs the rate takes to reach MinLR; it
	// must be positive. It is usually the number of training epochs.
	Epochs int
	// MinLR >= 0 is the final learning rate; zero anneals to zero.
	MinLR float64
}

// Validate returns an error wrapping ErrSetting, naming the field, unless
// Epochs is positive and MinLR is non-negative and finite.
func (s CosineAnnealing) Validate() error {
	if s.Epochs <= 0 {
		return fmt.Errorf("%w: CosineAnnealing.Epochs must be positive, got %d", ErrSetting, s.Epochs)
	}
	if !(s.MinLR >= 0) || math.IsInf(s.MinLR, 1) {
		return fmt.Errorf("%w: CosineAnnealing.MinLR must be >= 0 and finite, got %v", ErrSetting, s.MinLR)
	}
	return nil
}

// Rate returns MinLR + (base-MinLR)·(1 + cos(π·epoch/Epochs))/2 with epoch
// clamped to [0, Epochs]; it is exactly base at epoch 0 and exactly MinLR
// from epoch Epochs on. It panics if Validate fails.
func (s CosineAnnealing) Rate(base float64, epoch int) float64 {
	if err := s.Validate(); err != nil {
		panic(misuseWrap(err))
	}
	switch {
	case epoch <= 0:
		return base
	case epoch >= s.Epochs:
		return s.MinLR
	}
	return s.MinLR + float64((base-s.MinLR)*(1+math.Cos(math.Pi*float64(epoch)/float64(s.Epochs)))/2)
}

// checkGamma returns an error unless gamma, the named field, is positive
// and finite.
func checkGamma(field string, gamma float64) error {
	if !(gamma > 0) || math.IsInf(gamma, 1) {
		return fmt.Errorf("%w: %s must be positive and finite, got %v", ErrSetting, field, gamma)
	}
	return nil
}
