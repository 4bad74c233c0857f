package tabular_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// Build a pipeline from a table with a text column, missing cells and text
// labels, save it, load it and predict raw records, including a category
// training never saw (its one-hot block is all zeros).
func ExamplePipeline() {
	const data = `rooms,city,age,label
3,Oslo,12,cheap
5,Bergen,,dear
2,Oslo,40,cheap
4,?,7,dear
`
	r := tabular.NewCSVReader(strings.NewReader(data))
	r.Targets = []string{"label"}
	r.NA = []string{"?"}
	table, err := r.ReadAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	prep, err := tabular.FitPreprocessor(table, tabular.PreprocessSettings{Impute: tabular.ImputeMedian})
	if err != nil {
		fmt.Println(err)
		return
	}
	classes, err := tabular.FitLabelEncoder(&table.Targets[0])
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(prep.OutputNames(), classes.Classes, table.TaskNote)

	// An untrained net stands in for one trained on prep.Transform(table).
	src := rand.NewPCG(1, 2)
	net, _ := mlp.NewSequential(mlp.NewLinear(prep.Width(), 2, src), &mlp.Softmax{})
	p, err := tabular.NewPipeline(prep, net, tabular.PipelineTargets{Names: []string{"label"}, Classes: classes.Classes})
	if err != nil {
		fmt.Println(err)
		return
	}
	var file bytes.Buffer
	if err := p.Save(&file); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := tabular.LoadPipeline(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, err := loaded.PredictMaps([]map[string]any{
		{"city": "Oslo", "rooms": 3.0, "age": 12.0},
		{"city": "Tromsø", "rooms": 4.0, "age": nil},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(pred.Labels), "predictions; probabilities per row:", pred.Proba.RawMatrix().Cols)
	_, err = loaded.PredictRecords([]string{"rooms", "city"}, [][]string{{"3", "Oslo"}})
	fmt.Println(err)
	// Output:
	// [rooms city=Bergen city=Oslo age] [cheap dear] classification: target column "label" holds text labels (2 classes)
	// 2 predictions; probabilities per row: 2
	// mlp: invalid data: no column "age"; the header has "rooms", "city"
}

// InferTask decides the task from the target column, saying why.
func ExampleInferTask() {
	years := &tabular.Column{Name: "year", Kind: tabular.Numeric}
	for y := 1990; y < 2020; y++ {
		years.Values = append(years.Values, float64(y))
	}
	task, note, _ := tabular.InferTask(years, tabular.AutoTask)
	fmt.Println(task, "-", note)
	_, _, err := tabular.InferTask(years, tabular.Classification)
	fmt.Println(err)
	// Output:
	// regression - regression: target column "year" holds 30 distinct integers, more than 20; set the task to Regression to keep this without the note, or write the labels as text to classify
	// mlp: invalid data: target column "year" has 30 distinct integer values, more than the 20 classes an integer label column may have; is it the right target? (write the labels as text to classify them)
}
