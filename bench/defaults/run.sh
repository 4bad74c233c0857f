#!/usr/bin/env bash
# The defaults study (docs/defaults.md): builds the mlp command from this tree and runs study.py on every table in
# internal/datasets, split seeds 1-5. Run from anywhere:
#
#     bash bench/defaults/run.sh [study.py flags, such as -tables iris -seeds 1]
#
# It needs /usr/bin/python3 with scikit-learn, pandas and numpy (Debian: python3-sklearn python3-pandas). It takes
# about a minute on one core of a 2-core machine and is not part of CI.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/mlp" ./cmd/mlp)
/usr/bin/python3 "$root/bench/defaults/study.py" -mlp "$bin/mlp" "$@"
