"""Writes preprocess.json: scikit-learn 1.2.1's SimpleImputer statistics
(mean, median, most_frequent) of numeric columns with missing cells, the
preprocessing of mixed tables (SimpleImputer and StandardScaler on numeric
columns, SimpleImputer(most_frequent) and
OneHotEncoder(handle_unknown="ignore") on text columns, fitted on training
rows, applied to other rows with unseen categories), and LabelEncoder's
classes and codes, on randomized and edge-case data, for
preprocess_sklearn_test.go. Run with Debian's python3-sklearn:

    /usr/bin/python3 tabular/testdata/sklearn/gen_preprocess.py > tabular/testdata/sklearn/preprocess.json
"""
import json
import math
import random
import sys
import warnings

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler

assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")
rng = random.Random(20261207)
nan = float("nan")
imputer_cases, table_cases, label_cases = [], [], []


def enc(x):
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    if isinstance(x, str) or x is None:
        return x
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def imputer(name, col):
    x = np.asarray(col, dtype=float)[:, None]
    c = {"name": name, "values": enc(col)}
    for s in ("mean", "median", "most_frequent"):
        c[s] = float(SimpleImputer(strategy=s).fit(x).statistics_[0])
    imputer_cases.append(c)


# Imputer edge cases.
imputer("one value", [nan, 2.5, nan])
imputer("median of an even count", [4.0, 1.0, nan, 3.0, 2.0])
imputer("median of two", [1.0, 2.0])
imputer("median of an odd count", [5.0, nan, 1.0, 3.0])
imputer("most_frequent tie takes the smallest", [3.0, 1.0, 3.0, 1.0, 2.0])
imputer("most_frequent tie with negatives", [-1.0, 5.0, -1.0, 5.0, -7.0, -7.0])
imputer("most_frequent, no tie", [2.0, 2.0, 1.0, nan, nan, nan])
imputer("all distinct: the smallest", [0.5, -0.25, 3.0])
imputer("constant", [7.0, 7.0, nan, 7.0])
imputer("large offset", [1e12 + 1, 1e12 + 2, 1e12 + 4, nan])
imputer("mean of thirds", [0.1, 0.2, 0.3])
# Randomized.
for i in range(60):
    n = rng.choice([1, 2, 3, 4, 7, 10, 31, 100])
    pool = [float(rng.randint(-3, 3)) for _ in range(4)]
    col = [rng.choice(pool) if rng.random() < 0.5 else round(rng.gauss(0, 10), rng.choice([0, 2, 17]))
           for _ in range(n)]
    for _ in range(rng.randint(0, n - 1)):
        col[rng.randrange(n)] = nan
    if all(math.isnan(v) for v in col):
        col[0] = 1.0
    imputer(f"random {i}", col)


# Tables: numeric and text columns; None is a missing cell.
WORDS = ["red", "green", "blue", "Blue", "blå", "rød", "grün", "ネコ", "猫", "10", "2", "-1", "a b", "Zebra",
         "zebra", "é", "e", "ü"]


def table(name, cols, train, impute="mean"):
    """cols: list of (name, kind, values); train: the training row indices."""
    n = len(cols[0][2])
    other = [i for i in range(n) if i not in set(train)]
    transformers = []
    for j, (cname, kind, _) in enumerate(cols):
        if kind == "numeric":
            t = make_pipeline(SimpleImputer(strategy=impute), StandardScaler())
        else:
            t = make_pipeline(SimpleImputer(strategy="most_frequent", missing_values=None),
                              OneHotEncoder(handle_unknown="ignore", sparse_output=False))
        transformers.append((f"c{j}", t, [j]))
    ct = ColumnTransformer(transformers)
    rows = [[cols[j][2][i] for j in range(len(cols))] for i in range(n)]
    obj = np.empty((n, len(cols)), dtype=object)
    for i in range(n):
        for j in range(len(cols)):
            v = rows[i][j]
            if cols[j][1] == "numeric":
                obj[i, j] = nan if v is None else float(v)
            else:
                obj[i, j] = v
    ct.fit(obj[train])
    categories = []
    fills = []
    for j, (cname, kind, _) in enumerate(cols):
        p = ct.named_transformers_[f"c{j}"]
        if kind == "numeric":
            categories.append(None)
            fills.append(float(p[0].statistics_[0]))
        else:
            categories.append([str(c) for c in p[1].categories_[0]])
            fills.append(str(p[0].statistics_[0]))
    out = ct.transform(obj[other]) if other else np.zeros((0, 0))
    table_cases.append({
        "name": name,
        "impute": impute,
        "columns": [{"name": c[0], "kind": c[1], "values": enc([None if v is None else v for v in c[2]])}
                    for c in cols],
        "train": list(train),
        "other": other,
        "categories": categories,
        "fills": fills,
        "train_out": ct.transform(obj[train]).tolist(),
        "other_out": out.tolist(),
    })


table("unseen categories give zeros",
      [("colour", "text", ["red", "green", "red", "blue", "purple", None, "green"])], [0, 1, 2, 3])
table("byte order: upper case first, non-ASCII last",
      [("w", "text", ["zebra", "Zebra", "é", "e", "blå", "Blue", "ネコ", "猫", "10", "2", "z"])], list(range(10)))
table("missing text takes the most frequent, smallest on ties",
      [("t", "text", ["b", "a", None, "b", "a", None, "c"])], [0, 1, 2, 3, 4])
table("one training row", [("x", "numeric", [3.0, 1.0, None]), ("t", "text", ["a", "b", None])], [0])
table("median with an even count, constant column",
      [("x", "numeric", [1.0, 4.0, None, 2.0, 10.0, 3.0]), ("k", "numeric", [5.0, 5.0, 5.0, 5.0, 7.0, None])],
      [0, 1, 2, 3], impute="median")
table("most_frequent ties", [("x", "numeric", [2.0, 1.0, 2.0, 1.0, None, 0.0])], [0, 1, 2, 3, 4],
      impute="most_frequent")
# Randomized tables.
for i in range(40):
    n = rng.randint(3, 40)
    cols = []
    for j in range(rng.randint(1, 4)):
        if rng.random() < 0.5:
            vals = [round(rng.gauss(5, 3), rng.choice([0, 1, 17])) for _ in range(n)]
            kind = "numeric"
        else:
            pool = rng.sample(WORDS, rng.randint(1, 6))
            vals = [rng.choice(pool) for _ in range(n)]
            kind = "text"
        for _ in range(rng.randint(0, n // 3)):
            vals[rng.randrange(n)] = None
        cols.append((f"col{j}", kind, vals))
    train = sorted(rng.sample(range(n), rng.randint(max(1, n // 2), n - 1)))
    for name, kind, vals in cols:  # every training column needs a value
        if all(vals[r] is None for r in train):
            vals[train[0]] = 1.0 if kind == "numeric" else "red"
    table(f"random {i}", cols, train, impute=rng.choice(["mean", "median", "most_frequent"]))


def labels(name, values):
    le = LabelEncoder().fit(values)
    label_cases.append({
        "name": name,
        "values": values,
        "classes": [str(c) for c in le.classes_],
        "codes": le.transform(values).tolist(),
    })


labels("numbers in numeric order", [10, 2, 1, 2, 10, -3])
labels("texts in code-point order", ["chien", "Chat", "chat", "ネコ", "éléphant", "zèbre", "Zèbre", "10", "9"])
labels("one class", ["only", "only"])
labels("one row", [7])
labels("large integers", [2**53, -2**53, 0, 2**40])
for i in range(30):
    if rng.random() < 0.5:
        vals = [rng.randint(-5, 20) for _ in range(rng.randint(1, 30))]
    else:
        pool = rng.sample(WORDS, rng.randint(1, 8))
        vals = [rng.choice(pool) for _ in range(rng.randint(1, 30))]
    labels(f"random {i}", vals)

json.dump({"generator": "gen_preprocess.py", "sklearn": sklearn.__version__,
           "cases": [{"imputer": imputer_cases, "tables": table_cases, "labels": label_cases}]},
          sys.stdout, ensure_ascii=False)
sys.stdout.write("\n")
