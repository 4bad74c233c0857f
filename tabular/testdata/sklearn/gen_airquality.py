#!/usr/bin/python3
"""Writes airquality.json: scikit-learn 1.2.1's test R² of an MLPRegressor
on 20 splits of R's airquality table, for the Go test of MLPRegressor.

airquality.csv is R's datasets::airquality (public domain), written by

    Rscript -e 'write.csv(airquality,"airquality.csv",row.names=FALSE)'

The rows with a missing Ozone (the target) are dropped; the features are
Solar.R, Wind, Temp, Month and Day, with missing cells. For s = 1..20 the
rows (numbered 0.. after the drop, in file order) are split by
train_test_split(test_size=0.2, random_state=s), and

    TransformedTargetRegressor(
        make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                      MLPRegressor(max_iter=2000, random_state=s)),
        transformer=StandardScaler())

is fitted on the training rows and scored (R²) on the test rows. For the
first five splits the initial weights scikit-learn draws are recorded too
(by overriding _init_coef), so that the Go regressor can start from them.
Run with

    /usr/bin/python3 gen_airquality.py > airquality.json
"""

import json
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

assert sklearn.__version__ == "1.2.1", sklearn.__version__


RECORDED = []


class RecordingMLPRegressor(MLPRegressor):
    """MLPRegressor recording its initial weights in RECORDED (a module
    variable: TransformedTargetRegressor fits a clone)."""

    def _init_coef(self, fan_in, fan_out, dtype):
        c, b = super()._init_coef(fan_in, fan_out, dtype)
        RECORDED.append((c.copy(), b.copy()))
        return c, b


def main():
    df = pd.read_csv("airquality.csv")
    df = df.dropna(subset=["Ozone"]).reset_index(drop=True)
    features = ["Solar.R", "Wind", "Temp", "Month", "Day"]
    X = df[features].to_numpy(dtype=float)
    y = df["Ozone"].to_numpy(dtype=float)
    splits = []
    for s in range(1, 21):
        train, test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=s)
        model = TransformedTargetRegressor(
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                          RecordingMLPRegressor(max_iter=2000, random_state=s)),
            transformer=StandardScaler())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X[train], y[train])
        mlp = model.regressor_[-1]
        split = {
            "seed": s,
            "train": train.tolist(),
            "test": test.tolist(),
            "r2": float(model.score(X[test], y[test])),
            "n_iter": int(mlp.n_iter_),
            "final_loss": float(mlp.loss_curve_[-1]),
        }
        if s <= 5:
            split["init_coefs"] = [c.tolist() for c, _ in RECORDED]
            split["init_intercepts"] = [b.tolist() for _, b in RECORDED]
        RECORDED.clear()
        splits.append(split)
    r2 = [sp["r2"] for sp in splits]
    out = {
        "generator": "gen_airquality.py",
        "sklearn": sklearn.__version__,
        "rows": int(len(y)),
        "features": features,
        "target": "Ozone",
        "mean_r2": float(np.mean(r2)),
        "splits": splits,
    }
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
