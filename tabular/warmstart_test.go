package tabular

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// warmCase is one case of testdata/sklearn/warmstart.json, written by
// gen_warmstart.py with scikit-learn 1.2.1: a trajectory case (the first
// fit) and the second fit of the same estimator with warm_start=True.
type warmCase struct {
	trajectoryCase
	WarmLossCurve  []float64     `json:"warm_loss_curve"`
	WarmNIter      int           `json:"warm_n_iter"`
	WarmCoefs      [][][]float64 `json:"warm_coefs"`
	WarmIntercepts [][]float64   `json:"warm_intercepts"`
}

func loadWarmCases(t *testing.T) []warmCase {
	t.Helper()
	return loadSklearnCases[warmCase](t, "testdata/sklearn/warmstart.json")
}

// fitCase fits the estimator of c with s on t.
func fitCase(t *testing.T, c *trajectoryCase, s MLPSettings, tab *Table) *FittedMLP {
	t.Helper()
	var (
		m   *FittedMLP
		err error
	)
	if c.Estimator == "classifier" {
		m, err = MLPClassifier(s).Fit(context.Background(), tab)
	} else {
		m, err = MLPRegressor(s).Fit(context.Background(), tab)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// saveLoad returns p written by Save and read back by LoadPipeline.
func saveLoad(t *testing.T, p *Pipeline) *Pipeline {
	t.Helper()
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	q, err := LoadPipeline(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestWarmStartSklearn trains each case for MaxIter epochs, saves the
// pipeline, reads it back and continues for MaxIter more with WarmStart
// (HiddenLayerSizes and Activation left to the pipeline), and checks both
// fits against scikit-learn 1.2.1's fit and its warm_start refit: the
// loss curves and the final weights to trajectoryTol. The continued curve
// carries on from the first: its first loss is below the first fit's
// last by less than 1.5 times the first fit's last drop (a fresh start
// would begin near the first fit's first loss).
func TestWarmStartSklearn(t *testing.T) {
	var worst float64
	defer func() { t.Logf("largest relative difference from scikit-learn: %.2g", worst) }()
	for _, c := range loadWarmCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			near := nearSklearn(t, trajectoryTol, &worst)
			s := c.settings()
			first := fitCase(t, &c.trajectoryCase, s, c.table())
			h1 := first.History()
			if len(h1.Epochs) != c.MaxIter {
				t.Fatalf("first fit: %d epochs, want %d", len(h1.Epochs), c.MaxIter)
			}
			for e, want := range c.LossCurve {
				near("first fit: loss of epoch "+strconv.Itoa(e), h1.Epochs[e].Loss, want)
			}
			s.InitialWeights, s.HiddenLayerSizes, s.Activation = nil, nil, ""
			s.WarmStart = saveLoad(t, first.Pipeline())
			second := fitCase(t, &c.trajectoryCase, s, c.table())
			h2 := second.History()
			if second.NIter() != c.WarmNIter-c.MaxIter {
				t.Fatalf("continued fit: NIter %d, want %d (scikit-learn's n_iter_ %d counts both fits)", second.NIter(), c.WarmNIter-c.MaxIter, c.WarmNIter)
			}
			for e, want := range c.WarmLossCurve {
				near("continued fit: loss of epoch "+strconv.Itoa(e), h2.Epochs[e].Loss, want)
			}
			w := second.Weights()
			for l := range c.WarmCoefs {
				for i, row := range c.WarmCoefs[l] {
					for j, want := range row {
						near("coefs["+strconv.Itoa(l)+"]["+strconv.Itoa(i)+"]["+strconv.Itoa(j)+"]", w.Coefs[l].At(i, j), want)
					}
				}
				for j, want := range c.WarmIntercepts[l] {
					near("intercepts["+strconv.Itoa(l)+"]["+strconv.Itoa(j)+"]", w.Intercepts[l][j], want)
				}
			}
			n := len(h1.Epochs)
			t.Logf("loss of epoch %d %.12f (scikit-learn %.12f), continued epoch %d %.12f (scikit-learn %.12f)",
				n, h1.Epochs[n-1].Loss, c.LossCurve[n-1], n+1, h2.Epochs[0].Loss, c.WarmLossCurve[0])
			last, drop := h1.Epochs[n-1].Loss, h1.Epochs[n-2].Loss-h1.Epochs[n-1].Loss
			if step := last - h2.Epochs[0].Loss; !(step > 0 && step < 1.5*drop) {
				t.Errorf("the continued fit's first loss %.6g does not carry on from the first fit's last %.6g (drop %.3g, previous drop %.3g)",
					h2.Epochs[0].Loss, last, step, drop)
			}
		})
	}
}

// TestWarmStartKeeps checks that a continued fit on other rows keeps the
// pipeline's preprocessing, classes and target scaling rather than learning
// them from those rows, and leaves the pipeline as it was.
func TestWarmStartKeeps(t *testing.T) {
	cases := loadWarmCases(t)
	for _, k := range []int{0, 2} { // a classifier of 3 classes, a regressor
		c := &cases[k]
		t.Run(c.Name, func(t *testing.T) {
			first := fitCase(t, &c.trajectoryCase, c.settings(), c.table())
			p := first.Pipeline()
			w0 := first.Weights()
			rows := []int{}
			for i := range c.table().Rows() {
				// A classifier's subset holds classes "a" and "b" only.
				if c.Estimator != "classifier" || c.Target.Labels[i] != "c" {
					rows = append(rows, i)
				}
			}
			rows = rows[:20]
			sub := c.table().Subset(rows)
			second := fitCase(t, &c.trajectoryCase, MLPSettings{WarmStart: p, MaxIter: 3, NoShuffle: true, Tol: 1e-12}, sub)
			q := second.Pipeline()
			if !slices.EqualFunc(q.Columns(), p.Columns(), func(a, b ColumnInfo) bool { return a.Name == b.Name && a.Mean == b.Mean && a.Std == b.Std }) {
				t.Errorf("preprocessing changed: %+v, was %+v", q.Columns(), p.Columns())
			}
			refit, err := FitPreprocessor(sub, PreprocessSettings{})
			if err != nil {
				t.Fatal(err)
			}
			if refit.Columns()[0].Mean == p.Columns()[0].Mean {
				t.Fatalf("the subset's mean of %s is the full table's; the test cannot tell a refit", p.Columns()[0].Name)
			}
			if !slices.Equal(q.Classes(), p.Classes()) {
				t.Errorf("classes %q, the pipeline's %q", q.Classes(), p.Classes())
			}
			if c.Estimator == "classifier" && len(q.Classes()) != 3 {
				t.Errorf("classes %q; want the 3 of the pipeline", q.Classes())
			}
			if ts, ps := q.TargetScaler(), p.TargetScaler(); (ts == nil) != (ps == nil) || ts != nil && (!slices.Equal(ts.Mean, ps.Mean) || !slices.Equal(ts.Std, ps.Std)) {
				t.Errorf("target scaling %+v, the pipeline's %+v", ts, ps)
			}
			if !slices.Equal(p.Columns()[0].Categories, first.Pipeline().Columns()[0].Categories) || !mlpWeightsEqual(first.Weights(), w0) {
				t.Error("the WarmStart pipeline changed")
			}
			if mlpWeightsEqual(second.Weights(), w0) {
				t.Error("the continued fit did not change the weights")
			}
			if pv, _ := q.Provenance(); pv.Settings["warm_start"] != "true" {
				t.Errorf("provenance warm_start = %q, want true", pv.Settings["warm_start"])
			}
		})
	}
}

func mlpWeightsEqual(a, b *MLPWeights) bool {
	for l := range a.Coefs {
		if !slices.Equal(a.Coefs[l].RawMatrix().Data, b.Coefs[l].RawMatrix().Data) || !slices.Equal(a.Intercepts[l], b.Intercepts[l]) {
			return false
		}
	}
	return true
}

// TestWarmStartErrors checks the errors of a WarmStart that does not fit
// the settings or the table, each naming what differs.
func TestWarmStartErrors(t *testing.T) {
	cases := loadWarmCases(t)
	cls, reg := &cases[0], &cases[2]
	pc := fitCase(t, &cls.trajectoryCase, cls.settings(), cls.table()).Pipeline()
	pr := fitCase(t, &reg.trajectoryCase, reg.settings(), reg.table()).Pipeline()
	ctx := context.Background()

	unknown := cls.table()
	unknown.Targets[0].Categories = append(unknown.Targets[0].Categories, "d")
	unknown.Targets[0].Values[5] = 3
	missing := cls.table()
	missing.Features = slices.Delete(missing.Features, 1, 2)
	extra := cls.table()
	extra.Features = append(extra.Features, Column{Name: "g", Kind: Numeric, Values: make([]float64, extra.Rows())})
	renamed := reg.table()
	renamed.Targets[1].Name = "z"

	gelu, err := mlp.NewSequential(mlp.NewLinear(pr.pre.Width(), 3, rand.NewPCG(1, 1)), &mlp.GELU{}, mlp.NewLinear(3, 2, rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	pg, err := NewPipeline(pr.pre, gelu, PipelineTargets{Names: pr.Targets(), Scaler: pr.TargetScaler()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fit  func() error
		is   error
		says []string
	}{
		{"unknown class", func() error { _, err := MLPClassifier{WarmStart: pc}.Fit(ctx, unknown); return err },
			mlp.ErrData, []string{"WarmStart", `"d"`, "row 5"}},
		{"missing column", func() error { _, err := MLPClassifier{WarmStart: pc}.Fit(ctx, missing); return err },
			mlp.ErrData, []string{"WarmStart", `"f1"`}},
		{"extra column", func() error { _, err := MLPClassifier{WarmStart: pc}.Fit(ctx, extra); return err },
			mlp.ErrData, []string{"WarmStart", `column "g" is not among`}},
		{"other targets", func() error { _, err := MLPRegressor{WarmStart: pr}.Fit(ctx, renamed); return err },
			mlp.ErrData, []string{"WarmStart", `"z"`}},
		{"hidden", func() error {
			_, err := MLPClassifier{WarmStart: pc, HiddenLayerSizes: []int{7}}.Fit(ctx, cls.table())
			return err
		}, mlp.ErrSetting, []string{"HiddenLayerSizes = [7]", "[6]"}},
		{"activation", func() error {
			_, err := MLPClassifier{WarmStart: pc, Activation: "tanh"}.Fit(ctx, cls.table())
			return err
		}, mlp.ErrSetting, []string{"Activation", `"relu"`}},
		{"initial weights too", func() error {
			_, err := MLPClassifier{WarmStart: pc, InitialWeights: cls.settings().InitialWeights}.Fit(ctx, cls.table())
			return err
		}, mlp.ErrSetting, []string{"InitialWeights"}},
		{"preprocess", func() error {
			_, err := MLPClassifier{WarmStart: pc, Preprocess: PreprocessSettings{Impute: ImputeMedian}}.Fit(ctx, cls.table())
			return err
		}, mlp.ErrSetting, []string{"Preprocess"}},
		{"task", func() error { _, err := MLPRegressor{WarmStart: pc}.Fit(ctx, cls.table()); return err },
			mlp.ErrSetting, []string{"MLPRegressor.WarmStart", "classification"}},
		{"not an MLP", func() error { _, err := MLPRegressor{WarmStart: pg}.Fit(ctx, reg.table()); return err },
			mlp.ErrSetting, []string{"layer 1", "GELU"}},
		{"empty pipeline", func() error { _, err := MLPRegressor{WarmStart: &Pipeline{}}.Fit(ctx, reg.table()); return err },
			mlp.ErrSetting, []string{"WarmStart"}},
	} {
		t.Run(tc.name, func(t *testing.T) { testkit.ErrorContains(t, tc.fit(), tc.is, tc.says...) })
	}
}

// TestNetSettings checks the settings read back from the networks the
// estimators build, and from a network a Pipeline appended a Softmax to.
func TestNetSettings(t *testing.T) {
	c := loadWarmCases(t)[2] // a regressor
	for _, s := range []MLPSettings{
		{HiddenLayerSizes: []int{4}, Activation: "tanh"},
		{HiddenLayerSizes: []int{3, 2}, Activation: "identity"},
		{HiddenLayerSizes: []int{5, 4}, Activation: "logistic"},
		{HiddenLayerSizes: []int{}, Activation: "relu"},
	} {
		s.MaxIter = 1
		got, err := NetSettings(fitCase(t, &c.trajectoryCase, s, c.table()).Pipeline())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.HiddenLayerSizes, s.HiddenLayerSizes) || got.Activation != s.Activation {
			t.Errorf("NetSettings = %v %q, want %v %q", got.HiddenLayerSizes, got.Activation, s.HiddenLayerSizes, s.Activation)
		}
	}
	tab := c.table()
	prep, err := FitPreprocessor(tab, PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	logits, err := mlp.NewSequential(mlp.NewLinear(prep.Width(), 5, rand.NewPCG(1, 1)), &mlp.ReLU{}, mlp.NewLinear(5, 3, rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPipeline(prep, logits, PipelineTargets{Classes: []string{"a", "b", "c"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := NetSettings(p); err != nil || !slices.Equal(got.HiddenLayerSizes, []int{5}) || got.Activation != "relu" {
		t.Errorf("NetSettings of a classifier given logits = %v %q, %v; want [5] relu", got.HiddenLayerSizes, got.Activation, err)
	}
	two, err := mlp.NewSequential(mlp.NewLinear(prep.Width(), 2, rand.NewPCG(1, 1)), &mlp.Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := NewPipeline(prep, two, PipelineTargets{Classes: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = NetSettings(p2)
	testkit.ErrorContains(t, err, mlp.ErrSetting, "two-class", "Sigmoid over one output")
}
