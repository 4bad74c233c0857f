// Command digits trains a classifier of handwritten digits 0-9 from 8x8
// images (64 pixel intensities from 0 to 16), on the UCI optical digits data
// embedded in the module.
//
// It splits the data 80/20, standardizes each pixel with the statistics of
// the training part and trains Linear(64->128), ReLU, Linear(128->10),
// Softmax with SGD (batch 32, learning rate 0.1) and cross-entropy for 30
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
	os.Exit(experiment.Main("digits", experiment.Defaults{
		Dataset: "digits.csv",
		About:   "Trains the net the flags describe on the 8x8 handwritten digits data.",
		Seed:    1,
		Hidden:  []int{128},
		Epochs:  30,
		Batch:   32,
		LR:      0.1,
	}, os.Args[1:], os.Stdout, os.Stderr))
}
