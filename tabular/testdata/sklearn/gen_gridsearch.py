"""Writes gridsearch.json: scikit-learn 1.2.1's GridSearchCV
cv_results_ (mean_test_score, std_test_score, rank_test_score),
best_index_ and the candidate that refit=True fits as best_estimator_, for
a scripted estimator whose fold scores are given (NaN, infinities and ties
included), for crossval_sklearn_test.go. Run with Debian's
python3-sklearn:

    /usr/bin/python3 tabular/testdata/sklearn/gen_gridsearch.py > tabular/testdata/sklearn/gridsearch.json

The data have 2k rows whose one feature is the row number; KFold(k) tests
rows 2f and 2f+1 in fold f, and the scripted model scores fold f with
scores[cand][f].

"rank_nan_last" is the library's documented rule: a NaN mean ranks after
every number (one more than the number of non-NaN means). It is
scikit-learn's rank_test_score except where scikit-learn's NaN stand-in,
nanmin(means) - 1, rounds to nanmin(means) (a worst mean of magnitude
2**53 or more) and ties a NaN candidate with the worst one; those cases are
marked "sklearn_ties_nan".
"""
import json
import math
import random
import sys
import warnings

import numpy as np
import sklearn
from scipy.stats import rankdata
from sklearn.base import BaseEstimator
from sklearn.model_selection import GridSearchCV, KFold

assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")  # non-finite scores warn
rng = random.Random(20261205)
cases = []


class Scripted(BaseEstimator):
    def __init__(self, cand=0, scores=None):
        self.cand = cand
        self.scores = scores

    def fit(self, X, y=None):
        return self

    def score(self, X, y=None):
        return self.scores[self.cand][int(X[0, 0]) // 2]


def enc(x):
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def nan_last(means):
    finite = [m for m in means if not math.isnan(m)]
    return [len(finite) + 1 if math.isnan(m) else 1 + sum(1 for o in finite if o > m) for m in means]


def case(name, scores):
    c, k = len(scores), len(scores[0])
    X = np.arange(2 * k, dtype=float)[:, None]
    gs = GridSearchCV(Scripted(scores=scores), {"cand": list(range(c))}, cv=KFold(k), error_score=np.nan)
    gs.fit(X)
    r = gs.cv_results_
    for f in range(k):
        got = r[f"split{f}_test_score"]
        want = np.array([s[f] for s in scores])
        assert np.array_equal(got, want, equal_nan=True), (got, want)
    means = r["mean_test_score"].tolist()
    rank = r["rank_test_score"].tolist()
    mine = nan_last(means)
    finite = [m for m in means if not math.isnan(m)]
    ties = mine != rank
    assert not ties or min(finite) - 1 == min(finite), (name, mine, rank)
    cases.append({
        "name": name,
        "k": k,
        "scores": enc(scores),
        "mean": enc(means),
        "std": enc(r["std_test_score"].tolist()),
        "rank": rank,
        "rank_nan_last": mine,
        "sklearn_ties_nan": ties,
        "best": int(gs.best_index_),
        "best_nan_last": mine.index(1),
        # refit=True (the default) fits best_params_ on all the data: the candidate of best_estimator_.
        "refit": int(gs.best_estimator_.cand),
    })


nan, inf = float("nan"), float("inf")
# Edge cases.
case("issue: first candidate NaN", [[nan, 0.9, 0.8], [0.7, 0.8, 0.9]])
case("all NaN", [[nan, 1.0], [0.5, nan], [nan, nan]])
case("one candidate", [[0.5, 0.25, 0.75]])
case("one candidate, NaN", [[0.5, nan]])
case("ties, first wins", [[0.5, 0.75], [0.75, 0.5], [0.625, 0.625], [0.25, 0.25]])
case("ties in the middle", [[0.1, 0.2], [0.9, 0.9], [0.2, 0.1], [0.15, 0.15]])
case("permuted scores tie in numpy's sum", [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1], [0.2, 0.3, 0.1]])
case("ten folds: numpy's pairwise sum", [[0.1 * i for i in range(10)], [0.1 * (9 - i) for i in range(10)],
                                         [0.45] * 10])
case("infinities", [[-inf, 0.5], [0.5, 0.5], [inf, 0.0], [nan, 0.5], [-inf, -inf]])
case("constant scores", [[0.8] * 5, [0.8] * 5])
case("k = 2", [[1.0, 0.0], [0.0, 1.0], [nan, 1.0]])
case("negative R² and NaN", [[-3.5, -1.25], [nan, 0.5], [-0.5, -0.75]])
case("NaN beside a worst mean of -1e20", [[nan, 0.0], [-1e20, -1e20], [0.5, 0.5]])
case("NaN first, worst mean -1e20 only", [[nan, 1.0], [-1e20, -1e20]])

# Randomized cases.
for i in range(60):
    c = rng.randint(1, 12)
    k = rng.randint(2, 12)
    pool = [rng.choice([0.0, 0.25, 0.5, 0.75, 1.0]) for _ in range(4)]
    scores = []
    for _ in range(c):
        row = []
        for _ in range(k):
            u = rng.random()
            if u < 0.08:
                row.append(nan)
            elif u < 0.4:
                row.append(rng.choice(pool))
            else:
                row.append(round(rng.uniform(-0.5, 1.0), rng.choice([1, 2, 17])))
        scores.append(row)
    if c > 1 and rng.random() < 0.4:
        # A permutation of another candidate's scores.
        src = scores[rng.randrange(c)]
        scores[rng.randrange(c)] = rng.sample(src, k)
    case(f"random {i}", scores)

json.dump({"generator": "gen_gridsearch.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout)
sys.stdout.write("\n")
