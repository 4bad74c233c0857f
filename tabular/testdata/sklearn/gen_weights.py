#!/usr/bin/python3
"""Writes weights.json: reference figures for sample and class weights in
tabular's MLPClassifier and MLPRegressor, from scikit-learn 1.2.1 and NumPy.

Run with the Python that has scikit-learn 1.2.1:

    /usr/bin/python3 gen_weights.py > weights.json

It holds three kinds of case.

"balanced": labels and scikit-learn's
compute_class_weight("balanced", classes=arange(k), y=labels).

"gradients": the weighted, penalised training loss of scikit-learn 1.7's MLP
with sample_weight, and its gradient, on one batch at given weights,

    L = sum_i s_i l_i / sum_i s_i + 0.5 alpha sum ||W||^2 / sum_i s_i
    dL/dW = (a^T (s * delta) + alpha W) / sum_i s_i

(l_i the log loss of row i, binary or multinomial, or half its squared
error averaged over the outputs; delta = output - target at the last
layer's input). scikit-learn 1.2.1's MLP has no sample_weight, so the
formula is computed here with NumPy, and checked against 1.2.1's own
_backprop with every weight 1 before it is written.

"trajectories": scikit-learn 1.2.1 trained, one batch per epoch, without
shuffling, on the rows repeated as many times as their integer weight
(weight 0 drops the row): the same objective as one batch of the weighted
rows, since sum_i s_i l_i / sum_i s_i is then the mean over the repeated
rows and sum_i s_i their number. Features (and the regressor's targets)
are standardized with the statistics of the unrepeated rows, as Go's
Preprocessor and TargetScaler learn them from the table.
"""

import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_trajectories import RecClassifier, RecRegressor, lists  # noqa: E402

assert sklearn.__version__ == "1.2.1", sklearn.__version__

ACT = {
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(float)),
    "tanh": (np.tanh, lambda a: 1 - a * a),
    "logistic": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "identity": (lambda z: z, lambda a: np.ones_like(a)),
}


def weighted_backprop(X, Y, s, coefs, intercepts, activation, alpha, out):
    """scikit-learn 1.7's _backprop with sample_weight s, in NumPy.

    Y is the one-hot (or 0/1 column, or value) target matrix; out is
    "softmax", "logistic" or "identity"."""
    f, df = ACT[activation]
    acts = [X]
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        z = acts[-1] @ W + b
        if i + 1 < len(coefs):
            acts.append(f(z))
        elif out == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            acts.append(e / e.sum(axis=1, keepdims=True))
        elif out == "logistic":
            acts.append(1 / (1 + np.exp(-z)))
        else:
            acts.append(z)
    p = acts[-1]
    if out == "softmax":
        li = -(Y * np.log(p)).sum(axis=1)
    elif out == "logistic":
        li = -(Y * np.log(p) + (1 - Y) * np.log(1 - p)).sum(axis=1)
    else:
        li = 0.5 * ((p - Y) ** 2).mean(axis=1)
    sw = s.sum()
    loss = (s * li).sum() / sw + 0.5 * alpha * sum((W * W).sum() for W in coefs) / sw
    delta = (p - Y) * s[:, None]
    cg, ig = [None] * len(coefs), [None] * len(coefs)
    for i in range(len(coefs) - 1, -1, -1):
        cg[i] = (acts[i].T @ delta + alpha * coefs[i]) / sw
        ig[i] = delta.sum(axis=0) / sw
        if i > 0:
            delta = (delta @ coefs[i].T) * df(acts[i])
    return loss, cg, ig


def check_against_sklearn(est, X, Y, coefs, intercepts, activation, alpha, out):
    """Asserts the NumPy formula with unit weights is 1.2.1's _backprop."""
    est.coefs_ = [c.copy() for c in coefs]
    est.intercepts_ = [b.copy() for b in intercepts]
    est.alpha = alpha
    n = X.shape[0]
    layer_units = [X.shape[1]] + [c.shape[1] for c in coefs]
    activations = [X] + [None] * (len(layer_units) - 1)
    deltas = [None] * (len(activations) - 1)
    cg = [np.empty((a, b)) for a, b in zip(layer_units[:-1], layer_units[1:])]
    ig = [np.empty(b) for b in layer_units[1:]]
    y = Y if out != "logistic" else Y
    loss, cg, ig = est._backprop(X, y, activations, deltas, cg, ig)
    l2, cg2, ig2 = weighted_backprop(X, Y, np.ones(n), coefs, intercepts, activation, alpha, out)
    assert abs(loss - l2) < 1e-12 * max(1, abs(loss)), (loss, l2)
    for a, b in zip(cg + ig, cg2 + ig2):
        assert np.allclose(a, b, rtol=1e-11, atol=1e-13)


def gradient_case(name, kind, seed, n, features, hidden, activation, alpha, k=3, outputs=1):
    rs = np.random.RandomState(seed)
    X = rs.normal(size=(n, features))
    widths = [features] + hidden
    if kind == "multiclass":
        widths.append(k)
        labels = rs.randint(0, k, size=n)
        Y = np.eye(k)[labels]
        out = "softmax"
        est = MLPClassifier(hidden_layer_sizes=tuple(hidden), activation=activation)
        est.out_activation_ = "softmax"
        est._label_binarizer = None
    elif kind == "binary":
        widths.append(1)
        labels = rs.randint(0, 2, size=n)
        Y = labels[:, None].astype(float)
        out = "logistic"
        est = MLPClassifier(hidden_layer_sizes=tuple(hidden), activation=activation)
        est.out_activation_ = "logistic"
    else:
        widths.append(outputs)
        Y = rs.normal(size=(n, outputs))
        out = "identity"
        est = MLPRegressor(hidden_layer_sizes=tuple(hidden), activation=activation)
        est.out_activation_ = "identity"
    est.n_layers_ = len(widths)
    coefs = [rs.normal(scale=0.6, size=(a, b)) for a, b in zip(widths[:-1], widths[1:])]
    intercepts = [rs.normal(scale=0.3, size=b) for b in widths[1:]]
    check_against_sklearn(est, X, Y, coefs, intercepts, activation, alpha, out)
    s = np.round(rs.uniform(0, 3, size=n), 3)
    s[rs.randint(n)] = 0.0
    loss, cg, ig = weighted_backprop(X, Y, s, coefs, intercepts, activation, alpha, out)
    case = {
        "name": name, "kind": kind, "activation": activation, "alpha": alpha,
        "X": X.tolist(), "sample_weight": s.tolist(),
        "coefs": lists(coefs), "intercepts": lists(intercepts),
        "loss": float(loss), "coef_grads": lists(cg), "intercept_grads": lists(ig),
    }
    if kind == "regressor":
        case["values"] = Y.tolist()
    else:
        case["labels"] = labels.tolist()
    return case


def trajectory_case(name, kind, seed, n, features, hidden, activation, alpha, lr=0.01,
                    max_iter=40, tol=1e-4, n_iter_no_change=10, classes=None, outputs=1):
    rs = np.random.RandomState(seed)
    X = np.round(rs.normal(size=(n, features)), 6)
    cols = ["f%d" % j for j in range(features)]
    s = rs.randint(0, 4, size=n)
    s[0] = max(s[0], 1)
    Xs = StandardScaler().fit_transform(X)
    if kind == "classifier":
        scores = X @ rs.normal(size=(features, len(classes))) + rs.normal(scale=0.5, size=(n, len(classes)))
        y = np.array(classes)[scores.argmax(axis=1)]
        target = {"classes": list(classes), "labels": y.tolist()}
        yfit = y
        est = RecClassifier
    else:
        z = X @ rs.normal(size=(features, outputs))
        Y = np.round(np.tanh(z) * 10 + rs.normal(scale=0.3, size=z.shape) + 50, 6)
        target = {"columns": ["y%d" % j for j in range(outputs)], "values": Y.tolist()}
        yfit = StandardScaler().fit_transform(Y)
        if outputs == 1:
            yfit = yfit.ravel()
        est = RecRegressor
    rep = np.repeat(np.arange(n), s)
    m = est(hidden_layer_sizes=tuple(hidden), activation=activation, solver="adam", alpha=alpha,
            batch_size=len(rep), learning_rate_init=lr, max_iter=max_iter, shuffle=False,
            random_state=seed, tol=tol, n_iter_no_change=n_iter_no_change)
    m.init_record_ = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m.fit(Xs[rep], yfit[rep])
    return {
        "name": name, "estimator": kind, "hidden_layer_sizes": list(hidden), "activation": activation,
        "alpha": alpha, "learning_rate_init": lr, "batch_size": n, "max_iter": max_iter, "tol": tol,
        "n_iter_no_change": n_iter_no_change, "feature_names": cols, "X": X.tolist(), "target": target,
        "sample_weight": s.astype(float).tolist(),
        "init_coefs": lists([c for c, _ in m.init_record_]),
        "init_intercepts": lists([b for _, b in m.init_record_]),
        "loss_curve": list(m.loss_curve_), "n_iter": int(m.n_iter_),
        "coefs": lists(m.coefs_), "intercepts": lists(m.intercepts_),
    }


def main():
    balanced = []
    rs = np.random.RandomState(0)
    for k, n, p in [(2, 400, [0.775, 0.225]), (3, 50, [0.6, 0.3, 0.1]), (5, 37, None), (2, 7, [0.5, 0.5])]:
        while True:
            labels = rs.choice(k, size=n, p=p)
            if len(np.unique(labels)) == k:
                break
        w = compute_class_weight("balanced", classes=np.arange(k), y=labels)
        balanced.append({"labels": labels.tolist(), "k": k, "weights": w.tolist()})
    gradients = [
        gradient_case("binary relu alpha 1e-2", "binary", 1, 12, 3, [5], "relu", 1e-2),
        gradient_case("binary logistic two layers", "binary", 2, 10, 4, [4, 3], "logistic", 0.1),
        gradient_case("multiclass tanh", "multiclass", 3, 15, 3, [6], "tanh", 1e-3, k=4),
        gradient_case("multiclass relu alpha 0", "multiclass", 4, 9, 2, [3], "relu", 0.0, k=3),
        gradient_case("regressor 1 output tanh", "regressor", 5, 11, 3, [4], "tanh", 1e-2),
        gradient_case("regressor 2 outputs identity", "regressor", 6, 13, 4, [5], "identity", 0.5, outputs=2),
    ]
    trajectories = [
        trajectory_case("binary weighted relu", "classifier", 31, 40, 3, [5], "relu", 1e-2,
                        classes=["no", "yes"], max_iter=40),
        trajectory_case("3 classes weighted tanh", "classifier", 32, 45, 4, [6], "tanh", 1e-3,
                        classes=["a", "b", "c"], max_iter=40, lr=0.02),
        trajectory_case("regressor weighted 2 outputs", "regressor", 33, 40, 3, [5], "logistic", 1e-2,
                        outputs=2, max_iter=40, lr=0.02),
        trajectory_case("classifier weighted stops by tol", "classifier", 34, 40, 3, [4], "relu", 0.0,
                        classes=["a", "b", "c"], max_iter=300, lr=0.05, tol=1e-3, n_iter_no_change=4),
    ]
    json.dump({"sklearn": sklearn.__version__, "balanced": balanced, "gradients": gradients,
               "trajectories": trajectories}, sys.stdout, indent=None)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
