"""Writes scaler.json: scikit-learn 1.2.1's StandardScaler (mean_, scale_,
and transform of the fitted data and of other rows) on randomized and
edge-case matrices (constant and near-constant columns, one row, NaN cells,
large offsets), for scaler_sklearn_test.go. Run with Debian's
python3-sklearn:

    /usr/bin/python3 testdata/sklearn/gen_scaler.py > testdata/sklearn/scaler.json
"""
import json
import math
import random
import sys
import warnings

import numpy as np
import sklearn
from sklearn.preprocessing import StandardScaler

assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")
rng = random.Random(20261206)
cases = []


def enc(x):
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def case(name, x, other):
    x, other = np.asarray(x, dtype=float), np.asarray(other, dtype=float)
    s = StandardScaler().fit(x)
    cases.append({
        "name": name,
        "x": enc(x.tolist()),
        "other": enc(other.tolist()),
        "mean": enc(s.mean_.tolist()),
        "scale": enc(s.scale_.tolist()),
        "x_scaled": enc(s.transform(x).tolist()),
        "other_scaled": enc(s.transform(other).tolist()),
    })


nan = float("nan")
# Edge cases.
case("one row", [[1.0, -2.0, 3.5]], [[0.0, 0.0, 0.0], [2.0, -1.0, 4.0]])
case("constant columns", [[5.0, 0.0, 1.0], [5.0, 0.0, 2.0], [5.0, 0.0, 3.0]], [[4.0, 1.0, 2.0]])
case("near-constant column: spread of one ulp", [[1.0], [1.0 + 2**-52], [1.0], [1.0 + 2**-52]], [[1.5]])
case("near-constant column at 1e6", [[1e6], [1e6 + 2**-32], [1e6 - 2**-32]], [[1e6 + 1]])
case("small spread, not constant", [[1.0], [1.0 + 2**-40], [1.0 - 2**-40]], [[1.0]])
case("NaN cells are left out", [[1.0, nan], [2.0, 4.0], [nan, 6.0], [4.0, 8.0]], [[nan, 5.0], [3.0, nan]])
case("NaN and one value", [[nan, 1.0], [3.0, 2.0], [nan, 3.0]], [[2.0, 2.0]])
case("large offset", [[1e9 + 1], [1e9 + 2], [1e9 + 4], [1e9 + 8]], [[1e9], [0.0]])
case("zeros and negatives", [[0.0, -1.0], [0.0, 1.0], [-0.0, -1.0], [0.0, 1.0]], [[1.0, 0.0]])
case("two rows", [[1.0, 10.0], [3.0, 10.5]], [[2.0, 10.25]])

# Randomized cases.
for i in range(60):
    n = rng.choice([1, 2, 3, 5, 10, 50, 200])
    m = rng.randint(1, 5)
    cols = []
    for _ in range(m):
        kind = rng.random()
        off = rng.choice([0.0, 0.0, 3.0, -50.0, 1e5])
        sd = rng.choice([1.0, 1.0, 0.01, 1e3])
        if kind < 0.1:
            col = [off] * n
        elif kind < 0.2:
            col = [float(rng.randint(0, 3)) for _ in range(n)]
        else:
            col = [off + sd * rng.gauss(0, 1) for _ in range(n)]
        if rng.random() < 0.15 and n > 2:
            for _ in range(rng.randint(1, n - 1)):
                col[rng.randrange(n)] = nan
        cols.append(col)
    x = [[cols[j][i] for j in range(m)] for i in range(n)]
    other = [[rng.gauss(0, 100) for _ in range(m)] for _ in range(3)]
    case(f"random {i}", x, other)

json.dump({"generator": "gen_scaler.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout)
sys.stdout.write("\n")
