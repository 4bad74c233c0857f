// Command predict loads the pipeline the wine program saved and predicts
// the rows of a CSV file: raw measurements with a header, in any column
// order, with or without the "target" column. For each row it prints the
// predicted class and the probability of each class, written with
// strconv's shortest exact form, so that the output shows every bit.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"

	"github.com/mlpkit/mlp/tabular"
)

func main() {
	model := flag.String("model", "wine.mlp", "the pipeline `file` the wine program saved")
	data := flag.String("data", "", "the CSV `file` of rows to predict (required)")
	flag.Parse()
	log.SetFlags(0)
	if *data == "" {
		log.Fatal("predict: -data is required")
	}

	mf, err := os.Open(*model)
	if err != nil {
		log.Fatal(err)
	}
	pipeline, err := tabular.LoadPipeline(mf)
	mf.Close()
	if err != nil {
		log.Fatal(err)
	}
	df, err := os.Open(*data)
	if err != nil {
		log.Fatal(err)
	}
	records, err := csv.NewReader(df).ReadAll()
	df.Close()
	if err != nil {
		log.Fatal(err)
	}
	if len(records) < 2 {
		log.Fatal("predict: the file has no rows under its header")
	}
	pred, err := pipeline.PredictRecords(records[0], records[1:])
	if err != nil {
		log.Fatal(err)
	}
	classes := pipeline.Classes()
	for i, label := range pred.Labels {
		fmt.Print(label)
		for k := range classes {
			fmt.Printf(" %s=%s", classes[k], strconv.FormatFloat(pred.Proba.At(i, k), 'g', -1, 64))
		}
		fmt.Println()
	}
}
