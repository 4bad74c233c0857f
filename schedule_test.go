package mlp

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
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
