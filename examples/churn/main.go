// Command churn predicts which customers leave ("churned": yes or no) from
// a table with text columns and missing cells, as real tables have: the
// plan and region are categories (one-hot encoded with the categories of
// the training rows), support_calls has "NA" cells and satisfaction "?"
// cells (filled with the training rows' median).
//
// It trains scikit-learn's default MLPClassifier on 80% of the embedded
// synthetic churn.csv (400 rows), prints the classification report and
// confusion matrix on the other 20%, then predicts two new customers given
// as maps: one with a missing cell and one on a plan the training rows
// never saw (its plan columns are all zero, as scikit-learn's
// OneHotEncoder(handle_unknown="ignore") gives). The last line is
// "val_accuracy=<accuracy>". -data reads another CSV with a "churned"
// column.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/examples/internal/cli"
	"github.com/mlpkit/mlp/tabular"
)

func main() {
	data := flag.String("data", "", "read this CSV `file` instead of the embedded churn.csv")
	flag.Parse()
	log.SetFlags(0)

	in, _, err := cli.Open(*data, "churn.csv")
	if err != nil {
		log.Fatal(err)
	}
	reader := tabular.NewCSVReader(in)
	reader.Targets = []string{"churned"}
	reader.NA = []string{"?"} // besides "", "NA", "NaN", ...
	table, err := reader.ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	train, val, err := tabular.SplitTable(table, mlp.SplitSettings{ValFraction: 0.2, Stratify: true, Src: rand.NewPCG(1, 1)})
	if err != nil {
		log.Fatal(err)
	}
	clf := tabular.MLPClassifier{Seed: 1, Preprocess: tabular.PreprocessSettings{Impute: tabular.ImputeMedian}}
	model, err := clf.Fit(context.Background(), train)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range model.Pipeline().Columns() {
		fmt.Printf("column %-14s %-11v categories %v, missing -> %q\n", c.Name, c.Kind, c.Categories, c.Fill)
	}
	report, err := model.ClassificationReport(val)
	if err != nil {
		log.Fatal(err)
	}
	confusion, err := model.ConfusionMatrix(val)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\n%s\n%s\n\n", report, confusion)

	pred, err := model.Pipeline().PredictMaps([]map[string]any{
		{"plan": "basic", "region": "south", "monthly_fee": 21.5, "tenure_months": 3.0, "support_calls": 7.0, "satisfaction": nil},
		{"plan": "enterprise", "region": "north", "monthly_fee": 120.0, "tenure_months": 60.0, "support_calls": 0.0, "satisfaction": 5.0},
	})
	if err != nil {
		log.Fatal(err)
	}
	for i, label := range pred.Labels {
		fmt.Printf("customer %d: churned=%s (p(yes)=%.3f)\n", i+1, label, pred.Proba.At(i, 1))
	}
	fmt.Printf("val_accuracy=%.4f\n", report.Accuracy)
}
