// Command breastcancer trains classifiers of breast tumours (malignant 0,
// benign 1) from 30 measurements of cell nuclei, on the Wisconsin diagnostic
// data set embedded in the module.
//
// It splits the data 80/20 with seed 9, standardizes each feature with the
// statistics of the training part, then trains two models on that split
// with SGD (batch 50, learning rate 0.1) and cross-entropy: first a
// logistic-regression baseline, Linear(30->2) and Softmax, for 20 epochs,
// then the net the flags describe, by default Linear(30->16), ReLU,
// Linear(16->2), Softmax for 100 epochs. It prints the training log, the
// validation accuracy and confusion matrix of each model, and last the line
//
//	final val_loss=<loss> val_accuracy=<accuracy>
//
// for the second model. Run with -h for the flags; -data runs the same
// pipeline on another CSV file of the same form, and -plot FILE.png draws
// the training history of the second model (losses and validation accuracy
// per epoch) to a PNG image.
package main

import (
	"os"

	"github.com/mlpkit/mlp/internal/experiment"
)

func main() {
	os.Exit(experiment.Main("breastcancer", experiment.Defaults{
		Dataset:  "breast_cancer.csv",
		About:    "Trains a Linear+Softmax baseline for 20 epochs, then the net the flags describe, on the Wisconsin breast cancer data.",
		Seed:     9,
		Hidden:   []int{16},
		Epochs:   100,
		Batch:    50,
		LR:       0.1,
		Baseline: &experiment.Baseline{Epochs: 20},
	}, os.Args[1:], os.Stdout, os.Stderr))
}
