package tabular_test

import (
	"fmt"
	"strings"

	"github.com/mlpkit/mlp/tabular"
)

// Read a CSV whose target column is named and in the middle of the row,
// with a categorical column and a missing cell.
func ExampleCSVReader() {
	const data = `sepal,species,petal,soil
5.1,setosa,1.4,sand
6.3,virginica,,clay
5.8,versicolor,4.1,sand
`
	r := tabular.NewCSVReader(strings.NewReader(data))
	r.Targets = []string{"species"}
	tab, err := r.ReadAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range tab.Features {
		fmt.Println(c.Name, c.Kind, c.Values, c.Categories)
	}
	fmt.Println(tab.TaskNote)

	r = tabular.NewCSVReader(strings.NewReader("a,target\n1,0\n2,0.99999999999999999\n"))
	r.TargetIndex = []int{-1}
	_, err = r.ReadAll()
	fmt.Println(err)
	// Output:
	// sepal numeric [5.1 6.3 5.8] []
	// petal numeric [1.4 NaN 4.1] []
	// soil categorical [1 0 1] [clay sand]
	// classification: target column "species" holds text labels (3 classes)
	// mlp: csv line 3, column 2: bad class label: label "0.99999999999999999" in column "target" is not exactly an integer, though it reads as one; write the class exactly, or set CSVReader.Task to Regression
}
