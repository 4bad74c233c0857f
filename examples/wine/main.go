// Command wine trains scikit-learn's default MLPClassifier on the wine data
// set (178 wines, 13 chemical measurements, 3 cultivars in the column
// "target"), reports it on a held-out 20% and saves the fitted pipeline:
// everything from a raw CSV row to a class name, in one file that the
// program in ./predict loads.
//
// The same program in scikit-learn is wine.py beside this file. Run with
// -h for the flags; -data reads another CSV file with a "target" column.
// It prints the classification report, the confusion matrix and last the
// line "val_accuracy=<accuracy>".
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/examples/internal/cli"
	"github.com/mlpkit/mlp/tabular"
)

func main() {
	data := flag.String("data", "", "read this CSV `file` instead of the embedded wine.csv")
	out := flag.String("o", "wine.mlp", "save the fitted pipeline to this `file`")
	seed := flag.Uint64("seed", 1, "random `seed` of the split and the model")
	flag.Parse()
	log.SetFlags(0)

	in, _, err := cli.Open(*data, "wine.csv")
	if err != nil {
		log.Fatal(err)
	}
	reader := tabular.NewCSVReader(in)
	reader.Targets = []string{"target"}
	table, err := reader.ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	train, val, err := tabular.SplitTable(table, mlp.SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(*seed, 1)})
	if err != nil {
		log.Fatal(err)
	}
	model, err := tabular.MLPClassifier{Seed: *seed}.Fit(context.Background(), train)
	if err != nil {
		log.Fatal(err)
	}
	report, err := model.ClassificationReport(val)
	if err != nil {
		log.Fatal(err)
	}
	confusion, err := model.ConfusionMatrix(val)
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := model.Pipeline().Save(f); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n%s\nsaved: %s\nval_accuracy=%.4f\n", report, confusion, *out, report.Accuracy)
}
