package mlp

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/testkit"
)

func TestScheduleRate(t *testing.T) {
	const tol = 1e-15 // absolute; every rate here is at most 0.1
	step := StepDecay{Step: 3, Gamma: 0.5}
	exp := ExponentialDecay{Gamma: 0.9}
	cos := CosineAnnealing{Epochs: 10, MinLR: 0.001}
	cases := []struct {
		s     Schedule
		base  float64
		epoch int
		want  float64
	}{
		// StepDecay: base·0.5^⌊epoch/3⌋.
		{step, 0.1, 0, 0.1},
		{step, 0.1, 1, 0.1},
		{step, 0.1, 2, 0.1},
		{step, 0.1, 3, 0.05},
		{step, 0.1, 4, 0.05},
		{step, 0.1, 5, 0.05},
		{step, 0.1, 6, 0.025},
		{step, 0.1, -1, 0.1},
		// ExponentialDecay: base·0.9^epoch.
		{exp, 0.1, 0, 0.1},
		{exp, 0.1, 1, 0.09},
		{exp, 0.1, 2, 0.081},
		{exp, 0.1, 5, 0.059049}, // 0.9^5 = 0.59049
		{exp, 0.1, -3, 0.1},
		// CosineAnnealing: 0.001 + 0.099·(1 + cos(π·epoch/10))/2.
		{cos, 0.1, 0, 0.1},
		{cos, 0.1, 2, 0.0905463412215599},   // cos(π/5) = 0.80901699437494742
		{cos, 0.1, 5, 0.0505},               // cos(π/2) = 0: halfway, 0.001 + 0.0495
		{cos, 0.1, 8, 0.010453658778440109}, // cos(4π/5) = -0.80901699437494742
		{cos, 0.1, 10, 0.001},
		{cos, 0.1, 11, 0.001},
		{cos, 0.1, 1000, 0.001},
		{cos, 0.1, -1, 0.1},
		{CosineAnnealing{Epochs: 4}, 0.1, 2, 0.05},
		{CosineAnnealing{Epochs: 4}, 0.1, 4, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%T%+v/epoch%d", c.s, c.s, c.epoch), func(t *testing.T) {
			if got := c.s.Rate(c.base, c.epoch); math.Abs(got-c.want) > tol {
				t.Errorf("Rate(%v, %d) = %.17g, want %.17g", c.base, c.epoch, got, c.want)
			}
		})
	}
}

// TestScheduleRateAtZero checks that every schedule starts exactly at the
// base rate, where the cosine formula alone could be off in the last bit.
func TestScheduleRateAtZero(t *testing.T) {
	schedules := []Schedule{
		StepDecay{Step: 1, Gamma: 0.1},
		StepDecay{Step: 7, Gamma: 3},
		ExponentialDecay{Gamma: 0.95},
		CosineAnnealing{Epochs: 1, MinLR: 0.1},
		CosineAnnealing{Epochs: 50, MinLR: 0.7},
	}
	for _, s := range schedules {
		for _, base := range []float64{0.3, 1e-3, 0.7, 1} {
			t.Run(fmt.Sprintf("%T%+v/base%v", s, s, base), func(t *testing.T) {
				if got := s.Rate(base, 0); got != base {
					t.Errorf("Rate(%v, 0) = %.17g", base, got)
				}
			})
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name  string
		s     Schedule
		field string // empty: valid
	}{
		{"StepDecay valid", StepDecay{Step: 1, Gamma: 0.5}, ""},
		{"StepDecay growth", StepDecay{Step: 2, Gamma: 2}, ""},
		{"StepDecay zero", StepDecay{}, "StepDecay.Step"},
		{"StepDecay Step zero", StepDecay{Step: 0, Gamma: 0.5}, "StepDecay.Step"},
		{"StepDecay Step negative", StepDecay{Step: -1, Gamma: 0.5}, "StepDecay.Step"},
		{"StepDecay Gamma zero", StepDecay{Step: 3}, "StepDecay.Gamma"},
		{"StepDecay Gamma negative", StepDecay{Step: 3, Gamma: -0.5}, "StepDecay.Gamma"},
		{"StepDecay Gamma NaN", StepDecay{Step: 3, Gamma: nan}, "StepDecay.Gamma"},
		{"StepDecay Gamma Inf", StepDecay{Step: 3, Gamma: inf}, "StepDecay.Gamma"},
		{"ExponentialDecay valid", ExponentialDecay{Gamma: 0.99}, ""},
		{"ExponentialDecay Gamma zero", ExponentialDecay{}, "ExponentialDecay.Gamma"},
		{"ExponentialDecay Gamma negative", ExponentialDecay{Gamma: -0.9}, "ExponentialDecay.Gamma"},
		{"ExponentialDecay Gamma NaN", ExponentialDecay{Gamma: nan}, "ExponentialDecay.Gamma"},
		{"ExponentialDecay Gamma Inf", ExponentialDecay{Gamma: inf}, "ExponentialDecay.Gamma"},
		{"CosineAnnealing valid", CosineAnnealing{Epochs: 10}, ""},
		{"CosineAnnealing MinLR", CosineAnnealing{Epochs: 10, MinLR: 1e-4}, ""},
		{"CosineAnnealing zero", CosineAnnealing{}, "CosineAnnealing.Epochs"},
		{"CosineAnnealing Epochs negative", CosineAnnealing{Epochs: -5}, "CosineAnnealing.Epochs"},
		{"CosineAnnealing MinLR negative", CosineAnnealing{Epochs: 10, MinLR: -1e-4}, "CosineAnnealing.MinLR"},
		{"CosineAnnealing MinLR NaN", CosineAnnealing{Epochs: 10, MinLR: nan}, "CosineAnnealing.MinLR"},
		{"CosineAnnealing MinLR Inf", CosineAnnealing{Epochs: 10, MinLR: inf}, "CosineAnnealing.MinLR"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, ok := c.s.(interface{ Validate() error })
			if !ok {
				t.Fatalf("%T has no Validate method", c.s)
			}
			err := v.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error naming %s", c.field)
			}
			if !errors.Is(err, ErrSetting) {
				t.Errorf("error %q does not wrap ErrSetting", err)
			}
			if !strings.Contains(err.Error(), c.field) {
				t.Errorf("error %q does not name %s", err, c.field)
			}
			// Rate panics with the same error.
			defer func() {
				r := recover()
				perr, ok := r.(error)
				if !ok || perr.Error() != err.Error() {
					t.Errorf("Rate panicked with %v, want %v", r, err)
				}
			}()
			c.s.Rate(0.1, 1)
		})
	}

	// NewTrainer refuses the same schedules.
	checkErrorCases(t, []errorCase{
		{"StepDecay step 0", func(t *testing.T) error {
			return newSmallTrainer(t, TrainerSettings{Schedule: StepDecay{Gamma: 0.5}})
		}, []error{ErrSetting}, []string{"StepDecay.Step", "got 0"}},
		{"ExponentialDecay gamma NaN", func(t *testing.T) error {
			return newSmallTrainer(t, TrainerSettings{Schedule: ExponentialDecay{Gamma: nan}})
		}, []error{ErrSetting}, []string{"ExponentialDecay.Gamma", "got NaN"}},
		{"CosineAnnealing epochs 0", func(t *testing.T) error {
			return newSmallTrainer(t, TrainerSettings{Schedule: CosineAnnealing{}})
		}, []error{ErrSetting}, []string{"CosineAnnealing.Epochs", "got 0"}},
		{"CosineAnnealing MinLR negative", func(t *testing.T) error {
			return newSmallTrainer(t, TrainerSettings{Schedule: &CosineAnnealing{Epochs: 3, MinLR: -1}})
		}, []error{ErrSetting}, []string{"CosineAnnealing.MinLR", "got -1"}},
	})
}

func TestScheduleRateAllocs(t *testing.T) {
	var sink float64
	for _, s := range []Schedule{StepDecay{Step: 3, Gamma: 0.5}, ExponentialDecay{Gamma: 0.9}, CosineAnnealing{Epochs: 10}} {
		t.Run(fmt.Sprintf("%T", s), func(t *testing.T) {
			epoch := 0
			if n := testing.AllocsPerRun(100, func() { sink += s.Rate(0.1, epoch); epoch++ }); n != 0 {
				t.Errorf("Rate allocates %v times, want 0", n)
			}
		})
	}
	_ = sink
}

// constantRate is a Schedule that always gives its value.
type constantRate float64

func (r constantRate) Rate(float64, int) float64 { return float64(r) }

// TestScheduleRateErrors checks that Fit stops with an error naming the
// epoch when a schedule gives a rate that is NaN or negative.
func TestScheduleRateErrors(t *testing.T) {
	nan := math.NaN()
	checkErrorCases(t, []errorCase{
		{"schedule gives NaN", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &CrossEntropy{}, TrainerSettings{Schedule: constantRate(nan)}, smallLabeled(t), nil)
		}, []error{ErrSetting}, []string{"learning rate NaN for epoch 0"}},
		{"schedule gives a negative rate", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &CrossEntropy{}, TrainerSettings{Schedule: constantRate(-1)}, smallLabeled(t), nil)
		}, []error{ErrSetting}, []string{"learning rate -1 for epoch 0"}},
	})
}

// TestCosineAnnealingToZero checks that Fit accepts a CosineAnnealing
// whose rate reaches 0.
func TestCosineAnnealingToZero(t *testing.T) {
	s := TrainerSettings{Schedule: CosineAnnealing{Epochs: 1}}
	if err := testkit.NoPanic(t, func() error { return fitSmall(t, smallNet(t), &CrossEntropy{}, s, smallLabeled(t), nil) }); err != nil {
		t.Error(err)
	}
}
