package tabular_test

import (
	"fmt"
	"strings"

	"github.com/mlpkit/mlp/tabular"
)

// A grid spec expands into candidates in scikit-learn's ParameterGrid
// order: names sorted, the last varying fastest.
func ExampleReadGridSpec() {
	spec := `{"target": "label", "params": {"max_iter": 50},
	 "param_grid": {"hidden_layer_sizes": [[4], [16]], "alpha": [0.0001, 0.01]}, "cv": 3}`
	g, err := tabular.ReadGridSpec(strings.NewReader(spec), "grid.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	cands, sets, err := g.Candidates(tabular.Classification)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, set := range sets {
		c := cands[i].(tabular.MLPClassifier)
		fmt.Printf("candidate %d: alpha=%v hidden_layer_sizes=%v (MaxIter %d)\n", i, set["alpha"], set["hidden_layer_sizes"], c.MaxIter)
	}
	cv, _ := g.CVSettings(tabular.Classification)
	fmt.Println(tabular.GridSearchJobs(len(cands), cv), "jobs, stratified:", cv.Stratify)
	// Output:
	// candidate 0: alpha=0.0001 hidden_layer_sizes=[4] (MaxIter 50)
	// candidate 1: alpha=0.0001 hidden_layer_sizes=[16] (MaxIter 50)
	// candidate 2: alpha=0.01 hidden_layer_sizes=[4] (MaxIter 50)
	// candidate 3: alpha=0.01 hidden_layer_sizes=[16] (MaxIter 50)
	// 12 jobs, stratified: true
}
