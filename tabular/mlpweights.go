package tabular

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// MLPWeights are the weights and biases of the net of an MLPClassifier or
// MLPRegressor in scikit-learn's layout: Coefs[i] is the weight matrix of
// layer i, fan_in×fan_out (scikit-learn's coefs_[i]; the input of the layer
// times Coefs[i] plus Intercepts[i] is its output), and Intercepts[i] its
// fan_out biases (intercepts_[i]). Layer 0 reads the preprocessed features
// (FittedMLP.Pipeline().Columns order, one-hot columns expanded); the last
// layer gives one output per class, one for two classes (the logit of the
// second class), or one per target column (standardized).
//
// FittedMLP.Weights returns them and MLPSettings.InitialWeights takes them.
type MLPWeights struct {
	Coefs      []*mat.Dense
	Intercepts [][]float64
}

// check returns an error wrapping ErrSetting unless w fits the net of the
// given widths (inputs, hidden widths, outputs) and holds only finite
// numbers. field names w in the message.
func (w *MLPWeights) check(field string, widths []int) error {
	layers := len(widths) - 1
	if len(w.Coefs) != layers || len(w.Intercepts) != layers {
		return fmt.Errorf("%w: %s has %d Coefs and %d Intercepts; the net %v has %d layers",
			mlp.ErrSetting, field, len(w.Coefs), len(w.Intercepts), widths, layers)
	}
	for i := range layers {
		in, out := widths[i], widths[i+1]
		c := w.Coefs[i]
		if c == nil || c.IsEmpty() {
			return fmt.Errorf("%w: %s.Coefs[%d] is empty; the net %v needs %d×%d", mlp.ErrSetting, field, i, widths, in, out)
		}
		if r, k := c.Dims(); r != in || k != out {
			return fmt.Errorf("%w: %s.Coefs[%d] is %d×%d; the net %v needs %d×%d", mlp.ErrSetting, field, i, r, k, widths, in, out)
		}
		if len(w.Intercepts[i]) != out {
			return fmt.Errorf("%w: %s.Intercepts[%d] has %d values; the net %v needs %d", mlp.ErrSetting, field, i, len(w.Intercepts[i]), widths, out)
		}
		for r := range in {
			for k, v := range c.RawRowView(r) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("%w: %s.Coefs[%d][%d][%d] is %v", mlp.ErrSetting, field, i, r, k, v)
				}
			}
		}
		for k, v := range w.Intercepts[i] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: %s.Intercepts[%d][%d] is %v", mlp.ErrSetting, field, i, k, v)
			}
		}
	}
	return nil
}

// weightsOf returns a copy of the weights of a net built by mlpDefaults.build,
// whose parameters are the weight matrix and bias row of each Linear layer,
// in order.
func weightsOf(net *mlp.Sequential) *MLPWeights {
	ps := net.Params()
	w := &MLPWeights{}
	for i := 0; i+1 < len(ps); i += 2 {
		w.Coefs = append(w.Coefs, mat.DenseCopyOf(ps[i].Value))
		w.Intercepts = append(w.Intercepts, append([]float64(nil), ps[i+1].Value.RawMatrix().Data...))
	}
	return w
}
