#!/usr/bin/python3
"""Writes importance.json: scikit-learn 1.2.1's permutation_importance of a
fitted Pipeline (imputation, scaling, one-hot encoding, an MLP) on
held-out rows, for the Go test of tabular.PermutationImportance.

Run with the Python that has scikit-learn 1.2.1:

    /usr/bin/python3 gen_importance.py > importance.json

Each case holds the raw training and test tables (numeric columns with a
few missing cells, a text column with a missing cell, and on the test
table an "id" column the model does not read), the fitted MLP's coefs_
and intercepts_ (the Go test rebuilds the same pipeline: it fits its own
Preprocessor on the training table, which gives scikit-learn's statistics,
and loads the weights), for a regressor the target scaler
(TransformedTargetRegressor with StandardScaler), and what scikit-learn
gives (with sample_weight in the last case): the baseline score and importances (n_features x n_repeats),
importances_mean and importances_std.

scikit-learn draws the permutations from numpy's RandomState, which Go
does not have, so the generator records the row order of every permuted
column: permutation_importance draws one seed, and for each column shuffles
one index array in place n_repeats times, permuting the already permuted
column each time (_calculate_permutation_scores), so that repeat r's column
is the original one read in the order orders[j][r]. The generator
recomputes every importance from these orders with the pipeline's own
score and asserts that it is scikit-learn's, bit for bit.
"""

import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.metrics import check_scoring
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import check_random_state

assert sklearn.__version__ == "1.2.1", sklearn.__version__


def frame(rs, n, with_id):
    X = pd.DataFrame({
        "f0": np.round(rs.normal(size=n), 4),
        "colour": rs.choice(["red", "green", "blue"], size=n).astype(object),
        "f1": np.round(rs.normal(size=n) * 10 + 5, 4),
        "f2": np.round(rs.normal(size=n), 4),
    })
    X.loc[3, "f1"] = np.nan
    X.loc[7, "colour"] = np.nan
    if with_id:
        X.insert(0, "id", np.arange(n, dtype=float) + 1000)
    return X


def preprocessing(features):
    # One transformer per column, in table order, as Go's Preprocessor
    # gives its columns.
    num = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler())
    cat = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore"))
    return ColumnTransformer(
        [(c, cat if c == "colour" else num, [c]) for c in features],
        remainder="drop", sparse_threshold=0)


def signal(X):
    c = X["colour"].map({"red": 1.5, "green": -1.0, "blue": 0.0}).fillna(0).to_numpy()
    return 2.0 * X["f0"].to_numpy() + 0.15 * X["f1"].fillna(5).to_numpy() + c


def orders(random_state, n_features, n_repeats, n):
    """The row order of each permuted column, as permutation_importance
    draws them (max_samples=1.0)."""
    rs = check_random_state(random_state)
    seed = rs.randint(np.iinfo(np.int32).max + 1)
    out = []
    for _ in range(n_features):
        col_rs = check_random_state(seed)
        idx = np.arange(n)
        eff = np.arange(n)
        reps = []
        for _ in range(n_repeats):
            col_rs.shuffle(idx)
            eff = eff[idx]
            reps.append(eff.tolist())
        out.append(reps)
    return out


def make_case(name, kind, seed, n_train, n_test, hidden, n_repeats, random_state, scoring=None, weighted=False):
    rs = np.random.RandomState(seed)
    Xtr, Xte = frame(rs, n_train, False), frame(rs, n_test, True)
    features = ["f0", "colour", "f1", "f2"]
    if kind == "classifier":
        def label(X):
            s = signal(X) + rs.normal(scale=0.7, size=len(X))
            return np.where(s < -0.5, "low", np.where(s < 1.5, "mid", "high")).astype(object)
        ytr, yte = label(Xtr), label(Xte)
        mlp = MLPClassifier(hidden_layer_sizes=hidden, max_iter=300, random_state=seed, learning_rate_init=0.01)
        est = Pipeline([("prep", preprocessing(features)), ("mlp", mlp)])
    else:
        ytr = np.round(signal(Xtr) * 3 + 20 + rs.normal(scale=0.5, size=n_train), 4)
        yte = np.round(signal(Xte) * 3 + 20 + rs.normal(scale=0.5, size=n_test), 4)
        mlp = MLPRegressor(hidden_layer_sizes=hidden, max_iter=300, random_state=seed, learning_rate_init=0.01)
        est = Pipeline([("prep", preprocessing(features)),
                        ("mlp", TransformedTargetRegressor(regressor=mlp, transformer=StandardScaler()))])
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(Xtr, ytr)
    sw = np.round(rs.uniform(0.2, 3.0, size=n_test), 3) if weighted else None
    r = permutation_importance(est, Xte, yte, n_repeats=n_repeats, random_state=random_state, scoring=scoring,
                               sample_weight=sw)
    order = orders(random_state, Xte.shape[1], n_repeats, n_test)

    # The recorded orders reproduce scikit-learn's figures exactly.
    scorer = check_scoring(est, scoring=scoring)
    kw = {} if sw is None else {"sample_weight": sw}
    base = scorer(est, Xte, yte, **kw)
    for j, col in enumerate(Xte.columns):
        for k, o in enumerate(order[j]):
            Xp = Xte.copy()
            Xp[col] = Xte[col].to_numpy()[o]
            assert base - scorer(est, Xp, yte, **kw) == r.importances[j, k], (name, col, k)

    if kind == "classifier":
        net = est.named_steps["mlp"]
        target = {"classes": net.classes_.tolist(), "train": ytr.tolist(), "test": yte.tolist()}
    else:
        ttr = est.named_steps["mlp"]
        net = ttr.regressor_
        target = {"train": ytr.tolist(), "test": yte.tolist(),
                  "mean": ttr.transformer_.mean_.tolist(), "scale": ttr.transformer_.scale_.tolist()}

    def table(X):
        return {c: [None if (isinstance(v, float) and np.isnan(v)) else v for v in X[c].tolist()] for c in X.columns}

    return {
        "name": name,
        "estimator": kind,
        "hidden_layer_sizes": list(hidden),
        "activation": net.activation,
        "n_repeats": n_repeats,
        "random_state": random_state,
        "scoring": scoring,
        "sample_weight": None if sw is None else sw.tolist(),
        "columns": list(Xte.columns),
        "train": table(Xtr),
        "test": table(Xte),
        "target": target,
        "coefs": [c.tolist() for c in net.coefs_],
        "intercepts": [b.tolist() for b in net.intercepts_],
        "baseline": float(base),
        "orders": order,
        "importances": r.importances.tolist(),
        "importances_mean": r.importances_mean.tolist(),
        "importances_std": r.importances_std.tolist(),
    }


def main():
    cases = [
        make_case("classifier accuracy", "classifier", 1, 120, 60, (8,), 5, 0),
        make_case("regressor r2", "regressor", 2, 120, 50, (6,), 4, 7),
        make_case("regressor neg_mean_absolute_error", "regressor", 3, 100, 40, (5, 3), 3, 11,
                  scoring="neg_mean_absolute_error"),
        # sample_weight: the weighted accuracy (the rows keep their order).
        make_case("classifier weighted accuracy", "classifier", 4, 120, 60, (8,), 4, 5, weighted=True),
    ]
    out = {"generator": "gen_importance.py", "sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}
    json.dump(out, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
