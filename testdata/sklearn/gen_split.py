"""Writes split.json: the sizes of scikit-learn 1.2.1's train_test_split
(test_size=f) and, with stratify, the number of test rows of each class,
on randomized and edge-case sizes, fractions and labels, for
split_sklearn_test.go. Run with Debian's python3-sklearn:

    /usr/bin/python3 testdata/sklearn/gen_split.py > testdata/sklearn/split.json

scikit-learn breaks ties between classes with equal remainders
(_approximate_mode) at random, so for each stratified case "class_tests"
lists every per-class count (classes in sorted order) seen over 300
random_states; "error" is true where scikit-learn refuses the split.
"""
import json
import math
import random
import sys

import numpy as np
import sklearn
from sklearn.model_selection import train_test_split

assert sklearn.__version__ == "1.2.1", sklearn.__version__
rng = random.Random(20261208)
cases = []


def case(name, n, f, labels=None):
    c = {"name": name, "n": n, "fraction": f, "labels": labels}
    x = np.arange(n)
    try:
        tr, te = train_test_split(x, test_size=f, random_state=0, stratify=labels)
    except ValueError as e:
        c["error"] = True
        c["message"] = str(e)
        cases.append(c)
        return
    c["error"] = False
    c["n_test"], c["n_train"] = len(te), len(tr)
    if labels is not None:
        classes = sorted(set(labels))
        seen = set()
        for s in range(300):
            _, te = train_test_split(x, test_size=f, random_state=s, stratify=labels)
            seen.add(tuple(sum(1 for i in te if labels[i] == cl) for cl in classes))
        c["class_tests"] = sorted(list(t) for t in seen)
    cases.append(c)


# Edge cases.
case("ceil: 11 rows, 0.2", 11, 0.2)
case("ceil: 10 rows, 0.2", 10, 0.2)
case("ceil of 0.07·100 = 7.000000000000001", 100, 0.07)
case("one row", 1, 0.2)
case("two rows", 2, 0.2)
case("two rows, 0.5", 2, 0.5)
case("test part takes all but one", 5, 0.8)
case("train part empty", 5, 0.9)
case("issue: 7 and 3", 10, 0.2, [0] * 7 + [1] * 3)
case("one-member class", 10, 0.2, [0] * 9 + [1])
case("ties between classes", 12, 0.25, [0] * 4 + [1] * 4 + [2] * 4)
case("too few test rows for the classes", 9, 0.2, [0, 0, 0, 1, 1, 1, 2, 2, 2])
case("too few training rows for the classes", 6, 0.7, [0, 0, 1, 1, 2, 2])
case("imbalanced", 369, 0.2, [0] * 300 + [1] * 60 + [2] * 7 + [3] * 2)
case("large labels", 8, 0.5, [2147483647, 5, 5, 2147483647, 5, 5, 2147483647, 5])
case("a class may lose every training row", 44, 0.8, [0] * 40 + [1] * 2 + [2] * 2)

# Randomized cases.
for i in range(50):
    n = rng.randint(2, 200)
    f = rng.choice([0.1, 0.2, 0.25, 0.3, 1 / 3, 0.5, 0.7, round(rng.uniform(0.05, 0.95), 3)])
    case(f"random {i}", n, f)
for i in range(50):
    k = rng.randint(2, 5)
    labels = []
    for c in rng.sample(range(9), k):
        labels += [c] * rng.randint(2, 40)
    rng.shuffle(labels)
    f = rng.choice([0.1, 0.2, 0.25, 1 / 3, 0.5, round(rng.uniform(0.1, 0.9), 2)])
    case(f"random stratified {i}", len(labels), f, labels)

json.dump({"generator": "gen_split.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout)
sys.stdout.write("\n")
