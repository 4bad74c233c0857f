package tabular_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/mlpkit/mlp/tabular"
)

// Class weights on an imbalanced table: BalancedClassWeight weighs each
// class by n/(k·count), so that the rare class counts as much as the
// common one in the training loss, and raises its recall.
func ExampleMLPSettings_balancedClassWeight() {
	var csv strings.Builder
	csv.WriteString("x,churned\n")
	rng := rand.New(rand.NewPCG(3, 3))
	for range 300 {
		x := rng.NormFloat64()
		label := "no"
		if x+0.8*rng.NormFloat64() > 1.3 {
			label = "yes"
		}
		fmt.Fprintf(&csv, "%.3f,%s\n", x, label)
	}
	r := tabular.NewCSVReader(strings.NewReader(csv.String()))
	r.Targets = []string{"churned"}
	table, err := r.ReadAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	weights, _ := tabular.BalancedClassWeights([]int{0, 0, 0, 1}, 2)
	fmt.Printf("balanced weights of 3 \"no\" and 1 \"yes\": %.3g\n", weights)
	for _, balanced := range []bool{false, true} {
		model, err := tabular.MLPClassifier{HiddenLayerSizes: []int{8}, LearningRateInit: 0.01, BalancedClassWeight: balanced}.Fit(context.Background(), table)
		if err != nil {
			fmt.Println(err)
			return
		}
		report, err := model.ClassificationReport(table)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("balanced %-5v: recall of \"yes\" %.2f, converged %v\n", balanced, report.Classes[1].Recall, model.Converged())
	}
	// Output:
	// balanced weights of 3 "no" and 1 "yes": [0.667 2]
	// balanced false: recall of "yes" 0.31, converged true
	// balanced true : recall of "yes" 0.71, converged false
}
