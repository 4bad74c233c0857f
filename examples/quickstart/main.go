// Command quickstart trains scikit-learn's default MLPClassifier on the iris
// CSV file, prints its classification report on a held-out fifth of the rows
// and saves the fitted pipeline, which mlp predict, mlp serve and
// tabular.LoadPipeline read.
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/mlpkit/mlp/tabular"
)

func main() {
	f, err := os.Open("internal/datasets/iris_species.csv") // a header row, then one row per flower
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r := tabular.NewCSVReader(f)
	r.Targets = []string{"species"} // the column to predict: "setosa", "versicolor" or "virginica"
	table, err := r.ReadAll()
	if err != nil {
		log.Fatal(err)
	}

	// Hold out a random fifth of the rows for the report.
	perm := rand.New(rand.NewPCG(1, 1)).Perm(table.Rows())
	n := table.Rows() / 5
	test, train := table.Subset(perm[:n]), table.Subset(perm[n:])

	// Impute, one-hot encode, standardize, then train a 100-unit ReLU net with Adam.
	model, err := tabular.MLPClassifier{}.Fit(context.Background(), train)
	if err != nil {
		log.Fatal(err)
	}
	report, err := model.ClassificationReport(test)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(report)

	// One file: the columns, their preprocessing, the net and the class names.
	path := filepath.Join(os.TempDir(), "iris.mlp")
	out, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := model.Pipeline().Save(out); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved", path)
}
