"""Writes paramgrid.json: the parameter sets scikit-learn 1.2.1's
ParameterGrid yields, in its order, for grids given as one dict or a list
of dicts (an empty dict included), and the grids it refuses (a value that
is not a list, an empty list), for gridspec_test.go. Run with Debian's
python3-sklearn:

    /usr/bin/python3 tabular/testdata/sklearn/gen_paramgrid.py > tabular/testdata/sklearn/paramgrid.json
"""
import json
import random
import sys

import sklearn
from sklearn.model_selection import ParameterGrid

assert sklearn.__version__ == "1.2.1", sklearn.__version__
rng = random.Random(20261203)
cases = []


def case(name, grid):
    try:
        sets = list(ParameterGrid(grid))
    except (TypeError, ValueError) as e:
        cases.append({"name": name, "param_grid": grid, "error": str(e)})
        return
    cases.append({"name": name, "param_grid": grid, "expanded": sets})


case("one key", {"alpha": [1e-4, 1e-2]})
case("two keys, last varies fastest", {"hidden_layer_sizes": [[50], [100]], "alpha": [1e-4, 1e-2]})
case("three keys", {"max_iter": [10, 20], "activation": ["relu", "tanh", "logistic"], "batch_size": ["auto", 16]})
case("list of grids", [{"alpha": [0.1, 1.0]}, {"hidden_layer_sizes": [[8, 4], []], "early_stopping": [True, False]}])
case("empty grid", {})
case("list with an empty grid", [{}, {"tol": [1e-3]}])
case("null and mixed values", {"class_weight": [None, "balanced", {"a": 2.0}], "shuffle": [False]})
case("keys out of byte order", {"b": [1, 2], "B": [3], "a_b": [4, 5], "ab": [6]})
words = ["alpha", "tol", "max_iter", "beta_1", "beta_2", "epsilon", "n_iter_no_change", "learning_rate_init"]
for i in range(6):
    keys = rng.sample(words, rng.randint(1, 4))
    grid = {k: [rng.choice([rng.randint(1, 99), round(rng.random(), 6)]) for _ in range(rng.randint(1, 3))] for k in keys}
    case(f"random {i}", grid)
case("a value that is not a list", {"alpha": 0.1})
case("an empty list", {"alpha": []})

json.dump({"sklearn": sklearn.__version__, "cases": cases}, sys.stdout, indent=1)
sys.stdout.write("\n")
