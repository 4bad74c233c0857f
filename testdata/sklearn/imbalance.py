"""Writes imbalance.json: scikit-learn 1.2.1's balanced_accuracy_score,
roc_auc_score (binary; multiclass one-vs-rest macro), average_precision_score
(binary; multiclass as label_binarize then average="macro") and log_loss
(eps="auto", labels=range(k)) on random and adversarial class probabilities,
with and without sample weights, for metrics_imbalance_test.go. Run with
Debian's python3-sklearn:

    /usr/bin/python3 testdata/sklearn/imbalance.py > testdata/sklearn/imbalance.json

Each case holds the probabilities as the library's functions take them: one
column P(class 1) (a Sigmoid output) or one column per class (a Softmax
output, rows summing to 1). The predicted classes for balanced accuracy are
read from them as mlp.Classify reads them (p > 0.5 for one column; the first
largest column otherwise). Where scikit-learn raises, the case records the
message and no figure; where it returns NaN, it records "nan".
"""
import json
import math
import random
import sys
import warnings

import numpy as np
import sklearn
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    log_loss,
    roc_auc_score,
)
from sklearn.preprocessing import label_binarize

assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")  # the undefined cases warn
rng = random.Random(20261203)
cases = []


def classify(p):
    if p.shape[1] == 1:
        return (p[:, 0] > 0.5).astype(int)
    return np.argmax(p, axis=1)  # the first of equal maxima


def figure(f):
    """Runs f: its float, "nan", or the message of the ValueError it raises."""
    try:
        v = float(f())
    except ValueError as e:
        return None, str(e)
    if math.isnan(v):
        return "nan", None
    return v, None


def case(name, proba, labels, weights=None):
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim == 1:
        p = p[:, None]
    y = np.asarray(labels)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    cols = p.shape[1]
    k = 2 if cols == 1 else cols
    if cols > 1:
        assert np.allclose(1, p.sum(axis=1)), name
    pred = classify(p)
    ba, ba_err = figure(lambda: balanced_accuracy_score(y, pred, sample_weight=w))
    if k == 2:
        p1 = p[:, 0] if cols == 1 else p[:, 1]
        auc, auc_err = figure(lambda: roc_auc_score(y, p1, sample_weight=w))
        ap, ap_err = figure(lambda: average_precision_score(y == 1, p1, sample_weight=w))
    else:
        auc, auc_err = figure(lambda: roc_auc_score(
            y, p, multi_class="ovr", average="macro", labels=list(range(k)), sample_weight=w))
        ap, ap_err = figure(lambda: average_precision_score(
            label_binarize(y, classes=list(range(k))), p, average="macro", sample_weight=w))
    given = p[:, 0] if cols == 1 else p
    ll, ll_err = figure(lambda: log_loss(y, given, labels=list(range(k)), sample_weight=w))
    cases.append({
        "name": name,
        "proba": p.tolist(),
        "labels": [int(v) for v in y],
        "weights": None if w is None else w.tolist(),
        "balanced_accuracy": ba, "balanced_accuracy_error": ba_err,
        "roc_auc": auc, "roc_auc_error": auc_err,
        "average_precision": ap, "average_precision_error": ap_err,
        "log_loss": ll, "log_loss_error": ll_err,
    })


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=np.float64)))


def random_labels(n, k, minority=None):
    if minority is None:
        return [rng.randrange(k) for _ in range(n)]
    return [1 if rng.random() < minority else 0 for _ in range(n)]


def informative_logits(labels, k, signal):
    return [[rng.gauss(0, 1) + (signal if c == l else 0) for c in range(k)] for l in labels]


def random_weights(n, zeros=0.0):
    return [0.0 if rng.random() < zeros else rng.uniform(0.1, 3) for _ in range(n)]


# Random sets, binary as one Sigmoid column and as two Softmax columns, and
# multiclass; unweighted and weighted.
for trial in range(6):
    for k in (2, 3, 5):
        n = rng.choice([7, 30, 101])
        labels = random_labels(n, k)
        for c in range(k):  # every class present, so that the AUC is defined
            labels[c] = c
        rng.shuffle(labels)
        z = informative_logits(labels, k, rng.choice([0.0, 1.0, 3.0]))
        case(f"random k={k} softmax n={n} #{trial}", softmax(z), labels)
        case(f"random k={k} softmax n={n} weighted #{trial}", softmax(z), labels, random_weights(n, zeros=0.1))
        if k == 2:
            d = [row[1] - row[0] for row in z]
            case(f"random sigmoid n={n} #{trial}", sigmoid(d), labels)
            case(f"random sigmoid n={n} weighted #{trial}", sigmoid(d), labels, random_weights(n))

# 5% minority.
for trial in range(3):
    n = 400
    labels = random_labels(n, 2, minority=0.05)
    labels[0] = 1
    z = [rng.gauss(0, 1) + (1.5 if l else 0) for l in labels]
    case(f"5% minority sigmoid #{trial}", sigmoid(z), labels)
    case(f"5% minority sigmoid weighted #{trial}", sigmoid(z), labels, random_weights(n))
    case(f"always majority sigmoid #{trial}", np.full(n, 0.02), labels)
    labels3 = [0 if rng.random() < 0.9 else (1 if rng.random() < 0.5 else 2) for _ in range(n)]
    labels3[:3] = [0, 1, 2]
    case(f"5% minority k=3 #{trial}", softmax(informative_logits(labels3, 3, 1.0)), labels3)

# Ties: scores from a few values, so that many rows share a threshold.
for trial in range(4):
    n = 40
    labels = random_labels(n, 2)
    labels[:2] = [0, 1]
    p = [rng.choice([0.1, 0.3, 0.5, 0.7, 0.9]) for _ in labels]
    case(f"tied sigmoid #{trial}", p, labels)
    case(f"tied sigmoid weighted #{trial}", p, labels, random_weights(n, zeros=0.2))
    rows = softmax([[rng.gauss(0, 1) for _ in range(3)] for _ in range(4)])
    labels3 = random_labels(n, 3)
    labels3[:3] = [0, 1, 2]
    case(f"tied k=3 #{trial}", [rows[rng.randrange(4)] for _ in range(n)], labels3)
case("all scores equal", np.full(10, 0.5), [0, 1] * 5)
case("all scores equal k=3", np.full((9, 3), 1 / 3), [0, 1, 2] * 3)
case("all scores equal weighted", np.full(6, 0.4), [0, 1, 1, 0, 1, 0], [1, 2, 3, 4, 5, 6])

# Perfect and inverse scores.
case("perfect sigmoid", [0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])
case("inverse sigmoid", [0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])
case("perfect k=3", np.eye(3)[[0, 1, 2, 2, 1, 0]], [0, 1, 2, 2, 1, 0])
case("inverse k=3", softmax(-10 * np.eye(3)[[0, 1, 2, 2, 1, 0]]), [0, 1, 2, 2, 1, 0])

# A class absent from the predictions (balanced accuracy counts its recall 0).
case("class never predicted k=3", softmax([[3, 0, 1], [0, 3, 1], [3, 0, 1], [0, 3, 1], [1, 0, 0.5], [0, 1, 0.5]]), [0, 1, 2, 1, 2, 0])
case("class never predicted sigmoid", [0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1])

# Undefined: one class absent from the labels.
case("only class 0 sigmoid", [0.1, 0.6, 0.3], [0, 0, 0])
case("only class 1 sigmoid", [0.1, 0.6, 0.3], [1, 1, 1])
case("only class 1 softmax", softmax([[0, 1], [1, 0]]), [1, 1])
case("class 2 absent k=3", softmax([[2, 0, 0], [0, 2, 0], [0, 0, 2], [1, 1, 0]]), [0, 1, 1, 0])
case("every sample class 0 k=3", softmax([[2, 0, 0], [0, 2, 0], [0, 0, 2]]), [0, 0, 0])
# The positives all weigh 0: roc_curve's TPR is NaN, and so is the AUC;
# average precision is 0.
case("positives weigh 0", [0.2, 0.7, 0.4, 0.9], [0, 1, 0, 1], [1, 0, 2, 0])
case("negatives weigh 0", [0.2, 0.7, 0.4, 0.9], [0, 1, 0, 1], [0, 1, 0, 2])
case("class 1 weighs 0 k=3", softmax([[2, 0, 0], [0, 2, 0], [0, 0, 2], [1, 1, 0]]), [0, 1, 2, 1], [1, 0, 1, 0])

# Log loss at the clipping bounds: certain right, certain wrong, tiny.
case("certain sigmoid", [0.0, 1.0, 1.0, 0.0], [0, 1, 0, 1])
case("certain softmax", [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], [0, 1, 0, 2])
case("tiny probabilities", [1e-20, 1 - 1e-17, 1e-300, 0.5], [1, 0, 0, 1])
case("tiny softmax", softmax([[0, 50, -50], [-800, 0, 0], [3, 2, 1]]), [2, 0, 1])

json.dump({"sklearn": sklearn.__version__, "cases": cases}, sys.stdout, indent=0)
sys.stdout.write("\n")
