package tabular_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// TestRecordError checks that a cell a pipeline cannot read is reported as
// a *RecordError naming the record and the column, matching ErrData, from
// PredictRecords and PredictMaps alike.
func TestRecordError(t *testing.T) {
	rd := tabular.NewCSVReader(strings.NewReader("size,color,kind\n1,red,a\n2,blue,b\n3,red,a\n4,blue,b\n"))
	rd.Targets = []string{"kind"}
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	net, err := mlp.NewSequential(mlp.NewLinear(pre.Width(), 2, rand.NewPCG(1, 2)), &mlp.Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Classes: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	h := []string{"size", "color"}
	for _, tc := range []struct {
		name   string
		call   func() (*tabular.Prediction, error)
		record int
		column string
		cause  error
		msg    string
	}{
		{"text in a numeric cell", func() (*tabular.Prediction, error) {
			return p.PredictRecords(h, [][]string{{"1", "red"}, {"1", "red"}, {"big", "red"}})
		}, 2, "size", tabular.ErrNotNumber, `record 2 (0-based), column "size": not a number: "big"`},
		{"Inf cell", func() (*tabular.Prediction, error) {
			return p.PredictRecords(h, [][]string{{"-Inf", "red"}})
		}, 0, "size", tabular.ErrNotFinite, `record 0 (0-based), column "size": `},
		{"text in a numeric map value", func() (*tabular.Prediction, error) {
			return p.PredictMaps([]map[string]any{{"size": 1.0, "color": "red"}, {"size": "big", "color": "red"}})
		}, 1, "size", tabular.ErrNotNumber, `record 1 (0-based), column "size": not a number: "big"`},
		{"map value of another type", func() (*tabular.Prediction, error) {
			return p.PredictMaps([]map[string]any{{"size": 1.0, "color": true}})
		}, 0, "color", mlp.ErrData, `record 0 (0-based), column "color": `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.call()
			var re *tabular.RecordError
			if !errors.As(err, &re) || re.Record != tc.record || re.Column != tc.column {
				t.Fatalf("error %v (%T), want a *RecordError for record %d, column %q", err, err, tc.record, tc.column)
			}
			if !errors.Is(err, mlp.ErrData) || !errors.Is(err, tc.cause) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q: want errors.Is ErrData and %v, and the text %q", err, tc.cause, tc.msg)
			}
			if strings.Count(err.Error(), `column "`) != 1 {
				t.Errorf("error %q names the column more than once", err)
			}
		})
	}
}
