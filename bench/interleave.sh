#!/usr/bin/env bash
# Training throughput against PyTorch in one interleaved run (docs/performance.md): each round runs the Go
# benchmarks BenchmarkTrain (float64) and BenchmarkTrain32 (float32) on the default kernel path, then
# bench/torch_ref.py in float64, then in float32, at PyTorch's default thread choice (the best of 1 and 2 threads,
# THREADS to change it). Prints every round's figures, then the medians per workload, wall clock (samples/s) and per
# second of the process's CPU time (samples/cpu-s), and the ratios Go / PyTorch at the same precision.
#
#     bash bench/interleave.sh [ROUNDS] [WORKLOAD_REGEXP]      # defaults: 3 rounds, every workload
#
# Needs /usr/bin/python3 with torch (Debian: libopenblas0-pthread first, then python3-torch python3-numpy).
# Not part of CI: it takes several minutes and its figures depend on the machine's load.
set -euo pipefail
rounds="${1:-3}"
pick="${2:-.}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$root"
go test -c -o "$out/mlp.test" . >/dev/null
for r in $(seq "$rounds"); do
	"$out/mlp.test" -test.run '^$' -test.bench "BenchmarkTrain(32)?/($pick)" -test.benchtime 1s |
		awk -v r="$r" '/^BenchmarkTrain/ {
			split($1, n, "/"); dt = (n[1] ~ /32/) ? "f32" : "f64"; sub(/-[0-9]+$/, "", n[2]); sub(/-shape$/, "", n[2])
			for (i = 3; i < NF; i++) { if ($(i+1) == "samples/s") w = $i; if ($(i+1) == "samples/cpu-s") c = $i }
			print r "\tgo\t" dt "\t" n[2] "\t" w "\t" c }' >>"$out/rows"
	for dt in f64 f32; do
		wl=$(printf '%s\n' bc iris digits mnist wide | grep -E "^($pick)$" || true)
		[ -z "$wl" ] && wl="bc iris digits mnist wide"
		# shellcheck disable=SC2086
		PREDICT=0 DTYPE=$dt /usr/bin/python3 bench/torch_ref.py $wl 2>/dev/null |
			awk -F'\t' -v r="$r" -v dt="$dt" '!/^#/ && NF >= 3 {
				split($1, n, " "); sub(/-shape$/, "", n[1]); w = $2; c = $3
				sub(/.*=/, "", w); sub(/.*=/, "", c); print r "\ttorch\t" dt "\t" n[1] "\t" w "\t" c }' >>"$out/rows"
	done
	echo "round $r done" >&2
done
cat "$out/rows"
/usr/bin/python3 - "$out/rows" <<'EOF'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
med = {}
for r, who, dt, wl, wall, cpu in rows:
    med.setdefault((who, dt, wl), []).append((float(wall), float(cpu)))
def m(k, i):
    v = med.get(k)
    return statistics.median(x[i] for x in v) if v else float("nan")
print("\n| workload | Go f64 | PyTorch f64 | Go / PT f64 | Go f32 | PyTorch f32 | Go / PT f32 | Go f32 / f64 |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for unit, i in (("samples/s (wall)", 0), ("samples/cpu-s", 1)):
    print("| *%s* | | | | | | | |" % unit)
    for wl in ("bc", "iris", "digits", "mnist", "wide"):
        g64, t64, g32, t32 = (m((w, d, wl), i) for w, d in (("go", "f64"), ("torch", "f64"), ("go", "f32"), ("torch", "f32")))
        if g64 != g64 and t64 != t64:
            continue
        print("| %s | %s | %s | %.2fx | %s | %s | %.2fx | %.2fx |" % (wl, f"{g64:,.0f}", f"{t64:,.0f}", g64 / t64,
              f"{g32:,.0f}", f"{t32:,.0f}", g32 / t32, g32 / g64))
EOF
