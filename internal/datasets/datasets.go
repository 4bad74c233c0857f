// Package datasets embeds the data sets that the examples, tests and
// benchmarks of mlp use, as CSV with a header row. In the first five the
// label is the last column, "target":
//
//   - breast_cancer.csv: 569 samples, 30 features, 2 classes
//   - iris.csv: 150 samples, 4 features, 3 classes
//   - digits.csv: 1797 samples, 64 features (8x8 images), 10 classes
//   - diabetes.csv: 442 samples, 10 features, a real-valued target
//   - wine.csv: 178 samples, 13 features, 3 classes
//   - iris_species.csv: iris.csv with the species names (setosa,
//     versicolor, virginica) in the last column "species"
//
// The values are those scikit-learn 1.2 bundles (UCI sources, CC BY 4.0 or
// public domain). Three synthetic tables show what real tables hold
// (synthetic.py writes churn.csv and energy.csv):
//
//   - churn.csv: 400 customers, text columns plan and region, missing
//     cells ("NA", "?"), label churned ("yes"/"no")
//   - energy.csv: 500 buildings, text column orientation, two targets
//     heating_load and cooling_load
//   - penguins.csv: 140 penguins, text label species (Adelie, Chinstrap,
//     Gentoo), text columns island and sex, missing cells (empty, "NA",
//     "?"); drawn (seed 20261130) around the per-species and per-sex means
//     of the Palmer penguins data
package datasets

import (
	"bytes"
	"embed"
	"fmt"
	"io"
)

//go:embed *.csv
var files embed.FS

// Open returns a reader over the named embedded CSV file, such as
// "iris.csv".
func Open(name string) (io.Reader, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("datasets: no embedded data set %q", name)
	}
	return bytes.NewReader(b), nil
}
