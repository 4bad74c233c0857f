// Copyright ©2026 The mlp Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package tabular is the practitioner's path to the networks of package
// mlp: it reads a table from a CSV file, learns its preprocessing, trains
// scikit-learn's MLPClassifier or MLPRegressor on it, and saves the result
// as one Pipeline that predicts from raw records in another program.
//
// # Overview
//
// A program reads a Table, splits it, fits an estimator and saves its
// pipeline:
//
//	r := tabular.NewCSVReader(f)
//	r.Targets = []string{"species"}
//	table, err := r.ReadAll()
//	train, test, err := tabular.SplitTable(table, mlp.SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(1, 1)})
//	model, err := tabular.MLPClassifier{}.Fit(ctx, train)
//	report, err := model.ClassificationReport(test)
//	err = model.Pipeline().Save(w)
//
// and another program loads it and predicts rows of text:
//
//	p, err := tabular.LoadPipeline(r)
//	pred, err := p.PredictRecords(header, rows) // pred.Labels, pred.Proba
//
// A file too large for memory trains in passes instead, in memory bounded
// by a shuffle buffer and the model (CSVStream; docs/tables.md):
//
//	s, err := tabular.NewCSVStream(func() (io.ReadCloser, error) { return os.Open(path) },
//		tabular.StreamSettings{Targets: []string{"species"}, ValidationFraction: 0.2})
//	model, err := tabular.MLPClassifier{}.FitStream(ctx, s)
//
// The package builds on package mlp (the layers, the Trainer, the model
// file, the metrics and reports) and is imported by the command mlp, by
// mlpserve, which serves a Pipeline over HTTP, and by onnx, which exports
// one. Package mlp never imports it.
//
// # Reading tables
//
// CSVReader reads comma-separated values into a Table, as encoding/csv
// does: NewCSVReader sets the defaults, and the exported fields may be
// changed before ReadAll. The first row names the columns. Targets (by
// name) or TargetIndex (by position) choose the target columns: one for
// classification or regression, several for multi-output regression, none
// for data to predict on; Ignore drops columns. Ignore and Categorical take
// column names or path.Match patterns ("x_*"), and CategoricalInts reads
// columns of few integers (0/1 factors) as categories. Cells and header
// names are trimmed of surrounding spaces first.
//
// A column's kind is pandas' (pandas 1.5.3's read_csv, C engine, default
// settings; testdata/pandas holds the conformance vectors):
//
//   - Missing cells are pandas' default markers, matched exactly: "",
//     "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
//     "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a",
//     "nan", "null" (pandas 1.5.3 has no "None"), and the texts in
//     CSVReader.NA. "Nan", "NAN", "+nan" are text.
//   - A number is [sign] digits [. digits] [e [sign] digits] (ASCII
//     digits, at least one before the exponent, at most 17 in it), or Inf
//     or Infinity in any case with a sign or none: "1.", ".5", "+5",
//     "00012", "1e-400" are numbers; "0x10", "1_000", "1,5", "1e", "٣" are
//     text.
//   - A column is Numeric when every non-missing cell is a number, except
//     for pandas' reading of integers beyond int64: when the first cell
//     that int64 cannot hold is such an integer, pandas reads the column
//     as uint64 if every cell is an integer in [0, 2^64), as text if a
//     cell is an integer of 2^64 or more or starts with '-', and as float64
//     otherwise. The reader follows it.
//   - Otherwise a column whose non-missing cells are true or false, in any
//     case, is boolean: a Categorical column of the categories "False" and
//     "True" (pandas' bool dtype; as a feature, one-hot encoded as
//     scikit-learn's OneHotEncoder encodes a bool column; as a target, the
//     two classes False and True).
//   - Otherwise the column is text, Categorical, every non-missing cell a
//     category: a number in it is named by its shortest decimal form ("1.0"
//     and "1" are the category "1"), which a pipeline's cells are matched
//     by too. Table.Notes names such a column of numbers and text.
//
// Where the reader differs from pandas, on purpose: cells are trimmed (to
// pandas " NA", " True" and " inf" are text); Inf in a numeric column is an
// error (ErrNotFinite) naming the line and column, as is a number pandas'
// parser finds beyond float64's range ("1e309", "0e999") in a column that
// would otherwise be numeric (ErrOutOfRange; pandas reads the column as
// text); pandas takes -9223372036854775808 for a missing cell in a column
// of integers with missing cells, and keeps missing markers as text in a
// column of integers above 2^63-1 with missing cells, where the reader
// reads the number and the missing cell; a number in a text column is
// named by its shortest form where pandas keeps its text; a categorical
// column (CSVReader.Categorical) keeps its cells' texts. Header names and
// texts that become categories or classes must be valid UTF-8
// (ErrInvalidUTF8).
//
// CSVReader.DetectNA, off by default, departs from pandas where a table
// marks its missing numbers with a text: in a column whose other
// non-missing cells are all numbers, cells with no letter or digit ("?",
// "-", ".") and the words na, n/a, nan, null, none, missing and unknown
// (any case) are read as missing, as pandas reads them when given in
// na_values (testdata/detectna holds the vectors), and Table.Notes names
// each such column, its markers, their cells and first line. The mlp
// command turns it on. Table.ColumnNA records the markers, so that a
// Pipeline reads them as missing in that column of new rows too.
//
// A missing feature cell is kept as NaN for the preprocessing to fill, and a
// row with a missing target is left out and counted in Table.Dropped.
//
// A Table stores every cell as a float64, 8 bytes a cell: the numbers of a
// Numeric column, and for a Categorical column the index of the cell's text
// in the column's Categories. Table.Subset and SplitTable take rows;
// Table.Dataset gives the plain numbers of a table without categorical or
// missing cells, for a net built by hand with package mlp.
//
// InferTask is the one rule by which the reader, the estimators and the
// command decide the task: text labels classify, a non-integer number
// regresses, integers with at most MaxIntegerClasses (20) distinct values
// classify, and more regress when the task is inferred (Table.TaskNote says
// so) and are an error when classification is asked. FitLabelEncoder
// numbers the classes: numeric labels in numeric order, so that 1 and 1.0
// are one class, text labels in byte order. A numeric label whose text is
// not exactly an integer is an error naming its line and column.
//
// Limits bound what a CSVReader accepts (by default 1 GiB of input, 4 MiB a
// line, 2048 fields a record, 64 KiB a cell, 4096 categories in all), so
// that reading N bytes allocates at most 20·N + 1 MiB.
//
// # Preprocessing
//
// FitPreprocessor learns, from the training part of a table only, how to
// turn its feature columns into the matrix a network reads: each numeric
// column's fill for missing cells (PreprocessSettings.Impute: the mean, the
// median or the most frequent value, as scikit-learn's SimpleImputer) and
// its standardization (x − mean) / std; each categorical column's
// categories, one-hot encoded in byte order, with the most frequent as the
// fill. A category never seen in training encodes as all zeros, as
// scikit-learn's OneHotEncoder(handle_unknown='ignore'). A Preprocessor
// matches columns by name, in any order, and ignores columns it does not
// use. NewPreprocessor builds one from ColumnInfo descriptions, the inverse
// of Preprocessor.Columns.
//
// # Pipelines and their file
//
// A Pipeline is everything between a raw record and a prediction: the
// Preprocessor, the network (an *mlp.Sequential) and the meaning of its
// outputs, class names for classification or the targets' names and
// standardization for regression (PipelineTargets). NewPipeline makes one;
// the estimators return one. Predict takes a Table, PredictRecords rows of
// text under a header (as a CSV reader gives them), PredictMaps maps of
// column name to value (as encoding/json decodes an object); each returns a
// Prediction: class names and per-class probabilities, or values in the
// targets' units. A cell that cannot be read is a *RecordError naming the
// record and the column.
//
// Pipeline.Save writes version 2 of the model file format of package mlp:
// the magic, the version, the pipeline's section (task, missing-value
// markers, columns with their fill, scaling or categories, targets, class
// names or target scaling), the network as in version 1, and a CRC-32.
// LoadPipeline reads it back, and reads a version-1 model file as a bare
// pipeline over columns x0..x<n-1>. A loaded pipeline predicts the same bits
// as the one that was saved. LoadPipeline never panics on its input,
// allocates in proportion to the bytes it reads, and refuses a network
// beyond the default mlp.ModelLimits, strings over 65536 bytes, more than
// 65536 columns and lists of more than 2^20 strings.
//
// # Estimators and scikit-learn's defaults
//
// MLPClassifier and MLPRegressor are scikit-learn's estimators of the same
// names. Their fields are MLPSettings, named after scikit-learn 1.2's
// parameters, and a zero field means scikit-learn's default: one hidden
// layer of 100 units, ReLU, Adam with learning rate 1e-3, an L2 penalty of
// alpha 1e-4 added exactly as scikit-learn adds it (NoPenalty for none),
// batches of min(200, n), at most 200 epochs, and a stop when the training
// loss has not improved by 1e-4 for 10 epochs. Fit learns the preprocessing
// and the net from a Table in one call and returns a FittedMLP, whose
// Pipeline saves, and whose Score, ClassificationReport, ConfusionMatrix and
// RegressionReport evaluate it on another Table.
//
// Given the same initial weights (MLPSettings.InitialWeights) and
// NoShuffle (batches in table order), they train as scikit-learn 1.2.1 does, its Adam update and
// its one logistic output for two classes included: the same loss_curve_,
// n_iter_, coefs_ and intercepts_ to about 1e-14. Where they differ from
// scikit-learn: the regressor trains on standardized targets and reports
// in their units (scikit-learn's TransformedTargetRegressor); the random
// streams are Go's (PCG), not NumPy's; and the zero Seed is a fixed seed.
//
// MLPSettings.WarmStart continues a fitted or loaded Pipeline, as
// scikit-learn's warm_start=True: its weights are the start, and its
// preprocessing, classes and target scaling are kept; Adam restarts, as
// scikit-learn's does on a warm_start refit.
//
// # Weights, convergence and provenance
//
// FitWeighted takes a weight per row (scikit-learn 1.7's sample_weight),
// and MLPSettings.ClassWeight (by class name) or BalancedClassWeight
// (n/(k·n_c), BalancedClassWeights, scikit-learn's "balanced") weigh the
// rows of each class; the product s_i of the two weighs row i in the
// training loss Σ s_i·l_i / Σ s_i + 0.5·Alpha·Σ‖W‖² / Σ s_i of each
// mini-batch, through mlp.Targets.Weights. The validation score is
// unweighted.
//
// FittedMLP.Convergence says how training ended: stopped by the Tol rule,
// or at MaxIter while the monitored figure was still improving, where
// scikit-learn raises its ConvergenceWarning, with the numbers.
//
// A fitted pipeline holds a Provenance: the library and Go versions, the
// time, the estimator, seed and every setting, the training rows and the
// columns' roles, the epochs and how they ended; a program adds the data's
// SHA-256 and the validation figures (Pipeline.WithProvenance). Save
// writes it as format version 3; a pipeline without one is still written
// as version 2.
//
// # Model selection
//
// SplitTable holds out a part of a table (optionally stratified by class),
// as scikit-learn's train_test_split. CrossValidate fits an Estimator on
// the folds of a table (mlp.KFold, or mlp.StratifiedKFold with CVSettings.Stratify)
// and scores each fit on its held-out fold; GridSearch cross-validates every
// candidate on the same folds and reports the best, as scikit-learn's
// best_index_, and fits the best on the whole table (GridResult.BestModel,
// scikit-learn's best_estimator_; CVSettings.NoRefit leaves it out). Fits
// run in parallel, up to CVSettings.Workers at once; the folds are drawn
// before any fit starts and each fit's randomness comes from its
// estimator's Seed, so the results do not depend on the number of workers
// or on GOMAXPROCS. Any type with a Fit method returning a Scorer is an
// Estimator. CVSettings.Scoring scores the folds by another figure
// (ScoringByName: scikit-learn's scoring names). A GridSpec is a search as
// a JSON file (ReadGridSpec; its ParamGrid expands in scikit-learn's
// ParameterGrid order), and GridSearchJob and GridSearchGather run a
// search as separate jobs of a batch system.
//
// PermutationImportance measures how much a Scorer's score on held-out rows
// drops when each feature column is shuffled, as scikit-learn's
// permutation_importance.
//
// # Errors
//
// Everything that takes a table, a file, records or settings returns an
// error rather than panicking, wrapping the sentinels of package mlp so that
// errors.Is matches them: mlp.ErrData for input that cannot be used,
// mlp.ErrSetting for settings that cannot work, mlp.ErrFormat for a
// pipeline file that cannot be read, mlp.ErrTooLarge for a network beyond
// the size caps (in a file, together with mlp.ErrFormat). A *ParseError from CSVReader.ReadAll carries the line and the
// column and unwraps to one of the reader's sentinels (ErrNotNumber,
// ErrInvalidUTF8, ErrBadLabel, ErrLimit and the others); a *RecordError
// from PredictRecords or PredictMaps names the record and the column.
// Messages say what is wrong and where. Table.Subset and Column.Text panic
// on an index out of range, as slicing does.
//
// # Concurrency
//
// A Table is plain data: the package only reads the Tables it is given, so
// one may be read from several goroutines while nothing writes to it. A
// Pipeline, a Preprocessor, a LabelEncoder and a FittedMLP are not changed
// by their methods, which are safe for concurrent use: any number of
// goroutines may predict with one Pipeline at once. MLPClassifier and
// MLPRegressor are values whose Fit may run from several goroutines at once,
// each call with its own net and random streams. A CSVReader is not safe for
// concurrent use.
package tabular
