"""Writes scoring.json: scikit-learn 1.2.1's scorers by name
(sklearn.metrics.get_scorer) on given predictions, for scoring_test.go:
classification cases (the model's classes, the predicted and the true
labels, some true labels unknown to the model) and regression cases (one
or several targets). Run with Debian's python3-sklearn:

    /usr/bin/python3 tabular/testdata/sklearn/gen_scoring.py > tabular/testdata/sklearn/scoring.json

A scorer calls the metric on (y_true, y_pred) and negates the neg_ ones;
the predictions here stand for what the model's predict gave.
"""
import json
import random
import sys

import numpy as np
import sklearn
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
        "scores": {s: score(s, np.array(pred), np.array(true)) for s in ["accuracy", "f1_macro"]},
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
