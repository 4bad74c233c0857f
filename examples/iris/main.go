// Command iris trains a classifier of iris species (setosa 0, versicolor 1,
// virginica 2) from four flower measurements, on Fisher's iris data embedded
// in the module.
//
// It splits the data 80/20, standardizes each feature with the statistics
// of the training part and trains Linear(4->16), ReLU, Linear(16->3),
// Softmax with SGD (batch 16, learning rate 0.1) and cross-entropy for 200
// epochs. It prints the training log, the validation accuracy and confusion
// matrix, and last the line
//
//	final val_loss=<loss> val_accuracy=<accuracy>
//
// Run with -h for the flags; -data runs the same pipeline on another CSV
// file of the same form, and -plot FILE.png draws the training history
// (losses and validation accuracy per epoch) to a PNG image.
package main

import (
	"os"

	"github.com/mlpkit/mlp/internal/experiment"
)

func main() {
	os.Exit(experiment.Main("iris", experiment.Defaults{
		Dataset: "iris.csv",
		About:   "Trains the net the flags describe on Fisher's iris data.",
		Seed:    1,
		Hidden:  []int{16},
		Epochs:  200,
		Batch:   16,
		LR:      0.1,
	}, os.Args[1:], os.Stdout, os.Stderr))
}
