"""The defaults study of `mlp train` (docs/defaults.md): the command with no flags but the target, against
scikit-learn's default pipeline and its tuned one (max_iter=1000), on every table in internal/datasets.

Run from the repository root (about 10 minutes on one core; run.sh builds the command first):

    bash bench/defaults/run.sh                      # the table of docs/defaults.md
    /usr/bin/python3 bench/defaults/study.py -mlp /tmp/mlp [-tables iris,wine] [-seeds 1,2] [-flags '-epochs 1000']

For each table and split seed s (1-5 by default) the rows are split once, 20% held out
(sklearn.model_selection.train_test_split(test_size=0.2, random_state=s), stratified by the target for a
classification table), and the two parts are written as CSV files byte for byte as they are in the table. Then on
those same files:

  - the command:  mlp train -data train.csv -target T -seed s -o m [FLAGS];  mlp predict -model m -data test.csv
  - scikit-learn's default pipeline, on the same rows of the table read whole by pandas.read_csv (as a
    scikit-learn user splits a DataFrame: a column is text in both parts when any of its cells is; read part by
    part, a test part without the text cell "?" would hold numbers that match no category of its training part,
    which drops the column at prediction): a ColumnTransformer of SimpleImputer(mean) + StandardScaler on the numeric
    columns and SimpleImputer(most_frequent) + OneHotEncoder(handle_unknown='ignore') on the text columns (the
    columns pandas reads as text), then MLPClassifier() or MLPRegressor() with random_state=s;
  - the tuned pipeline: the same with max_iter=1000.

Each is scored on test.csv: accuracy for a classification table, R^2 for a regression one (averaged over the
targets, sklearn.metrics.r2_score's default). For churn the recall of the class "yes" is scored too, and the command
is also run with -class-weight balanced.

Prints a Markdown table (per table: the command's mean, the default and tuned pipelines' means, and pass or fail)
and, with -json FILE, writes every score and each run's test rows (0-based data rows of the table).  A table passes when the command's mean over the seeds is at least
max(default, tuned): "at least the default, and the tuned where that is higher". For a classification table the
difference is also given in test rows over all the runs (one row of iris is 1/30 of one seed's accuracy).
"""

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, r2_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "internal", "datasets")

# table: (targets, task); the task is the one the command infers (text or at most 20 distinct integers classify).
TABLES = {
    "breast_cancer": (["target"], "classification"),
    "churn": (["churned"], "classification"),
    "diabetes": (["target"], "regression"),
    "digits": (["target"], "classification"),
    "energy": (["heating_load", "cooling_load"], "regression"),
    "iris": (["target"], "classification"),
    "iris_species": (["species"], "classification"),
    "penguins": (["species"], "classification"),
    "wine": (["target"], "classification"),
}



def split(table, targets, task, seed, work):
    """Writes train.csv and test.csv under work, the table's own lines, and returns their paths and row indices."""
    with open(os.path.join(DATA, table + ".csv"), newline="") as f:
        lines = f.read().splitlines(keepends=True)
    header, rows = lines[0], [l for l in lines[1:] if l.strip()]
    df = pd.read_csv(io.StringIO("".join([header] + rows)))
    strat = df[targets[0]] if task == "classification" else None
    tr, te = train_test_split(np.arange(len(rows)), test_size=0.2, random_state=seed, stratify=strat)
    paths = []
    for name, idx in (("train", np.sort(tr)), ("test", np.sort(te))):
        p = os.path.join(work, "%s_%d_%s.csv" % (table, seed, name))
        with open(p, "w", newline="") as f:
            f.write(header)
            f.writelines(rows[i] for i in idx)
        paths.append(p)
    return paths + [np.sort(tr), np.sort(te)]


def sklearn_pipeline(X, task, seed, max_iter):
    text = [c for c in X.columns if X[c].dtype == object]
    num = [c for c in X.columns if c not in text]
    pre = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())]), num),
        ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                          ("onehot", OneHotEncoder(handle_unknown="ignore"))]), text),
    ])
    est = MLPClassifier if task == "classification" else MLPRegressor
    kw = {"random_state": seed}
    if max_iter is not None:
        kw["max_iter"] = max_iter
    return Pipeline([("pre", pre), ("mlp", est(**kw))])


def read_table(table):
    return pd.read_csv(os.path.join(DATA, table + ".csv"))


def xy(df, targets, task):
    X = df.drop(columns=targets)
    if task == "classification":
        return X, df[targets[0]].astype(str).to_numpy()
    y = df[targets].to_numpy(dtype=float)
    return X, (y[:, 0] if len(targets) == 1 else y)


def score(task, y, pred):
    if task == "classification":
        return float(accuracy_score(y, pred))
    return float(r2_score(y, pred))


def run_sklearn(df, tr, te, targets, task, seed, max_iter):
    X, y = xy(df.iloc[tr], targets, task)
    Xt, yt = xy(df.iloc[te], targets, task)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = sklearn_pipeline(X, task, seed, max_iter).fit(X, y)
    pred = m.predict(Xt)
    return score(task, yt, pred), pred, yt


def run_command(mlp, train, test, targets, task, seed, flags, work):
    model = os.path.join(work, "m.mlp")
    args = [mlp, "train", "-data", train, "-seed", str(seed), "-o", model, "-quiet"] + flags
    for t in targets:
        args += ["-target", t]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("mlp train failed: %s\n%s" % (" ".join(args), r.stderr))
    r = subprocess.run([mlp, "predict", "-model", model, "-data", test], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("mlp predict failed: %s" % r.stderr)
    pred = pd.read_csv(io.StringIO(r.stdout), dtype=str if task == "classification" else float)
    _, yt = xy(pd.read_csv(test), targets, task)
    if task == "classification":
        p = pred.iloc[:, 0].astype(str).to_numpy()
        # The command prints numbers in their shortest form (0, not 0.0): compare as text of the table's labels.
        return score(task, yt, p), p, yt
    p = pred.to_numpy().reshape(len(yt), -1) if len(targets) > 1 else pred.iloc[:, 0].to_numpy()
    return score(task, yt, p), p, yt


def main():
    global DATA
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-mlp", required=True, help="the mlp command to run")
    ap.add_argument("-tables", default=",".join(TABLES))
    ap.add_argument("-seeds", default="1,2,3,4,5")
    ap.add_argument("-inits", type=int, default=0,
                    help="N > 0: on each split seed s, train with the seeds 100s+1 .. 100s+N (mlp train -seed, "
                         "random_state) instead of s, to see how much the means owe to the seeds")
    ap.add_argument("-flags", default="", help="flags added to mlp train (the study itself uses none)")
    ap.add_argument("-sklearn", default="yes", help="no: skip the scikit-learn pipelines (to try flags quickly)")
    ap.add_argument("-data", default=DATA, help="the folder of the tables (default internal/datasets)")
    ap.add_argument("-json", default="", help="write every score to this file")
    a = ap.parse_args()
    DATA = a.data
    seeds = [int(s) for s in a.seeds.split(",")]
    flags = a.flags.split()
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for table in a.tables.split(","):
            targets, task = TABLES[table]
            df = read_table(table)
            res = {"task": task, "command": [], "default": [], "tuned": [], "test_rows": []}
            if table == "churn":
                res.update({"command_recall_yes": [], "balanced": [], "balanced_recall_yes": [],
                            "default_recall_yes": [], "tuned_recall_yes": []})
            for split_seed, seed in [(s, i) for s in seeds for i in ([s] if a.inits <= 0 else
                                                                      range(100 * s + 1, 100 * s + a.inits + 1))]:
                train, test, tr, te = split(table, targets, task, split_seed, work)
                s, p, y = run_command(a.mlp, train, test, targets, task, seed, flags, work)
                res["command"].append(s)
                res["test_rows"].append(len(te))
                res.setdefault("test_index", []).append([int(i) for i in te])
                if table == "churn":
                    res["command_recall_yes"].append(float(recall_score(y, p, pos_label="yes")))
                    s, p, y = run_command(a.mlp, train, test, targets, task, seed,
                                          flags + ["-class-weight", "balanced"], work)
                    res["balanced"].append(s)
                    res["balanced_recall_yes"].append(float(recall_score(y, p, pos_label="yes")))
                if a.sklearn == "yes":
                    for name, it in (("default", None), ("tuned", 1000)):
                        s, p, y = run_sklearn(df, tr, te, targets, task, seed, it)
                        res[name].append(s)
                        if table == "churn":
                            res[name + "_recall_yes"].append(float(recall_score(y, p, pos_label="yes")))
                print("%s split %d seed %d: %s" % (table, split_seed, seed, {k: round(v[-1], 4) for k, v in res.items()
                                                       if isinstance(v, list) and v and k != "test_index"}), file=sys.stderr)
            results[table] = res
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"seeds": seeds, "inits": a.inits, "flags": flags, "tables": results}, f, indent=1)
    print("| table | score | command | scikit-learn default | scikit-learn max_iter=1000 | command − best | pass |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for table, res in results.items():
        c = np.mean(res["command"])
        if not res["default"]:
            print("| %s | %s | %.4f | | | | |" % (table, "accuracy" if res["task"] == "classification" else "R²", c))
            continue
        d, t = np.mean(res["default"]), np.mean(res["tuned"])
        ok = c >= max(d, t)
        diff = "%+.4f" % (c - max(d, t))
        if res["task"] == "classification":
            # Each run's accuracy is its correct rows over its test rows: the difference in rows over all runs.
            rows = sum(n * x for n, x in zip(res["test_rows"], res["command"])) - sum(
                n * x for n, x in zip(res["test_rows"], res["default" if d >= t else "tuned"]))
            diff += " (%+d rows of %d)" % (round(rows), sum(res["test_rows"]))
        print("| %s | %s | %.4f | %.4f | %.4f | %s | %s |" % (
            table, "accuracy" if res["task"] == "classification" else "R²", c, d, t, diff,
            "pass" if ok else "**fail**"))
    if "churn" in results:
        r = results["churn"]
        print("\nchurn, recall of \"yes\" (mean over the seeds): command %.4f, with -class-weight balanced %.4f "
              "(accuracy %.4f and %.4f)" % (np.mean(r["command_recall_yes"]), np.mean(r["balanced_recall_yes"]),
                                           np.mean(r["command"]), np.mean(r["balanced"])), end="")
        if r["default_recall_yes"]:
            print("; scikit-learn default %.4f, max_iter=1000 %.4f" % (np.mean(r["default_recall_yes"]),
                                                                       np.mean(r["tuned_recall_yes"])))
        else:
            print()


if __name__ == "__main__":
    main()
