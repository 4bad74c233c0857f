package mlp_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/mlpkit/mlp"
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
	r := mlp.NewCSVReader(strings.NewReader(data))
	r.Targets = []string{"label"}
	r.NA = []string{"?"}
	table, err := r.ReadAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	prep, err := mlp.FitPreprocessor(table, mlp.PreprocessSettings{Impute: mlp.ImputeMedian})
	if err != nil {
		fmt.Println(err)
		return
	}
	classes, err := mlp.FitLabelEncoder(&table.Targets[0])
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(prep.OutputNames(), classes.Classes, table.TaskNote)

	// An untrained net stands in for one trained on prep.Transform(table).
	src := rand.NewPCG(1, 2)
	net, _ := mlp.NewSequential(mlp.NewLinear(prep.Width(), 2, src), &mlp.Softmax{})
	p, err := mlp.NewPipeline(prep, net, mlp.PipelineTargets{Names: []string{"label"}, Classes: classes.Classes})
	if err != nil {
		fmt.Println(err)
		return
	}
	var file bytes.Buffer
	if err := p.Save(&file); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := mlp.LoadPipeline(&file)
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
	years := &mlp.Column{Name: "year", Kind: mlp.Numeric}
	for y := 1990; y < 2020; y++ {
		years.Values = append(years.Values, float64(y))
	}
	task, note, _ := mlp.InferTask(years, mlp.AutoTask)
	fmt.Println(task, "-", note)
	_, _, err := mlp.InferTask(years, mlp.Classification)
	fmt.Println(err)
	// Output:
	// regression - regression: target column "year" holds 30 distinct integers, more than 20; set the task to Regression to keep this without the note, or write the labels as text to classify
	// mlp: invalid data: target column "year" has 30 distinct integer values, more than the 20 classes an integer label column may have; is it the right target? (write the labels as text to classify them)
}
