// Command energy is a two-output regression: it predicts the heating and
// the cooling load of buildings (two target columns) from their wall and
// roof areas, height, glazing area and orientation (a text column), on the
// embedded synthetic energy.csv (500 rows), in the manner of the UCI
// energy-efficiency data.
//
// It trains scikit-learn's default MLPRegressor (which here also
// standardizes both targets, and reports in their units) on 80% of the
// rows and prints RMSE, MAE and R² per output on the other 20%, then saves
// nothing. The last line is "val_r2=<mean R² over the outputs>". -data
// reads another CSV with "heating_load" and "cooling_load" columns.
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
	data := flag.String("data", "", "read this CSV `file` instead of the embedded energy.csv")
	flag.Parse()
	log.SetFlags(0)

	in, _, err := cli.Open(*data, "energy.csv")
	if err != nil {
		log.Fatal(err)
	}
	reader := tabular.NewCSVReader(in)
	reader.Targets = []string{"heating_load", "cooling_load"}
	table, err := reader.ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	train, val, err := tabular.SplitTable(table, mlp.SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(1, 1)})
	if err != nil {
		log.Fatal(err)
	}
	model, err := tabular.MLPRegressor{Seed: 1}.Fit(context.Background(), train)
	if err != nil {
		log.Fatal(err)
	}
	report, err := model.RegressionReport(val)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d epochs\n\n%s\nval_r2=%.4f\n", model.NIter(), report, report.R2())
}
