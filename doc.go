// Copyright ©2026 The mlp Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package mlp trains and runs small feedforward neural networks (multilayer
// perceptrons) on tabular data, on top of gonum's mat.Dense.
//
// # Overview
//
// A model is a Sequential chain of Layers: Linear layers and activations
// such as ReLU, ending in Softmax for classification. A Loss (CrossEntropy)
// compares the model's output with Targets, Backprop fills every parameter's
// gradient, and an Optimizer (SGD, Adam, AdamW) updates the parameters. A
// Trainer ties model, criterion and optimizer together and runs epochs of
// mini-batches from a DataLoader over a Dataset (package tabular reads one
// from a CSV file):
//
//	model, _ := mlp.NewSequential(
//		mlp.NewLinear(30, 16, src), &mlp.ReLU{},
//		mlp.NewLinear(16, 2, src), &mlp.Softmax{})
//	opt, _ := mlp.NewSGD(model.Params(), mlp.SGDSettings{LR: 0.1})
//	tr, _ := mlp.NewTrainer(model, &mlp.CrossEntropy{}, opt,
//		mlp.TrainerSettings{Metrics: []mlp.Metric{&mlp.Accuracy{}}})
//	history, err := tr.Fit(ctx, trainLoader, valLoader, 100)
//
// The layers compute what PyTorch computes: the package's tests replay
// PyTorch float64 forward passes, gradients and optimizer trajectories to
// 1e-9 and check every gradient against central finite differences.
//
// # Estimators and model selection
//
// Package tabular builds on this one for the practitioner's path: CSV
// reading into a Table, preprocessing, pipelines saved whole, the
// MLPClassifier and MLPRegressor estimators with scikit-learn 1.2's defaults
// (tabular.MLPClassifier{}.Fit(ctx, train)), and model selection
// (tabular.CrossValidate, tabular.GridSearch). Here,
// Split, KFold and StratifiedKFold split the rows of a Dataset;
// StandardScaler standardizes the features and TargetScaler the targets of
// a regression net trained by hand, and reports in the targets' units.
//
// # Prediction
//
// A Sequential predicts through one path, whatever the entry point:
// PredictInto writes the output for the rows of a matrix into the caller's
// matrix (one row or many, allocating nothing in steady state); Predict
// returns it in a new matrix; PredictProba does so after checking that the
// model ends in a layer that gives probabilities, and PredictClasses reads
// the classes by Classify. Inside, each layer runs through its PredictInto
// (the Predictor capability) with a Workspace of the call's. Sequential.Save
// writes a model, Load reads it under the default ModelLimits and
// LoadWithLimits under others.
//
// # Shapes
//
// Rows are samples and columns are features, in float64. A Linear layer
// computes Y = X·W + b with W of shape in×out and b of length out, added to
// every row. Class labels are integers in [0, classes); a model for k classes
// ends in k columns of probabilities (a Softmax), or, for two classes, in one
// column holding the probability of class 1 (a Sigmoid).
//
// # Classes and figures
//
// Classify is the one rule by which a class is read from an output row,
// used by Sequential.PredictClasses, Accuracy, MacroAverage and everything
// built on them: one column is the probability
// of class 1 (greater than 0.5 predicts 1); several columns are class
// scores, and the largest wins (the first on ties). NewTrainer refuses a
// model whose output cannot express a choice under that rule, with an error
// saying what to build instead.
//
// Per-class scores follow one rule, scikit-learn 1.2's with zero_division=0
// (see Score): ConfusionMatrix, ClassificationReport and the streaming
// MacroAverage metric compute them, and their macro averages over the
// classes present among the true classes or the predictions, through the
// same function, so the three agree on every input.
//
// For imbalanced classes, BalancedAccuracy averages the per-class recalls,
// and the probability metrics read the model's probabilities by one rule,
// ClassProbability: ROCAUC and AveragePrecision (binary, or one-vs-rest
// macro for more classes; they keep every sample's probabilities until
// Reset, O(rows) memory) and LogLoss (scikit-learn's log_loss with
// eps="auto"). NewTrainer refuses them on a model that does not end in a
// Softmax or a one-column Sigmoid. ClassificationReport adds the
// majority-class rate beside the accuracy. MetricByName makes a metric
// from a scoring name of scikit-learn ("balanced_accuracy", "roc_auc",
// "neg_log_loss", ...).
//
// A Trainer's figures are named as Keras names them, in its History, its
// ProgressLogger lines and EarlyStopping.Monitor: "loss" and a metric's own
// name ("accuracy") for the training data, "val_loss" and "val_accuracy" for
// the validation data. Figures over a whole data set (Evaluate, val_loss,
// the metrics) do not depend on the batch size: a weighted loss is
// Σ w·l / Σ w over the set. When a Softmax or Sigmoid ends the model, the
// loss is computed from its input (log-sum-exp, softplus), exactly.
//
// # Capabilities
//
// The Trainer learns what it needs about a loss, metric, layer, optimizer,
// hook or data source through small interfaces, never from the package's
// concrete types, so a user's own types work wherever the package's do:
// TargetReader (class labels or real values), Goaler (whether larger is
// better), OutputValidator (whether a model's output suits it), Validator
// (its own settings), ProbabilityOutput (a final layer whose logits a loss
// can use), BatchWeighter (a weighted batch mean), WeightReader (per-sample
// weights, Targets.Weights), StateChecker (an
// optimizer state that can overflow), BatchSource (batches for Fit), and
// FitEnder (a hook told when Fit ends). A layer needs only the methods of
// Layer; what else it can do it declares the same way: Parameterized
// (trainable parameters, which Sequential.Params collects), TrainingModer
// (different behaviour in training, as Dropout), Predictor (prediction that
// writes nothing shared, so one model serves many goroutines) and Cloner (a
// deep copy, for Sequential.Clone) and Float32Layer (forward and backward
// passes in float32, for a Trainer whose TrainerSettings.DType is Float32;
// a layer without it runs in float64 between conversions). Each is
// optional: a type that does not implement one is taken as it is.
//
// # Buffer ownership
//
// Every layer owns its output and gradient buffers, sizes them on first use
// and reuses them: the matrix Forward or Backward returns is valid until the
// next call of the same method on that layer. Prediction does not use them
// (see Concurrency), and its results are the caller's. The batches of a DataLoader are
// likewise the loader's and are overwritten by its next Next. Copy what you
// need to keep. In steady state a training step allocates nothing, and the
// memory used grows with batch×width, never with batch×in×out.
//
// # Errors and panics
//
// Everything that takes user data or runs long returns an error: the model's
// constructors and changes (NewSequential, SetLayer, Linear.SetParams,
// Clone), the prediction methods, NewDataset, Split,
// StandardScaler.Transform, the constructors of optimizers, loaders, Dropout
// and trainers, Trainer.Fit and Evaluate, and Load. That includes nil or
// empty matrices, nil interfaces and nil pointers, NaN and Inf, and Dataset
// literals that NewDataset would refuse. Errors wrap the sentinels ErrShape,
// ErrSetting, ErrData, ErrDiverged, ErrFormat and ErrTooLarge, all declared
// in errors.go, so callers can match them with errors.Is (a training step
// that diverges also returns a *DivergenceError); their messages say what is wrong and where
// (line and column, row, layer, field, epoch and batch, byte offset).
//
// A panic is a programming mistake, never a fault of the data. Every panic
// value of the package is an error wrapping ErrMisuse, whose message starts
// with "mlp: " and names the function; a panic about shapes wraps ErrShape
// too, as gonum's mat panics with mat.ErrShape. The complete list:
//   - the low-level methods of one layer, loss or metric (Forward, Backward,
//     PredictInto, Loss, Grad, Update) given matrices whose shapes do not fit
//     (ErrShape), or labels outside the classes the output can express
//     (ErrData); Backward called before Forward; Backprop called before the
//     model's Forward;
//   - the Loss of a loss that reads probabilities (CrossEntropy without
//     FromLogits, BinaryCrossEntropy) given a value outside [0, 1], such as
//     the logits of a model without a final Softmax, rather than report a
//     wrong or negative loss;
//   - NewLinear and NewLinearInit with a size below 1 or a nil random source
//     (a default source would make runs irreproducible), an Initializer's
//     Init given an empty matrix, FitStandardScaler given a nil or empty
//     matrix (ErrShape);
//   - ClipGradNorm with a maximum that is not positive, the Rate of a
//     Schedule with invalid settings (a Trainer validates its schedule
//     first), the methods of a ConfusionMatrix given a class out of
//     range or a Score that is not F1, Precision or Recall;
//   - a nil model, loss, matrix or receiver given to Classify, Backprop,
//     Sequential.Forward, Accuracy.Update or DataLoader.Next (entry points
//     that return errors return one for a nil receiver instead:
//     History.Metric and Linear.SetParams wrap ErrSetting; String methods
//     return "<nil>" text);
//   - prediction that finds the same model training (see Concurrency).
//
// # Limits
//
// What the package allocates is bounded by its input. Load refuses a model
// beyond ModelLimits (by default 1024 layers, a width of 65536, 2^26
// parameters, 2^17 activation floats per input row) before allocating its
// layers, so a training batch of b rows through a loaded model keeps
// about 16·b·2^17 bytes of outputs and gradients, prediction needs at most
// two 8 MiB buffers whatever the rows, and a file of N bytes costs at most
// 4.5·N bytes plus 384 KiB to load. Programs that build a model
// from user settings check its widths first with ModelLimits.CheckWidths. The
// repository's docs/limits.md lists every cap.
//
// # Build tags
//
// The openblas build tag routes gonum's BLAS through OpenBLAS (cgo). Its
// init calls blas64.Use, which switches gonum's BLAS for the whole process:
// every gonum call of a program built with the tag, in any package, goes to
// OpenBLAS, not only this package's.
//
// # Reproducibility
//
// Nothing in the package uses global randomness. Weight initialisation,
// shuffling, splitting and dropout draw from a math/rand/v2 Source the caller
// passes, so the same seed gives bit-identical weights, batches and history
// on every supported machine (amd64 with AVX-512, AVX2 or neither, arm64,
// and any other architecture in pure Go), whatever the number of cores and
// the kernel path (see KernelPath). The matrix products compute the same
// chain of fused multiply-adds on every path; elsewhere the code rounds each
// product explicitly, so that Go does not fuse x*y + z on arm64 or on amd64
// built with GOAMD64=v3; and the training path's exp, log, tanh and erf are
// the package's own, which give the same bits everywhere where package math
// does not. Training in Float32 (see DType) keeps the promise: its
// products are chains of float32 fused multiply-adds, and its other float32
// operations are each rounded once from an exact or float64 value. The
// openblas build is the exception: its large products are
// OpenBLAS's. Functions a user's own code calls from package math (in a
// custom loss or metric, say) are outside this promise, as is the cosine
// learning-rate schedule, which calls math.Cos.
//
// # Concurrency
//
// Prediction is safe to share: a Sequential predicts from any number of
// goroutines at once (Predict, PredictInto, PredictProba, PredictClasses),
// each answer equal bit for bit to a lone call's, with no
// copy of the model. Prediction writes nothing the model shares: each call
// runs the layers through Predictor into a Workspace of its own, taken from
// the model (one kept across calls, more from a sync.Pool), and allocates
// nothing in steady state through PredictInto. A user's layer
// without Predictor runs under a mutex of the model, one call at a time.
// Clone and Save only read a model and may run alongside prediction.
//
// Everything else that keeps state is not safe for concurrent use: training
// a model (Forward, Backward, Backprop, SetLayer, SetTraining, an
// optimizer's Step, Linear.SetParams), layers' own Forward and Backward,
// losses, optimizers, metrics, loaders, trainers, and hooks that keep state
// between epochs (EarlyStopping, ProgressLogger: give each trainer its own).
// While Fit or Evaluate runs, its trainer's model, loss, optimizer, metrics,
// hooks and data sources must not be used elsewhere. Prediction must not
// overlap training of the same model: a prediction that finds the model's
// Forward, Backward, SetLayer or a Trainer's step in progress panics with
// an error wrapping ErrMisuse. That check costs one atomic load per call and
// catches most overlaps; the race detector (go test -race) catches all.
//
// Safe to share: a Dataset nothing writes to (the package only reads
// Datasets), the methods of a StandardScaler, the schedules, and functions
// that keep no state, such as Classify, AccuracyScore and NewConfusionMatrix, and a
// ConfusionMatrix once made. A
// rand.Source is not safe for concurrent use: do not give one source to two
// things that run at the same time.
package mlp
