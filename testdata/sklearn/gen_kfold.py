"""Writes kfold.json: the test rows of scikit-learn 1.2.1's KFold and
StratifiedKFold (shuffle=False) on randomized and edge-case inputs, for
kfold_test.go. Run with Debian's python3-sklearn:

    /usr/bin/python3 testdata/sklearn/gen_kfold.py > testdata/sklearn/kfold.json
"""
import json
import random
import sys

import numpy as np
import sklearn
from sklearn.model_selection import KFold, StratifiedKFold

assert sklearn.__version__ == "1.2.1", sklearn.__version__
rng = random.Random(20261203)
cases = []


def kfold(name, n, k):
    folds = [t.tolist() for _, t in KFold(k).split(np.zeros((n, 1)))]
    cases.append({"name": name, "kind": "KFold", "n": n, "k": k, "test": folds})


def stratified(name, labels, k):
    y = np.asarray(labels)
    folds = [t.tolist() for _, t in StratifiedKFold(k).split(np.zeros((len(y), 1)), y)]
    cases.append({"name": name, "kind": "StratifiedKFold", "labels": labels, "k": k, "test": folds})


# Edge cases.
kfold("k = n", 7, 7)
kfold("n divisible by k", 12, 3)
kfold("n mod k = k-1", 11, 4)
kfold("two rows", 2, 2)
stratified("issue: 7 and 3", [0, 0, 0, 0, 0, 0, 0, 1, 1, 1], 3)
stratified("first appearance order", [1, 1, 1, 1, 0, 0, 0, 0, 0], 3)
stratified("k equals the smallest class", [2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 2], 3)
stratified("interleaved", [0, 1] * 10, 5)
stratified("three classes, sorted", [0] * 5 + [1] * 6 + [2] * 7, 5)
stratified("large label values", [7, 3, 7, 3, 9, 9, 3, 7, 9, 3, 7, 9], 3)
stratified("k = 2, one class twice the other", [0, 0, 1, 0, 0, 1], 2)

# Randomized cases.
for i in range(40):
    n = rng.randint(2, 60)
    k = rng.randint(2, min(n, 10))
    kfold(f"random kfold {i}", n, k)
for i in range(60):
    k = rng.randint(2, 6)
    classes = rng.randint(1, 5)
    labels = []
    for c in rng.sample(range(10), classes):
        labels += [c] * rng.randint(k, k + 12)
    if rng.random() < 0.7:
        rng.shuffle(labels)
    stratified(f"random stratified {i}", labels, k)

json.dump({"generator": "gen_kfold.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout, indent=None)
sys.stdout.write("\n")
