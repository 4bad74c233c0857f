package mlp_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"os"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

// ExampleTrainer_Fit trains a small classifier on two noisy clusters, with a
// validation part, logging every 5th epoch with a ProgressLogger.
func ExampleTrainer_Fit() {
	rng := rand.New(rand.NewPCG(1, 1))
	const n = 200
	x := mat.NewDense(n, 2, nil)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		c := i % 2
		labels[i] = c
		x.Set(i, 0, float64(2*c-1)+1.3*rng.NormFloat64())
		x.Set(i, 1, float64(1-2*c)+1.3*rng.NormFloat64())
	}
	data, err := mlp.NewDataset(x, mlp.Targets{Labels: labels})
	if err != nil {
		log.Fatal(err)
	}
	train, val, err := mlp.Split(data, mlp.SplitSettings{ValFraction: 0.25, Src: rand.NewPCG(1, 2)})
	if err != nil {
		log.Fatal(err)
	}
	trainL, err := mlp.NewDataLoader(train, mlp.LoaderSettings{BatchSize: 16, Shuffle: true, Src: rand.NewPCG(1, 3)})
	if err != nil {
		log.Fatal(err)
	}
	valL, err := mlp.NewDataLoader(val, mlp.LoaderSettings{BatchSize: 16})
	if err != nil {
		log.Fatal(err)
	}

	src := rand.NewPCG(1, 4)
	model, err := mlp.NewSequential(
		mlp.NewLinear(2, 8, src), &mlp.ReLU{},
		mlp.NewLinear(8, 2, src), &mlp.Softmax{})
	if err != nil {
		log.Fatal(err)
	}
	opt, err := mlp.NewSGD(model.Params(), mlp.SGDSettings{LR: 0.05})
	if err != nil {
		log.Fatal(err)
	}
	tr, err := mlp.NewTrainer(model, &mlp.CrossEntropy{}, opt, mlp.TrainerSettings{
		Metrics: []mlp.Metric{&mlp.Accuracy{}},
		Hooks:   []mlp.Hook{&mlp.ProgressLogger{W: os.Stdout, Every: 5}},
	})
	if err != nil {
		log.Fatal(err)
	}
	history, err := tr.Fit(context.Background(), trainL, valL, 11)
	if err != nil {
		log.Fatal(err)
	}
	last, _ := history.Last()
	fmt.Printf("%d epochs, final validation accuracy %.2f\n", len(history.Epochs), last.ValMetrics[0])
	// Output:
	// epoch=  0 | loss= 0.674 | val_loss= 0.522 | val_accuracy= 0.820
	// epoch=  5 | loss= 0.293 | val_loss= 0.290 | val_accuracy= 0.880
	// epoch= 10 | loss= 0.253 | val_loss= 0.259 | val_accuracy= 0.880
	// 11 epochs, final validation accuracy 0.88
}

// EarlyStopping watches a figure by its Keras name and knows from the
// metric which way is better: RMSE is minimised.
func ExampleEarlyStopping() {
	n := 20
	x, y := mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := range n {
		v := float64(i) / 4
		x.Set(i, 0, v)
		y.Set(i, 0, 2*v+1) // y = 2x + 1
	}
	d, err := mlp.NewDataset(x, mlp.Targets{Values: y})
	if err != nil {
		log.Fatal(err)
	}
	l, err := mlp.NewDataLoader(d, mlp.LoaderSettings{BatchSize: 5})
	if err != nil {
		log.Fatal(err)
	}
	model, err := mlp.NewSequential(mlp.NewLinear(1, 1, rand.NewPCG(1, 1)))
	if err != nil {
		log.Fatal(err)
	}
	opt, err := mlp.NewSGD(model.Params(), mlp.SGDSettings{LR: 0.01})
	if err != nil {
		log.Fatal(err)
	}
	es := &mlp.EarlyStopping{Monitor: "val_rmse", Patience: 3, RestoreBest: true}
	tr, err := mlp.NewTrainer(model, &mlp.MSE{}, opt, mlp.TrainerSettings{
		Metrics: []mlp.Metric{&mlp.RMSE{}},
		Hooks:   []mlp.Hook{es},
	})
	if err != nil {
		log.Fatal(err)
	}
	history, err := tr.Fit(context.Background(), l, l, 30)
	if err != nil {
		log.Fatal(err)
	}
	rmse, err := history.Metric("val_rmse")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d epochs, best %d, val_rmse %.3f -> %.3f\n", len(rmse), es.BestEpoch(), rmse[0], rmse[len(rmse)-1])
	_, err = history.Metric("rmse") // training values: TrainerSettings.TrainMetrics was not set
	fmt.Println(err != nil)
	// Output:
	// 30 epochs, best 29, val_rmse 3.282 -> 0.058
	// true
}
