#!/usr/bin/python3
"""Writes trajectories.json: training trajectories of scikit-learn 1.2.1's
MLPClassifier and MLPRegressor (solver "adam", shuffle=False, one batch or
several in table order)
from recorded initial weights, for the Go tests of tabular's estimators.

Run with the Python that has scikit-learn 1.2.1:

    /usr/bin/python3 gen_trajectories.py > trajectories.json

Each case holds the raw feature table (numeric columns), the target
(class names, or one or two numeric columns), the settings, the initial
weights in scikit-learn's layout (coefs_[i] is fan_in x fan_out), and what
scikit-learn gives: loss_curve_, n_iter_, the final coefs_ and intercepts_
and, with early stopping, validation_scores_ and best_validation_score_.

The estimators see what the Go estimators see: the features standardized
(StandardScaler, as Go's Preprocessor does) and, for the regressor, the
targets standardized too (StandardScaler on y, which is what
TransformedTargetRegressor(..., transformer=StandardScaler()) gives).
The initial weights are the ones scikit-learn draws itself, recorded by
overriding _init_coef (setting coefs_ before the first fit raises in 1.2.1).
With early stopping the validation rows are given: train_test_split inside
the estimator is replaced by one that returns the listed rows as the
validation part and the others, in table order, as the training part.
"""

import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
import sklearn.neural_network._multilayer_perceptron as mlpmod
from sklearn.preprocessing import StandardScaler

assert sklearn.__version__ == "1.2.1", sklearn.__version__


class Recorder:
    """Mixin recording the initial weights scikit-learn draws."""

    def _init_coef(self, fan_in, fan_out, dtype):
        c, b = super()._init_coef(fan_in, fan_out, dtype)
        self.init_record_.append((c.copy(), b.copy()))
        return c, b


class RecClassifier(Recorder, MLPClassifier):
    pass


class RecRegressor(Recorder, MLPRegressor):
    pass


def given_split(val_rows):
    """A train_test_split returning val_rows as the validation part."""

    def split(X, y, **kwargs):
        n = X.shape[0]
        val = np.asarray(val_rows, dtype=int)
        mask = np.ones(n, dtype=bool)
        mask[val] = False
        train = np.arange(n)[mask]
        return X[train], X[val], y[train], y[val]

    return split


def lists(arrs):
    return [a.tolist() for a in arrs]


def make_case(name, kind, seed, n, features, hidden, activation, alpha,
              lr=0.01, max_iter=40, tol=1e-4, n_iter_no_change=10,
              classes=None, outputs=1, val_rows=None, scale=None, batch_size=None):
    rs = np.random.RandomState(seed)
    X = rs.normal(size=(n, features))
    if scale is not None:
        X = X * np.asarray(scale) + 3.0
    X = np.round(X, 6)  # exact decimal text on both sides
    cols = ["f%d" % j for j in range(features)]
    z = X @ rs.normal(size=(features, max(outputs, 1)))
    if kind == "classifier":
        k = len(classes)
        w = rs.normal(size=(features, k))
        scores = X @ w + rs.normal(scale=0.5, size=(n, k))
        y = np.array(classes)[scores.argmax(axis=1)]
        est_cls = RecClassifier
        target = {"classes": list(classes), "labels": y.tolist()}
        yfit = y
    else:
        Y = np.round(np.tanh(z) * 10 + rs.normal(scale=0.3, size=z.shape) + 50, 6)
        target = {"columns": ["y%d" % j for j in range(outputs)], "values": Y.tolist()}
        yfit = StandardScaler().fit_transform(Y)
        if outputs == 1:
            yfit = yfit.ravel()
        est_cls = RecRegressor
    Xs = StandardScaler().fit_transform(X)
    early = val_rows is not None
    n_train = n - (len(val_rows) if early else 0)
    if batch_size is None:
        batch_size = n_train  # one batch
    est = est_cls(
        hidden_layer_sizes=tuple(hidden), activation=activation, solver="adam",
        alpha=alpha, batch_size=batch_size, learning_rate_init=lr, max_iter=max_iter,
        shuffle=False, random_state=seed, tol=tol, n_iter_no_change=n_iter_no_change,
        early_stopping=early, validation_fraction=0.2,
    )
    est.init_record_ = []
    saved = mlpmod.train_test_split
    if early:
        mlpmod.train_test_split = given_split(val_rows)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(Xs, yfit)
    finally:
        mlpmod.train_test_split = saved
    case = {
        "name": name,
        "estimator": kind,
        "hidden_layer_sizes": list(hidden),
        "activation": activation,
        "alpha": alpha,
        "learning_rate_init": lr,
        "batch_size": int(batch_size),
        "max_iter": max_iter,
        "tol": tol,
        "n_iter_no_change": n_iter_no_change,
        "early_stopping": early,
        "validation_rows": list(val_rows) if early else None,
        "feature_names": cols,
        "X": X.tolist(),
        "target": target,
        "init_coefs": lists([c for c, _ in est.init_record_]),
        "init_intercepts": lists([b for _, b in est.init_record_]),
        "loss_curve": list(est.loss_curve_),
        "n_iter": int(est.n_iter_),
        "coefs": lists(est.coefs_),
        "intercepts": lists(est.intercepts_),
    }
    if early:
        case["validation_scores"] = list(est.validation_scores_)
        case["best_validation_score"] = float(est.best_validation_score_)
    return case


def main():
    cases = [
        make_case("classifier 3 classes relu alpha 0", "classifier", 1, 48, 4, [6], "relu", 0.0,
                  classes=["a", "b", "c"], max_iter=40),
        make_case("classifier 4 classes tanh alpha 1e-2", "classifier", 2, 60, 5, [7, 4], "tanh", 1e-2,
                  classes=["north", "east", "south", "west"], max_iter=45, scale=[1, 10, 0.1, 3, 100]),
        make_case("classifier 3 classes logistic alpha 1e-2", "classifier", 3, 45, 3, [5], "logistic", 1e-2,
                  classes=["x", "y", "z"], max_iter=35, lr=0.03),
        make_case("binary relu alpha 0", "classifier", 4, 40, 3, [5], "relu", 0.0,
                  classes=["no", "yes"], max_iter=40),
        make_case("binary logistic alpha 1e-2", "classifier", 5, 50, 4, [6, 3], "logistic", 1e-2,
                  classes=["neg", "pos"], max_iter=50, lr=0.02),
        make_case("binary tanh alpha 1e-2", "classifier", 6, 36, 2, [4], "tanh", 1e-2,
                  classes=["0", "1"], max_iter=40),
        make_case("regressor 1 output relu alpha 0", "regressor", 7, 50, 4, [8], "relu", 0.0, max_iter=40),
        make_case("regressor 1 output logistic alpha 1e-2", "regressor", 8, 44, 3, [5, 4], "logistic", 1e-2,
                  max_iter=40, lr=0.02),
        make_case("regressor 2 outputs tanh alpha 1e-2", "regressor", 9, 55, 5, [6], "tanh", 1e-2,
                  outputs=2, max_iter=45, scale=[1, 2, 5, 0.5, 20]),
        make_case("regressor 2 outputs relu alpha 0", "regressor", 10, 40, 3, [5], "relu", 0.0,
                  outputs=2, max_iter=40),
        make_case("regressor 1 output identity alpha 1e-2", "regressor", 11, 30, 3, [3], "identity", 1e-2,
                  max_iter=40, lr=0.05),
        # The tol rule ends these before max_iter.
        make_case("regressor stops by tol", "regressor", 12, 40, 3, [4], "tanh", 1e-2,
                  max_iter=300, lr=0.02, tol=1e-3, n_iter_no_change=3),
        make_case("classifier stops by tol", "classifier", 13, 40, 3, [4], "relu", 0.0,
                  classes=["a", "b", "c"], max_iter=300, lr=0.05, tol=1e-3, n_iter_no_change=4),
        # Several batches in table order, the last one shorter.
        make_case("regressor batches of 16", "regressor", 18, 50, 3, [5], "tanh", 1e-2,
                  max_iter=35, batch_size=16),
        make_case("classifier batches of 7", "classifier", 19, 45, 4, [6], "relu", 1e-2,
                  classes=["a", "b", "c"], max_iter=35, batch_size=7),
        make_case("binary batches of 9 early stopping", "classifier", 20, 48, 3, [5], "logistic", 0.0,
                  classes=["no", "yes"], max_iter=60, batch_size=9, n_iter_no_change=8,
                  val_rows=[2, 9, 10, 17, 25, 33, 40, 47]),
        # Early stopping on given validation rows.
        make_case("classifier early stopping", "classifier", 14, 60, 4, [6], "relu", 1e-2,
                  classes=["a", "b", "c"], max_iter=80, lr=0.01, n_iter_no_change=10,
                  val_rows=[1, 5, 8, 13, 20, 22, 29, 31, 40, 44, 51, 57]),
        make_case("binary early stopping", "classifier", 15, 50, 3, [5], "tanh", 0.0,
                  classes=["no", "yes"], max_iter=80, lr=0.01, n_iter_no_change=10,
                  val_rows=[0, 7, 9, 18, 26, 33, 38, 41, 45, 49]),
        make_case("regressor early stopping 1 output", "regressor", 16, 50, 4, [6], "relu", 1e-2,
                  max_iter=80, lr=0.02, n_iter_no_change=5,
                  val_rows=[2, 4, 11, 17, 23, 28, 35, 39, 42, 47]),
        make_case("regressor early stopping 2 outputs", "regressor", 17, 50, 3, [5], "logistic", 0.0,
                  outputs=2, max_iter=80, lr=0.03, n_iter_no_change=6, tol=1e-3,
                  val_rows=[3, 6, 12, 19, 21, 30, 34, 36, 43, 48]),
    ]
    out = {
        "generator": "gen_trajectories.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    json.dump(out, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
