package onnx

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// FromPipeline returns the Model of a pipeline: a copy of its net, its
// column names, imputation and scaling as Preprocess, its classes, target
// names and task,
// and for a regressor the standardization of its targets as Postprocess.
// The pipeline's categorical columns are listed in Preprocess.Categorical,
// so that Export refuses the model with an error naming them. It returns
// an error wrapping mlp.ErrSetting for a nil pipeline, and the error of
// Pipeline.Net.
func FromPipeline(p *tabular.Pipeline) (*Model, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: onnx: FromPipeline: nil pipeline", mlp.ErrSetting)
	}
	net, err := p.Net()
	if err != nil {
		return nil, fmt.Errorf("onnx: FromPipeline: %w", err)
	}
	m := &Model{Net: net, Task: p.Task().String(), Classes: p.Classes(), Targets: p.Targets()}
	pre := &m.Preprocess
	cols := p.Columns()
	impute := make([]float64, len(cols))
	mean := make([]float64, len(cols))
	std := make([]float64, len(cols))
	imputed, scaled := false, false
	for j, c := range cols {
		pre.Columns = append(pre.Columns, c.Name)
		if c.Kind == tabular.Categorical {
			pre.Categorical = append(pre.Categorical, c.Name)
			continue
		}
		impute[j] = math.NaN()
		if c.Fill != "" {
			if impute[j], err = strconv.ParseFloat(c.Fill, 64); err != nil {
				return nil, fmt.Errorf("onnx: FromPipeline: column %q: fill %q: %w", c.Name, c.Fill, err)
			}
			imputed = true
		}
		mean[j], std[j] = c.Mean, c.Std
		scaled = scaled || c.Mean != 0 || c.Std != 1
	}
	if imputed {
		pre.Impute = impute
	}
	if scaled {
		pre.Mean, pre.Std = mean, std
	}
	if sc := p.TargetScaler(); sc != nil {
		m.Postprocess = Postprocess{Mean: sc.Mean, Std: sc.Std}
	}
	return m, nil
}

// Pipeline returns m as a tabular.Pipeline: its columns (numeric, named by
// Preprocess.Columns or x0, x1, …) with their imputation and scaling, a
// copy of its net, its target names (DefaultTargets when Targets is nil),
// and its classes or, for a regressor, its Postprocess as the targets'
// standardization. The pipeline predicts what Predict does, bit
// for bit, except that a missing value in a column without imputation is an
// error instead of a NaN output.
//
// It returns an error wrapping mlp.ErrSetting for categorical columns, for
// preprocessing that does not fit the net, for a Std that is not positive
// (a tabular.Pipeline scales by positive standard deviations only), and the
// errors of tabular.NewPreprocessor and tabular.NewPipeline.
func (m *Model) Pipeline() (*tabular.Pipeline, error) {
	return m.pipeline("Pipeline", tabular.NewPipeline)
}

// PipelineNoCopy is Pipeline without the copy of m.Net: the pipeline takes
// the net itself (see tabular.NewPipelineNoCopy), so m.Net must not be
// changed afterwards; reading it is safe. It saves the memory of a second
// copy of the weights: ImportPipeline and mlp import use it on the net
// Import has just built.
func (m *Model) PipelineNoCopy() (*tabular.Pipeline, error) {
	return m.pipeline("PipelineNoCopy", tabular.NewPipelineNoCopy)
}

// pipeline is Pipeline, named where in errors, building the pipeline with
// build (tabular.NewPipeline or NewPipelineNoCopy).
func (m *Model) pipeline(where string, build func(*tabular.Preprocessor, *mlp.Sequential, tabular.PipelineTargets) (*tabular.Pipeline, error)) (*tabular.Pipeline, error) {
	if m == nil || m.Net == nil {
		return nil, fmt.Errorf("%w: onnx: Model.%s: the model has no net", mlp.ErrSetting, where)
	}
	p, q := &m.Preprocess, &m.Postprocess
	if len(p.Categorical) > 0 {
		return nil, fmt.Errorf("%w: onnx: Model.%s: categorical columns %v have no encoding in the model", mlp.ErrSetting, where, p.Categorical)
	}
	n, k := m.Net.InputSize(), m.Net.OutputSize()
	if err := p.check(n); err != nil {
		return nil, err
	}
	if err := q.check(k); err != nil {
		return nil, err
	}
	names := p.Columns
	if names == nil {
		names = DefaultColumns(n)
	}
	cols := make([]tabular.ColumnInfo, n)
	for j := range cols {
		c := tabular.ColumnInfo{Name: names[j], Kind: tabular.Numeric, Std: 1}
		if p.Impute != nil && !math.IsNaN(p.Impute[j]) {
			c.Fill = strconv.FormatFloat(p.Impute[j], 'g', -1, 64)
		}
		if p.Mean != nil {
			c.Mean = p.Mean[j]
		}
		if p.Std != nil {
			c.Std = p.Std[j]
		}
		cols[j] = c
	}
	pre, err := tabular.NewPreprocessor(cols)
	if err != nil {
		return nil, fmt.Errorf("onnx: Model.%s: %w", where, err)
	}
	task, err := exportTask(m)
	if err != nil {
		return nil, err
	}
	targets := tabular.PipelineTargets{Names: m.Targets}
	if task == Classification {
		targets.Classes = m.Classes
		if targets.Classes == nil {
			targets.Classes = DefaultClasses(k)
		}
	} else if q.Mean != nil || q.Std != nil {
		sc := &mlp.StandardScaler{Mean: make([]float64, k), Std: make([]float64, k)}
		for j := range k {
			sc.Std[j] = 1
			if q.Mean != nil {
				sc.Mean[j] = q.Mean[j]
			}
			if q.Std != nil {
				sc.Std[j] = q.Std[j]
			}
		}
		targets.Scaler = sc
	}
	pl, err := build(pre, m.Net, targets)
	if err != nil {
		return nil, fmt.Errorf("onnx: Model.%s: %w", where, err)
	}
	return pl, nil
}

// ExportPipeline writes the pipeline p as an ONNX model: Export of
// FromPipeline(p). A pipeline with categorical columns is an error
// wrapping ErrUnsupported that names them.
func ExportPipeline(w io.Writer, p *tabular.Pipeline, s *ExportSettings) error {
	m, err := FromPipeline(p)
	if err != nil {
		return err
	}
	return Export(w, m, s)
}

// ImportPipeline reads an ONNX model as a tabular.Pipeline: the Pipeline of
// Import's Model, which takes the net Import built instead of a copy
// (Model.PipelineNoCopy), so that its peak memory is Import's. Use Import
// and Model.PipelineNoCopy to see what Import reports (Model.Appended).
func ImportPipeline(r io.Reader, s *ImportSettings) (*tabular.Pipeline, error) {
	m, err := Import(r, s)
	if err != nil {
		return nil, err
	}
	return m.PipelineNoCopy()
}
