#!/usr/bin/python3
"""Writes detectna.json: the reference for CSVReader.DetectNA, from pandas
1.5.3, for TestDetectNAAgreesWithPandas.

Run with the Debian python (pandas 1.5.3):

    /usr/bin/python3 tabular/testdata/detectna/gen_detectna.py

DetectNA reads a column of numbers holding missing-looking markers as
pandas reads it with those markers in na_values. Each case is a small
random CSV text whose columns mix numbers, markers (cells with no letter
or digit, and the words na, n/a, nan, null, none, missing, unknown in any
case), pandas' own missing markers, text and booleans. Per column the
expectation is:

  - the markers of the column (marker() below, the rule DetectNA documents)
    are given to pandas as na_values for that column only (a dict); if
    pandas then reads the column as numbers and at least one cell is a
    number, the column is "numeric" with pandas' values and missing cells,
    and its markers are "detected";
  - otherwise (other text, booleans, markers alone, more than 8 distinct
    markers) the column is what pandas reads with its defaults: "object"
    or "bool", no marker detected.

Cells have no surrounding spaces and no number beyond float64 or int64,
so no case meets a documented deviation of the reader from pandas.
"""

import csv
import io
import json
import math
import random
import unicodedata

import pandas

assert pandas.__version__ == "1.5.3", pandas.__version__

WORDS = ["na", "n/a", "nan", "null", "none", "missing", "unknown"]

POOLS = {
    "int": ["0", "7", "-3", "+5", "00012", "-0", "42", "123456789", "100", "-17"],
    "float": ["1.5", "-0.25", ".5", "5.", "1e5", "1E-3", "2.5e+10", "0.1", "1.0", "-7.50"],
    "na": ["", "NA", "NaN", "null", "N/A", "#N/A"],
    "marker": ["?", "-", "--", ".", "*", "...", "\u2014", "?", "?", "-", "#", "??", "- -"],
    "word": ["unknown", "Unknown", "MISSING", "none", "None", "Nan", "NAN", "Null", "na", "N/a"],
    "text": ["x", "abc", "no", "yes", "Bangkok", "1a", "n.a.", "tbd", "0x10", "1_000"],
    "bool": ["True", "false", "TRUE", "False"],
}

FLAVOURS = [
    (["int", "marker"], 6), (["float", "marker"], 6), (["int", "float", "marker", "na"], 5),
    (["int", "word"], 4), (["float", "word", "na"], 4), (["int", "marker", "word"], 3),
    (["marker"], 2), (["marker", "na"], 2), (["word", "na"], 1),
    (["int", "marker", "text"], 4), (["float", "text"], 2), (["bool", "marker"], 3),
    (["bool", "marker", "na"], 2), (["text", "marker"], 2), (["int"], 2), (["float", "na"], 2),
    (["int", "bool"], 1),
]

NAMES = ["a", "b", "price", "flag", "x1", "note"]


def marker(cell):
    """The rule of CSVReader.DetectNA: a text of at most 16 bytes, with no
    letter or digit, or one of WORDS in any case; pandas' defaults are
    missing already."""
    if cell == "" or len(cell.encode()) > 16:
        return False
    if all(unicodedata.category(ch)[0] not in "LN" for ch in cell):
        return True
    return cell.lower() in WORDS


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


def to_csv(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def number(cell):
    try:
        float(cell)
        return True
    except ValueError:
        return False


def case(rng):
    ncols = rng.randint(1, 4)
    nrows = rng.randint(1, 9)
    header = rng.sample(NAMES, ncols)
    columns = []
    for _ in range(ncols):
        pools = rng.choices([f for f, _ in FLAVOURS], weights=[w for _, w in FLAVOURS])[0]
        columns.append([rng.choice(POOLS[rng.choice(pools)]) for _ in range(nrows)])
    rows = [[columns[j][i] for j in range(ncols)] for i in range(nrows)]
    if ncols == 1:
        rows = [r for r in rows if r[0] != ""] or [["1"]]
    text = to_csv(header, rows)
    base = pandas.read_csv(io.StringIO(text))
    markers = {}
    for j, name in enumerate(header):
        ms = sorted({r[j] for r in rows if marker(r[j])} - set(pandas._libs.parsers.STR_NA_VALUES))
        if ms and len(ms) <= 8:
            markers[name] = ms
    detected = pandas.read_csv(io.StringIO(text), na_values=markers, keep_default_na=True) if markers else base
    cols = []
    for j, name in enumerate(header):
        d = detected[name]
        has_number = any(number(r[j]) and not marker(r[j]) for r in rows)
        if name in markers and kind_of(d) == "numeric" and has_number:
            s, found = d, markers[name]
        else:
            s, found = base[name], []
        k = kind_of(s)
        col = {"name": name, "kind": k, "missing": [bool(v) for v in s.isna()], "markers": found}
        if k == "numeric":
            col["values"] = [None if m else repr(float(v)) for v, m in zip(s, col["missing"])]
        cols.append(col)
    return {"csv": text, "columns": cols}


def main():
    rng = random.Random(20261203)
    cases = [case(rng) for _ in range(600)]
    with open(__file__.rsplit("/", 1)[0] + "/detectna.json", "w") as f:
        json.dump({"pandas": pandas.__version__, "cases": cases}, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
