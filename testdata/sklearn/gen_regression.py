"""Writes regression.json: scikit-learn 1.2.1's r2_score, mean_squared_error
(squared and not) and mean_absolute_error, per output ("raw_values") and
averaged ("uniform_average"), on randomized and edge-case targets and
predictions with one to four outputs, for regression_sklearn_test.go. Run
with Debian's python3-sklearn:

    /usr/bin/python3 testdata/sklearn/gen_regression.py > testdata/sklearn/regression.json

Cases with "scale" != 0 hold base values times 2**scale (near 1e300 or
1e-300), where numpy's sums of squares overflow or underflow: scikit-learn
gives inf, nan or a wrong R² there ("sklearn_direct" records what), and the
reference figures are scikit-learn's on the base values, scaled back by
2**scale (exact: the scaling is a power of two).
"""
import json
import math
import random
import sys
import warnings

import numpy as np
import sklearn
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")  # r2_score of one sample warns and gives nan
rng = random.Random(20261204)
cases = []


def enc(x):
    """JSON has no NaN or infinities: write them as strings."""
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def figures(y, p):
    f = {}
    for mo in ("raw_values", "uniform_average"):
        key = "raw" if mo == "raw_values" else "avg"
        f["r2_" + key] = r2_score(y, p, multioutput=mo)
        f["mse_" + key] = mean_squared_error(y, p, multioutput=mo)
        f["rmse_" + key] = mean_squared_error(y, p, multioutput=mo, squared=False)
        f["mae_" + key] = mean_absolute_error(y, p, multioutput=mo)
    return f


def case(name, y, p, scale=0):
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    if y.ndim == 1:
        y, p = y[:, None], p[:, None]
    f = figures(y, p)
    if len(y) < 2:
        # r2_score returns one nan, not one per output, below two samples.
        assert math.isnan(f["r2_raw"])
        f["r2_raw"] = np.full(y.shape[1], np.nan)
    # The square root of the mean squared error pooled over the outputs.
    f["rmse_pooled"] = math.sqrt(f["mse_avg"])
    c = {"name": name, "scale": scale}
    if scale:
        ys, ps = np.ldexp(y, scale), np.ldexp(p, scale)
        with np.errstate(all="ignore"):
            d = figures(ys, ps)
        c["sklearn_direct"] = {k: enc(np.atleast_1d(v).tolist()) for k, v in d.items()}
        for k in list(f):
            if not k.startswith("r2"):
                f[k] = np.ldexp(f[k], 2 * scale if k.startswith("mse") else scale)
        d["rmse_pooled"] = math.sqrt(d["mse_avg"])
        y, p = ys, ps
    c["y"] = y.tolist()
    c["pred"] = p.tolist()
    for k, v in f.items():
        c[k] = enc(np.atleast_1d(v).tolist()) if k.endswith("raw") else enc(v)
    cases.append(c)


# Edge cases.
case("one row", [3.0], [2.5])
case("one row, two outputs", [[3.0, 1.0]], [[2.5, 1.0]])
case("two rows", [1.0, 2.0], [1.5, 1.5])
case("perfect", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
case("constant target, exact", [[2.0, 1.0], [2.0, 2.0], [2.0, 3.0]], [[2.0, 1.5], [2.0, 2.0], [2.0, 2.5]])
case("constant target, inexact", [[2.0, 1.0], [2.0, 2.0], [2.0, 3.0]], [[2.5, 1.5], [2.0, 2.0], [2.0, 2.5]])
case("mean prediction", [1.0, 2.0, 3.0, 6.0], [3.0, 3.0, 3.0, 3.0])
case("negative R²", [1.0, 2.0, 3.0], [3.0, 1.0, 5.0])
case("large offset", [1e8 + 1, 1e8 + 2, 1e8 + 3, 1e8 + 5], [1e8 + 1.5, 1e8 + 2, 1e8 + 2.5, 1e8 + 5])
case("mixed scales", [[1e-6, 1e6], [2e-6, 3e6], [4e-6, 2e6]], [[1.5e-6, 1.1e6], [2e-6, 2.9e6], [3e-6, 2e6]])
# Not here: targets that differ only in their last bits, such as
# [1, 1+2**-52, 1, 1+2**-51], where numpy's mean rounds to 1 and r2_score
# gives 0 for predictions of 1; the library's R² is the exact -9/11
# (regression_sklearn_test.go, TestR2NearConstant).
base = [[1.0, -2.0], [3.0, 0.5], [-2.5, 4.0], [0.25, 1.0]]
basep = [[1.5, -1.0], [2.0, 0.5], [-3.5, 3.0], [0.0, 1.75]]
case("issue: targets near 1e300", base, basep, scale=996)
case("targets near 1e300, far predictions", [1.0, -1.0, 0.5], [-1.0, 1.0, 0.25], scale=1021)
case("targets near 1e-300", base, basep, scale=-996)
case("targets near 1e-300, exact but one", [1.0, 2.0, 3.0], [1.0, 2.0, 3.5], scale=-1000)
case("subnormal residuals", [1.0, 2.0, 3.0, 4.0], [1.25, 2.0, 3.0, 3.5], scale=-1060)

# Randomized cases.
for i in range(80):
    n = rng.choice([2, 3, 5, 10, 30, 100, 257])
    m = rng.randint(1, 4)
    offset = rng.choice([0.0, 0.0, 5.0, -300.0, 1e6])
    spread = rng.choice([1.0, 1.0, 1e-3, 1e4])
    y = [[offset + spread * rng.gauss(0, 1) for _ in range(m)] for _ in range(n)]
    noise = rng.choice([0.0, 0.1, 0.5, 2.0])
    p = [[v + noise * spread * rng.gauss(0, 1) for v in row] for row in y]
    if rng.random() < 0.2:
        for row in y:
            row[0] = offset
    case(f"random {i}", y, p)

json.dump({"generator": "gen_regression.py", "sklearn": sklearn.__version__, "cases": cases},
          sys.stdout, ensure_ascii=False)
sys.stdout.write("\n")
