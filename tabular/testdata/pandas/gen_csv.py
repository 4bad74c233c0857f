#!/usr/bin/python3
"""Writes csv_kinds.json: how pandas 1.5.3's read_csv (C engine, default
settings) types the columns of many small randomized CSV texts, for
TestCSVKindsAgreeWithPandas.

Run with the Debian python (pandas 1.5.3):

    /usr/bin/python3 tabular/testdata/pandas/gen_csv.py

Each case holds the CSV text and, per column, pandas' kind ("numeric" for
an int64, uint64 or float64 column, "bool" for a bool column or an object
column whose values are all True, False or missing, "object" otherwise),
which cells are missing, and the values of numeric and bool columns.

Where the reader deliberately differs from pandas, the case says so in
"deviation" and its expectation is the reader's documented behaviour:
  - "trim": the reader trims cells of surrounding spaces before reading
    them; pandas does for numbers only (" NA", " True", " inf" are text to
    pandas). The expectation is pandas' reading of the trimmed cells.
  - "range": a number pandas' parser finds beyond float64's range (1e309,
    0e999) in a column pandas would otherwise read as numbers is an error
    (ErrOutOfRange) where pandas reads the column as text.
  - "int64-min": pandas takes -9223372036854775808 for a missing cell in a
    column of integers with missing cells (its missing-integer sentinel);
    the reader reads the number.
  - "na-text": pandas keeps missing markers as text in a column of
    integers above 2^63-1 with missing cells; the reader keeps them missing.
Inf in a numeric column is an error (ErrNotFinite): "error" gives the
first error's line, column and sentinel.
"""

import csv
import io
import json
import math
import random
import re

import pandas
from pandas._libs.parsers import STR_NA_VALUES

assert pandas.__version__ == "1.5.3", pandas.__version__

NA = sorted(STR_NA_VALUES)

POOLS = {
    "int": ["0", "7", "-3", "+5", "00012", "-0", "42", "123456789", "9223372036854775807",
            "-9223372036854775808", "100", "-17"],
    "bigint": ["9223372036854775808", "18446744073709551615", "18446744073709551616",
               "-9223372036854775809", "123456789012345678901234", "99999999999999999999",
               "1" + "0" * 24 + "1", "1" + "0" * 25, "9" * 330, "-" + "9" * 330],
    "float": ["1.5", "-0.25", ".5", "5.", "+.5", "1e5", "1E-3", "2.5e+10", "-1.e2", "0.1",
              "3.14159265358979323846", "1e308", "4.9e-324", "1e-400", "0e5", "1.0", "-7.50",
              "1e-99999", "12345678901234567890.5"],
    "range": ["1e309", "-1e400", "0e999", "1.8e308", "0.0e400"],
    "inf": ["inf", "-Inf", "+INFINITY", "Infinity", "iNf", "-infinity"],
    "na": NA,
    "nanlike": ["Nan", "NAN", "nAn", "+nan", "-nAn", "None", "none", "NONE", "Null", "na", "N/a",
                "nan(0)", "NaN2", "1.#INF", "+1.#IND", "#n/a", "NA NA"],
    "bool": ["True", "TRUE", "true", "False", "FALSE", "false", "tRuE", "fAlSe"],
    "boolish": ["T", "F", "yes", "no", "Y", "N", "on", "off"],
    "text": ["Bangkok", "Chiang Mai", "x", "abc", "0x10", "1_000", "1d5", "1e", "1e+", "-", ".",
             "+", "1,5", "1 000", "\u0663", "\uff11", "\u30cd\u30b3", "chien", "Z\u00fcrich",
             "a\"b", "x,y", "1e1.5", "--1", "1-", "e5", "infinity1", "0b101", "1/2"],
}

FLAVOURS = [
    (["int"], 6), (["float"], 5), (["int", "float"], 4), (["int", "na"], 5), (["float", "na"], 4),
    (["bool"], 4), (["bool", "na"], 4), (["bool", "int"], 2), (["bool", "boolish"], 2),
    (["text"], 4), (["text", "nanlike"], 4), (["nanlike"], 3), (["int", "nanlike"], 3),
    (["float", "nanlike", "na"], 3), (["int", "inf"], 1), (["float", "inf", "na"], 1),
    (["float", "range"], 1), (["int", "range", "text"], 1), (["bigint"], 3), (["bigint", "int"], 3),
    (["bigint", "na"], 2), (["bigint", "float"], 2), (["bigint", "text"], 1), (["na"], 2),
    (["int", "text"], 3), (["float", "text", "na"], 3), (["inf", "text"], 1), (["bool", "text"], 2),
]

NAMES = ["a", "b", "price", "province", "flag", "\u00e9t\u00e9", "\u540d\u524d", "y", "x1", "note"]

DECIMAL = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,17})?$")


def read(text):
    return pandas.read_csv(io.StringIO(text))


_single = {}


def out_of_range(cell):
    """Whether cell has pandas' decimal syntax but its float parser refuses
    it (a first cell of 0.5 takes pandas past its integer readings)."""
    c = cell.strip()
    if not DECIMAL.match(c):
        return False
    if c not in _single:
        df = read("a\n0.5\n" + c + "\n")
        _single[c] = df.dtypes.iloc[0] == object
    return _single[c]


def kind_of(series):
    dt = series.dtype
    if dt.kind in "iuf":
        return "numeric"
    if dt.kind == "b":
        return "bool"
    vals = [v for v in series if not (isinstance(v, float) and math.isnan(v))]
    if vals and all(isinstance(v, bool) for v in vals):
        return "bool"
    return "object"


def to_csv(header, rows, quoting):
    buf = io.StringIO()
    w = csv.writer(buf, quoting=quoting, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def describe(df):
    cols = []
    for name in df.columns:
        s = df[name]
        k = kind_of(s)
        col = {"name": name, "kind": k, "missing": [bool(v) for v in s.isna()]}
        if k == "numeric":
            col["values"] = [None if (isinstance(v, float) and math.isnan(v)) else repr(float(v)) if s.dtype.kind == "f" else str(v) for v in s]
        elif k == "bool":
            col["values"] = [None if not isinstance(v, (bool,)) and not hasattr(v, "dtype") else str(bool(v)) for v in s]
            col["values"] = [None if m else v for v, m in zip(col["values"], col["missing"])]
        cols.append(col)
    return cols


def case(rng):
    ncols = rng.randint(1, 4)
    nrows = rng.randint(1, 8)
    header = rng.sample(NAMES, ncols)
    columns = []
    for _ in range(ncols):
        pools = rng.choices([f for f, _ in FLAVOURS], weights=[w for _, w in FLAVOURS])[0]
        cells = []
        for _ in range(nrows):
            pool = POOLS[rng.choice(pools)]
            cells.append(rng.choice(pool))
        columns.append(cells)
    pad = rng.random() < 0.15
    if pad:
        for cells in columns:
            for i in range(len(cells)):
                if rng.random() < 0.3:
                    cells[i] = rng.choice([" ", "  ", "\t"]) + cells[i] if rng.random() < 0.5 else cells[i] + " "
    rows = [[columns[j][i] for j in range(ncols)] for i in range(nrows)]
    # A line holding one empty field is a blank line, skipped by both.
    if ncols == 1:
        rows = [r for r in rows if r[0] != ""]
        if not rows:
            rows = [["1"]]
    quoting = rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
    text = to_csv(header, rows, quoting)
    out = {"csv": text}
    deviations = []
    trimmed_rows = [[c.strip() for c in r] for r in rows]
    df = read(text)
    if trimmed_rows != rows:
        dt = read(to_csv(header, trimmed_rows, quoting))
        if describe(dt) != describe(df):
            deviations.append("trim")
        df = dt
    cols = describe(df)
    errors = []
    for j, col in enumerate(cols):
        cells = [r[j].strip() for r in trimmed_rows]
        if col["kind"] == "object":
            # Integers above 2^63-1 with missing markers kept as text.
            if any(isinstance(v, str) and v in STR_NA_VALUES for v in df.iloc[:, j]):
                deviations.append("na-text")
                col["missing"] = [c in STR_NA_VALUES for c in cells]
            bad = [i for i, c in enumerate(cells) if out_of_range(c)]
            if bad:
                # Each such cell made a number in range of the same kind
                # for pandas' integer readings: an integer beyond uint64
                # stays one.
                fixed = [("-" if c.startswith("-") else "") + ("1" + "0" * 25 if c.lstrip("+-").isdigit() else "0.5")
                         if out_of_range(c) else c for c in cells]
                probe = read(to_csv(["a"], [[c] for c in fixed], csv.QUOTE_ALL) if fixed else "a\n")
                if len(probe) == len(cells) and kind_of(probe["a"]) == "numeric":
                    deviations.append("range")
                    errors += [(i, j, "range") for i in bad]
        if col["kind"] == "numeric":
            # pandas marks int64's smallest value missing in a column of
            # integers with missing cells (its missing-integer sentinel).
            for i, c in enumerate(cells):
                if c == "-9223372036854775808" and col["missing"][i]:
                    deviations.append("int64-min")
                    col["missing"][i] = False
                    col["values"][i] = repr(-9223372036854775808.0)
            errors += [(i, j, "inf") for i, c in enumerate(cells) if c.lower().lstrip("+-") in ("inf", "infinity")]
    if errors:
        i, j, what = min(errors)
        out["error"] = {"line": i + 2, "column": j + 1, "kind": what}
    else:
        out["columns"] = cols
    if deviations:
        out["deviation"] = sorted(set(deviations))
    return out


def main():
    rng = random.Random(20261203)
    cases = [case(rng) for _ in range(1500)]
    with open(__file__.rsplit("/", 1)[0] + "/csv_kinds.json", "w") as f:
        json.dump({"pandas": pandas.__version__, "na_values": NA, "cases": cases}, f, indent=0, ensure_ascii=True)
        f.write("\n")
    kinds = {}
    for c in cases:
        for col in c.get("columns", []):
            kinds[col["kind"]] = kinds.get(col["kind"], 0) + 1
    print(len(cases), "cases;", kinds, sum("error" in c for c in cases), "errors;",
          sum("deviation" in c for c in cases), "with a deviation")


main()
