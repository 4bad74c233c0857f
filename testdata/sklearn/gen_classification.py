"""Writes classification.json: scikit-learn 1.2.1's accuracy_score,
confusion_matrix, precision_recall_fscore_support (per class, macro and
weighted, zero_division=0), balanced_accuracy_score, the accuracy of
DummyClassifier(strategy="most_frequent") and classification_report text on randomized and
edge-case class indices, for classification_sklearn_test.go. Run with
Debian's python3-sklearn:

    /usr/bin/python3 testdata/sklearn/gen_classification.py > testdata/sklearn/classification.json
"""
import json
import random
import sys
import warnings

import numpy as np
import sklearn
from sklearn.dummy import DummyClassifier
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)

assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")  # zero_division="warn" warns and gives 0
rng = random.Random(20261203)
cases = []


def case(name, labels, pred, k=None, names=None):
    y, p = np.asarray(labels), np.asarray(pred)
    if k is None:
        k = max(max(labels), max(pred)) + 1
    present = sorted(set(labels) | set(pred))
    pr, rc, f1, sup = precision_recall_fscore_support(y, p, labels=present, zero_division=0)
    avg = {}
    for a in ("macro", "weighted"):
        ap, ar, af, _ = precision_recall_fscore_support(y, p, average=a, zero_division=0)
        # The single-score functions and zero_division="warn" agree.
        assert ap == precision_score(y, p, average=a) == precision_score(y, p, average=a, zero_division=0)
        assert ar == recall_score(y, p, average=a, zero_division=0)
        assert af == f1_score(y, p, average=a, zero_division=0)
        avg[a] = [float(ap), float(ar), float(af)]
    if names is None:
        report = classification_report(y, p, zero_division=0)
    else:
        report = classification_report(
            y, p, labels=present, target_names=[names[c] for c in present], zero_division=0
        )
        # The default report on the names themselves, when their order is
        # the class order, is the same text.
        if names == sorted(names):
            yn = np.asarray([names[c] for c in labels], dtype=object)
            pn = np.asarray([names[c] for c in pred], dtype=object)
            assert report == classification_report(yn, pn, zero_division=0)
    cases.append({
        "name": name,
        "k": k,
        "names": names,
        "labels": list(labels),
        "pred": list(pred),
        "accuracy": float(accuracy_score(y, p)),
        "confusion": confusion_matrix(y, p, labels=list(range(k))).tolist(),
        "present": present,
        "precision": pr.tolist(),
        "recall": rc.tolist(),
        "f1": f1.tolist(),
        "support": [int(s) for s in sup],
        "macro": avg["macro"],
        "weighted": avg["weighted"],
        "report": report,
        "balanced_accuracy": float(balanced_accuracy_score(y, p)),
        # The majority-class rate of the report: the score of always
        # predicting the most frequent true class.
        "majority_rate": float(DummyClassifier(strategy="most_frequent").fit(np.zeros((len(y), 1)), y).score(np.zeros((len(y), 1)), y)),
    })


# Edge cases.
case("one row, right", [0], [0])
case("one row, wrong", [1], [0])
case("all right", [0, 1, 2, 0, 1, 2], [0, 1, 2, 0, 1, 2])
case("all wrong", [0, 1, 2, 0, 1, 2], [1, 2, 0, 2, 0, 1])
case("one class", [0, 0, 0], [0, 0, 0])
case("absent class in the middle", [0, 2, 0, 2, 2], [0, 2, 2, 2, 0], k=3)
case("absent classes at the end", [0, 1, 1, 0], [0, 1, 1, 0], k=5)
case("issue: absent class, every prediction right", [0, 1, 0, 1], [0, 1, 0, 1], k=3,
     names=["a", "b", "c"])
case("class only predicted", [0, 0, 1, 1], [0, 2, 1, 1])
case("class only true", [0, 2, 1, 1], [0, 0, 1, 1])
case("one-member classes", [0, 1, 2, 3, 4, 4, 4], [0, 1, 3, 2, 4, 4, 0])
case("binary", [0, 1, 1, 0, 1, 1, 1, 0], [0, 1, 0, 0, 1, 1, 0, 1])
case("f1 of 1/8", [0] * 15 + [1], [1] + [0] * 15)
case("ties at .xx5", [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2], [0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 2, 2])
case("issue: non-ASCII names", [0, 1, 2, 0, 1, 2, 2], [0, 1, 2, 1, 1, 2, 0],
     names=["chat", "chien", "ネコ科の動物"])
case("long non-ASCII name", [0, 1, 1, 0], [0, 1, 0, 0], names=["Ärger", "Übergroße Säugetiere"])
case("combining mark and emoji", [0, 1, 2, 2], [0, 1, 1, 2], names=["e\u0301t\u00e9", "🐱", "猫"])
case("names wider than the header", [0, 1], [0, 1], names=["a very long class name indeed", "b"])
case("accented names", [1, 0, 1, 2, 2], [1, 0, 0, 2, 1], names=["café", "naïve", "zoë"])

# Randomized cases.
for i in range(80):
    n = rng.choice([1, 2, 3, 5, 10, 20, 50, 120, 300])
    k = rng.randint(1, 9)
    weights = [rng.random() ** 2 for _ in range(k)]
    labels = rng.choices(range(k), weights, k=n)
    right = rng.random()
    pred = [t if rng.random() < right else rng.randrange(k) for t in labels]
    names = None
    if rng.random() < 0.4:
        pool = ["setosa", "versicolor", "virginica", "chat", "chien", "ネコ科の動物", "oiseau",
                "Ölsardine", "x", "", "spaces in it", "émeu", "Δ", "12", "-3", "猫と犬"]
        names = rng.sample(pool, k)
        if rng.random() < 0.5:
            names.sort()
    case(f"random {i}", labels, pred, k=k, names=names)

json.dump({"generator": "gen_classification.py", "sklearn": sklearn.__version__, "cases": cases},
          sys.stdout, ensure_ascii=False)
sys.stdout.write("\n")
