"""Writes scoring.json: scikit-learn 1.2.1's scorers by name
(sklearn.metrics.get_scorer) on given predictions, for scoring_test.go:
classification cases (the model's classes, the predicted and the true
labels, some true labels unknown to the model), classification cases
with the probabilities of a fitted model (LogisticRegression's
predict_proba on random rows; predict is their argmax) for the scorers
that read them, and regression cases (one or several targets). Run with Debian's python3-sklearn:

    /usr/bin/python3 tabular/testdata/sklearn/gen_scoring.py > tabular/testdata/sklearn/scoring.json

A scorer calls the metric on (y_true, y_pred) and negates the neg_ ones;
the predictions here stand for what the model's predict gave.
"""
import json
import random
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer

assert sklearn.__version__ == "1.2.1", sklearn.__version__
rng = random.Random(20261203)
cases = []


class Fixed:
    """An estimator whose predict returns the given predictions."""

    def __init__(self, pred):
        self.pred = pred

    def predict(self, X):
        return self.pred


class FixedProba:
    """A fitted classifier whose predict_proba returns the given
    probabilities and predict their argmax."""

    _estimator_type = "classifier"

    def __init__(self, classes, proba):
        self.classes_ = np.array(classes)
        self.proba = proba

    def predict_proba(self, X):
        return self.proba

    def predict(self, X):
        return self.classes_[self.proba.argmax(axis=1)]


LABEL_SCORERS = ["accuracy", "balanced_accuracy", "f1_macro", "precision_macro", "recall_macro"]


def score(name, pred, true):
    X = np.zeros((len(true), 1))
    return float(get_scorer(name)(Fixed(pred), X, true))


for i in range(12):
    k = rng.randint(2, 5)
    classes = [f"c{j}" for j in range(k)]
    n = rng.randint(3, 30)
    pred = [rng.choice(classes) for _ in range(n)]
    true = [rng.choice(classes + (["new"] if i % 3 == 0 else [])) for _ in range(n)]
    if i == 1:
        true = list(pred)
    cases.append({
        "name": f"classification {i}", "classes": classes, "pred": pred, "true": true,
        "scores": {s: score(s, np.array(pred), np.array(true)) for s in LABEL_SCORERS},
    })
np_rng = np.random.RandomState(20261203)
for i in range(12):
    k = 2 if i < 6 else rng.randint(3, 4)
    # Integer classes: scikit-learn 1.2's average_precision scorer refuses
    # string labels (its pos_label is 1); the JSON gives them as text.
    classes = list(range(k))
    n = rng.randint(3 * k, 40)
    # Every class among the true labels, as log_loss and roc_auc_ovr need.
    true = classes + [rng.choice(classes) for _ in range(n - k)]
    rng.shuffle(true)
    X = np_rng.normal(size=(n, 3))
    fit_y = [rng.choice(classes) for _ in range(n)] if i % 2 else true
    model = LogisticRegression(C=0.5).fit(X + np_rng.normal(scale=2, size=(n, 3)), np.array(fit_y))
    proba = model.predict_proba(X)
    fixed = FixedProba(model.classes_, proba)
    names = LABEL_SCORERS + ["roc_auc_ovr", "neg_log_loss"] + (["roc_auc", "average_precision"] if k == 2 else [])
    cases.append({
        "name": f"probabilities {i}", "classes": [str(c) for c in model.classes_],
        "pred": [str(c) for c in fixed.predict(X)], "proba": proba.tolist(), "true": [str(c) for c in true],
        "scores": {s: float(get_scorer(s)(fixed, X, np.array(true))) for s in names},
    })
for i in range(12):
    m = rng.randint(1, 3)
    n = rng.randint(2, 25)
    true = [[round(rng.gauss(0, 10), 3) for _ in range(m)] for _ in range(n)]
    pred = [[round(v + rng.gauss(0, 3), 3) for v in row] for row in true]
    names = ["r2", "neg_mean_squared_error", "neg_root_mean_squared_error", "neg_mean_absolute_error"]
    t, p = np.array(true), np.array(pred)
    if m == 1:
        t, p = t[:, 0], p[:, 0]
    cases.append({"name": f"regression {i}", "pred": pred, "true": true, "scores": {s: score(s, p, t) for s in names}})

json.dump({"sklearn": sklearn.__version__, "cases": cases}, sys.stdout, indent=1)
sys.stdout.write("\n")
