package mlp

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestNilArgumentsMisuse checks that nil arguments and receivers give a
// panic wrapping ErrMisuse naming the method, an error wrapping ErrSetting,
// or "<nil>" text, never a runtime nil dereference.
func TestNilArgumentsMisuse(t *testing.T) {
	m, err := NewSequential(NewLinear(2, 2, rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	panics := []struct {
		name string
		f    func()
	}{
		{"Classify", func() { Classify(nil, nil) }},
		{"Backprop", func() { Backprop(nil, &MSE{}, Targets{}) }},
		{"Backprop", func() { Backprop(m, nil, Targets{}) }},
		{"Sequential.Forward", func() { m.Forward(nil) }},
		{"Accuracy.Update", func() { (&Accuracy{}).Update(nil, Targets{}) }},
		{"DataLoader.Next", func() { (*DataLoader)(nil).Next() }},
	}
	for _, c := range panics {
		func() {
			defer func() {
				r := recover()
				err, ok := r.(error)
				if !ok || !errors.Is(err, ErrMisuse) || !strings.Contains(err.Error(), c.name) {
					t.Errorf("%s: panic %v, want an error wrapping ErrMisuse naming it", c.name, r)
				}
			}()
			c.f()
		}()
	}
	errs := []struct {
		name string
		f    func() error
	}{
		{"History.Metric", func() error { _, err := (*History)(nil).Metric("loss"); return err }},
		{"Linear.SetParams", func() error { return (*Linear)(nil).SetParams(mat.NewDense(1, 1, nil), []float64{0}) }},
	}
	for _, c := range errs {
		if err := c.f(); !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error %v, want one wrapping ErrSetting naming it", c.name, err)
		}
	}
	for name, s := range map[string]string{
		"Sequential":      (*Sequential)(nil).String(),
		"ConfusionMatrix": (*ConfusionMatrix)(nil).String(),
	} {
		if !strings.Contains(s, "<nil>") {
			t.Errorf("nil %s.String() = %q, want <nil> text", name, s)
		}
	}
}
