package mlp_test

import (
	"fmt"
	"strings"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

// Read a CSV whose target column is named and in the middle of the row.
func ExampleCSVReader() {
	const data = `sepal,species,petal
5.1,0,1.4
6.3,2,6.0
5.8,1,4.1
`
	r := mlp.NewCSVReader(strings.NewReader(data))
	r.Target = "species"
	d, err := r.Read()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.FeatureNames, d.Y.Labels, "classes:", d.Classes)
	fmt.Println(mat.Formatted(d.X))

	_, err = mlp.NewCSVReader(strings.NewReader("a,target\n1,0\n2,x\n")).Read()
	fmt.Println(err)
	// Output:
	// [sepal petal] [0 2 1] classes: 3
	// ⎡5.1  1.4⎤
	// ⎢6.3    6⎥
	// ⎣5.8  4.1⎦
	// mlp: csv line 3, column 2: bad class label: "x" is not a non-negative integer
}
