#!/usr/bin/python3
"""Writes warmstart.json: scikit-learn 1.2.1's MLPClassifier and
MLPRegressor fitted for max_iter epochs, then, with warm_start=True, fitted
again on the same rows for max_iter more, for the Go test of
MLPSettings.WarmStart.

Run with the Python that has scikit-learn 1.2.1, from this directory:

    /usr/bin/python3 gen_warmstart.py > warmstart.json

The cases are those of gen_trajectories.py (its make_case: recorded
initial weights, shuffle=False, standardized features and targets), whose
fields mean the same here: loss_curve, coefs and intercepts are the first
fit's. The second fit adds warm_loss_curve (loss_curve_[max_iter:], the
epochs of the second fit; scikit-learn's loss_curve_ runs on across fits),
warm_n_iter (n_iter_, counted across fits) and warm_coefs and
warm_intercepts, the weights after it. scikit-learn's second fit keeps the
weights and restarts Adam (incremental=False builds a new optimizer), as
Go's WarmStart does. tol is small enough that neither fit stops early:
scikit-learn keeps the stopping rule's best loss across fits, Go does not.
"""

import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning

import gen_trajectories as gt

assert sklearn.__version__ == "1.2.1", sklearn.__version__


def warm_case(name, kind, seed, n, features, hidden, activation, alpha, **kw):
    # make_case fits once; fit the same estimator again, capturing it.
    captured = {}
    for cls in (gt.RecClassifier, gt.RecRegressor):
        orig = cls.fit

        def fit(self, X, y, _orig=orig):
            captured["est"], captured["X"], captured["y"] = self, X, y
            return _orig(self, X, y)
        cls.fit = fit
    try:
        case = gt.make_case(name, kind, seed, n, features, hidden, activation, alpha, tol=1e-12, **kw)
    finally:
        del gt.RecClassifier.fit, gt.RecRegressor.fit
    est = captured["est"]
    first = len(est.loss_curve_)
    assert first == case["max_iter"], (name, first)
    est.set_params(warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(captured["X"], captured["y"])
    assert est.n_iter_ == 2 * first and len(est.loss_curve_) == 2 * first, (name, est.n_iter_)
    assert len(est.init_record_) == len(hidden) + 1, "the second fit drew new weights"
    case["warm_loss_curve"] = list(est.loss_curve_[first:])
    case["warm_n_iter"] = int(est.n_iter_)
    case["warm_coefs"] = gt.lists(est.coefs_)
    case["warm_intercepts"] = gt.lists(est.intercepts_)
    return case


def main():
    cases = [
        warm_case("classifier 3 classes relu", "classifier", 21, 48, 4, [6], "relu", 1e-2,
                  classes=["a", "b", "c"], max_iter=10),
        warm_case("binary logistic batches of 9", "classifier", 22, 45, 3, [5], "logistic", 0.0,
                  classes=["no", "yes"], max_iter=10, lr=0.02, batch_size=9),
        warm_case("regressor 2 outputs tanh", "regressor", 23, 50, 4, [6, 3], "tanh", 1e-2,
                  outputs=2, max_iter=10, lr=0.02),
    ]
    out = {"generator": "gen_warmstart.py", "sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}
    json.dump(out, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
