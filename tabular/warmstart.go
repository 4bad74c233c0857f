package tabular

import (
	"github.com/mlpkit/mlp"

	"fmt"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// NetSettings returns the MLPSettings that describe p's network, as
// MLPClassifier and MLPRegressor build it: HiddenLayerSizes and Activation,
// the other fields zero. The network must be Linear layers with one
// activation between each two (ReLU, Tanh or Sigmoid, the same each time;
// none for "identity") and, for a classifier, a Sigmoid over one output
// (two classes) or a Softmax over one output per class (three or more)
// after the last; it returns an error wrapping mlp.ErrSetting, naming the
// layer, for any other network (one imported from ONNX with other
// layers, say). It allocates the widths.
func NetSettings(p *Pipeline) (MLPSettings, error) {
	if err := p.usable("NetSettings"); err != nil {
		return MLPSettings{}, err
	}
	bad := func(i int, l mlp.Layer, why string) (MLPSettings, error) {
		return MLPSettings{}, fmt.Errorf("%w: the pipeline's network is not a multi-layer perceptron of MLPClassifier's or MLPRegressor's form: layer %d, %v, %s",
			mlp.ErrSetting, i, l, why)
	}
	layers := p.net.Layers()
	end := len(layers)
	if p.task == Classification {
		end-- // the probabilities, checked below
	}
	var (
		s     = MLPSettings{HiddenLayerSizes: []int{}}
		act   = "" // the activation seen, "" before the first
		gap   = 0  // layers since the last Linear
		lastN = -1 // outputs of the last Linear
	)
	for i, l := range layers[:end] {
		name := ""
		switch l := l.(type) {
		case *mlp.Linear:
			if lastN >= 0 {
				if gap == 0 {
					name = "identity"
				}
				s.HiddenLayerSizes = append(s.HiddenLayerSizes, lastN)
			} else if i != 0 {
				return bad(i, l, "follows a layer that is not Linear")
			}
			_, lastN = l.Dims()
			gap = 0
		case *mlp.ReLU:
			name = "relu"
		case *mlp.Tanh:
			name = "tanh"
		case *mlp.Sigmoid:
			name = "logistic"
		default:
			return bad(i, l, "is neither Linear nor ReLU, Tanh or Sigmoid")
		}
		if _, ok := l.(*mlp.Linear); !ok {
			if gap++; gap > 1 || lastN < 0 {
				return bad(i, l, "is not between two Linear layers")
			}
		}
		if name != "" {
			if act != "" && act != name {
				return bad(i, l, fmt.Sprintf("while an earlier hidden layer's activation is %s", act))
			}
			act = name
		}
	}
	if lastN < 0 || gap != 0 {
		i := max(end-1, 0)
		return bad(i, layers[i], "ends the network where a Linear layer should")
	}
	if p.task == Classification {
		l, k := layers[end], len(p.classes)
		_, sig := l.(*mlp.Sigmoid)
		_, soft := l.(*mlp.Softmax)
		switch {
		case k == 2 && !(sig && lastN == 1):
			return bad(end, l, "ends a two-class classifier, which ends in a Sigmoid over one output")
		case k > 2 && !(soft && lastN == k):
			return bad(end, l, fmt.Sprintf("ends a classifier of %d classes, which ends in a Softmax over %d outputs", k, k))
		}
	}
	if act == "" {
		act = "relu" // no hidden layer, whose activation is not used
	}
	s.Activation = act
	return s, nil
}

// resolveWarm is resolve for a fit of the given task, which with WarmStart
// first takes the network's HiddenLayerSizes and Activation from the
// pipeline where s leaves them zero, refusing ones that differ, and its
// weights as InitialWeights.
func (s MLPSettings) resolveWarm(estimator string, task Task) (mlpDefaults, error) {
	p := s.WarmStart
	if p == nil {
		return s.resolve(estimator)
	}
	field := estimator + ".WarmStart"
	if err := p.usable("WarmStart"); err != nil {
		return mlpDefaults{}, fmt.Errorf("%s: %w", field, err)
	}
	switch {
	case p.task != task:
		return mlpDefaults{}, fmt.Errorf("%w: %s is a %v pipeline; %s trains %v", mlp.ErrSetting, field, p.task, estimator, task)
	case s.InitialWeights != nil:
		return mlpDefaults{}, fmt.Errorf("%w: %s.InitialWeights and WarmStart are both set; WarmStart starts from the pipeline's weights", mlp.ErrSetting, estimator)
	case s.Preprocess != PreprocessSettings{}:
		return mlpDefaults{}, fmt.Errorf("%w: %s.Preprocess is set with WarmStart, which keeps the pipeline's preprocessing", mlp.ErrSetting, estimator)
	}
	net, err := NetSettings(p)
	if err != nil {
		return mlpDefaults{}, fmt.Errorf("%s: %w", field, err)
	}
	if s.HiddenLayerSizes == nil {
		s.HiddenLayerSizes = net.HiddenLayerSizes
	} else if !slices.Equal(s.HiddenLayerSizes, net.HiddenLayerSizes) {
		return mlpDefaults{}, fmt.Errorf("%w: %s.HiddenLayerSizes = %v; the WarmStart pipeline's network has %v",
			mlp.ErrSetting, estimator, s.HiddenLayerSizes, net.HiddenLayerSizes)
	}
	if s.Activation == "" {
		s.Activation = net.Activation
	} else if s.Activation != net.Activation && len(net.HiddenLayerSizes) > 0 {
		return mlpDefaults{}, fmt.Errorf("%w: %s.Activation = %q; the WarmStart pipeline's network uses %q",
			mlp.ErrSetting, estimator, s.Activation, net.Activation)
	}
	s.InitialWeights = weightsOf(p.net)
	return s.resolve(estimator)
}

// warmFeatures returns the preprocessing of a fit and t's features
// preprocessed by it: with WarmStart the pipeline's Preprocessor, not
// refitted, after checking that t's feature and target columns are the
// pipeline's (an error wrapping mlp.ErrData names a column one has and
// the other lacks); otherwise fitFeatures.
func (d *mlpDefaults) warmFeatures(t *Table) (*Preprocessor, *mat.Dense, error) {
	p := d.WarmStart
	if p == nil {
		return fitFeatures(t, d.Preprocess)
	}
	field := d.name + ".WarmStart"
	if want := p.Targets(); !slices.Equal(t.TargetNames(), want) {
		return nil, nil, fmt.Errorf("%w: %s: the table's target columns are %s; the pipeline's are %s",
			mlp.ErrData, field, listNames(t.TargetNames()), listNames(want))
	}
	model := p.pre.columnNames()
	var extra []string
	for _, c := range t.Features {
		if !slices.Contains(model, c.Name) {
			extra = append(extra, c.Name)
		}
	}
	if len(extra) > 0 {
		return nil, nil, fmt.Errorf("%w: %s: the table's feature %s not among the pipeline's input columns (%s); drop %s from the table",
			mlp.ErrData, field, plural(extra, "column %s is", "columns %s are"), listNames(model), plural(extra, "it", "them"))
	}
	x, err := p.pre.Transform(t)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", field, err)
	}
	return p.pre, x, nil
}

// plural returns one, with the names listed for %s, for one name, and
// many otherwise.
func plural(names []string, one, many string) string {
	f := many
	if len(names) == 1 {
		f = one
	}
	if strings.Contains(f, "%s") {
		return fmt.Sprintf(f, listNames(names))
	}
	return f
}

// warmLabels returns the label encoder of a classifier's fit on target
// and the class index of each row: with WarmStart the pipeline's classes,
// a label it does not know being an error wrapping mlp.ErrData that names
// it; otherwise FitLabelEncoder's.
func (d *mlpDefaults) warmLabels(target *Column) (*LabelEncoder, []int, error) {
	enc := &LabelEncoder{}
	if d.WarmStart == nil {
		var err error
		if enc, err = FitLabelEncoder(target); err != nil {
			return nil, nil, err
		}
		if len(enc.Classes) < 2 {
			return nil, nil, fmt.Errorf("%w: MLPClassifier: target column %s holds one class, %s; a classifier needs at least 2",
				mlp.ErrData, quote(target.Name), quote(enc.Classes[0]))
		}
	} else {
		enc.Classes = d.WarmStart.Classes()
	}
	labels, err := enc.Transform(target)
	if err != nil && d.WarmStart != nil {
		return nil, nil, fmt.Errorf("%s: the pipeline's classes are %s: %w", d.name+".WarmStart", listNames(enc.Classes), err)
	}
	return enc, labels, err
}

// warmTargetScaler returns the target scaling of a regressor's fit on the
// targets y: with WarmStart the pipeline's (the identity when it has
// none), otherwise mlp.FitTargetScaler's.
func (d *mlpDefaults) warmTargetScaler(y *mat.Dense) (*mlp.TargetScaler, error) {
	p := d.WarmStart
	if p == nil {
		return mlp.FitTargetScaler(y)
	}
	ts := &mlp.TargetScaler{StandardScaler: mlp.StandardScaler{Mean: slices.Clone(p.yMean), Std: slices.Clone(p.yStd)}}
	if p.yMean == nil {
		k := p.net.OutputSize()
		ts.Mean, ts.Std = make([]float64, k), make([]float64, k)
		for i := range ts.Std {
			ts.Std[i] = 1
		}
	}
	return ts, nil
}
