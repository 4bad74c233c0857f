"""OpenBLAS speed reference for the package's matrix products: single-threaded sgemm and dgemm on the shapes of
internal/kernel's BenchmarkMulAdd and BenchmarkMulAdd32, against those benchmarks in the same run.

Run from the repository root:

    apt-get install -y libopenblas0-pthread python3-numpy
    /usr/bin/python3 bench/gemm_ref.py [--rounds N] [--path avx512] [--coretype SkylakeX] [--before DIR]

numpy must load OpenBLAS (numpy.show_config() names blas; Debian's libblas.so.3 alternative points at
libopenblas0-pthread's library): the script reads the library's path from /proc/self/maps and prints the kernel set
OpenBLAS chose (openblas_get_corename). OPENBLAS_NUM_THREADS=1 is set before numpy loads, so OpenBLAS runs on the
calling thread. --coretype sets OPENBLAS_CORETYPE (Debian 12's OpenBLAS 0.3.21 does not know recent CPUs and may
fall back to older kernels; SkylakeX selects its AVX-512 ones).

Each round runs the Go benchmarks once (go test -bench 'MulAdd(32)?/<path>/', one goroutine, GFLOP/s per second of
the benchmark thread's CPU time, with the share of the FMA peak BenchmarkFMAPeak measures) and then times numpy's
matmul on the same shapes, in the same precision, per second of this thread's CPU time; rounds alternate, and the
table gives the median of each figure over the rounds. numpy's matmul(a, b, out=c) is sgemm/dgemm with beta = 0
(C = A·B); the package computes C += A·B (beta = 1), which also reads C: the comparison is, if anything, tilted
toward OpenBLAS. A transposed A (shapes ending in T) is passed as a.T, which numpy hands to gemm as a transpose flag
without copying.

With --before DIR (another checkout of the repository, such as `git worktree add DIR <commit>`), each round also runs
DIR's benchmarks, before this checkout's in even rounds and after them in odd ones, and the table gains their medians and the ratio of this checkout's to
them: a before/after comparison in the same run as the reference.

Prints one tab-separated line per shape and precision:
    precision  shape  go_GFLOP/s  go_%peak  openblas_GFLOP/s  ratio(go/openblas)  [before_GFLOP/s  after/before]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

# The shapes of benchShapes in internal/kernel/bench_test.go: m, n, k and whether A is transposed.
SHAPES = [
    (50, 16, 30, False), (16, 16, 4, False), (32, 128, 64, False), (64, 128, 32, True),
    (50, 2, 16, False), (16, 3, 16, False), (32, 10, 128, False),
    (16, 2, 50, True), (16, 3, 16, True), (128, 10, 32, True),
    (128, 256, 784, False), (128, 128, 256, False), (128, 10, 128, False),
    (784, 256, 128, True), (256, 128, 128, True), (128, 10, 128, True),
    (128, 256, 128, False), (128, 128, 10, False),
    (256, 1024, 1024, False), (256, 10, 1024, False),
    (1024, 1024, 256, True), (1024, 10, 256, True),
    (256, 1024, 10, False),
]


def shape_name(m, n, k, trans):
    return f"{m}x{n}x{k}" + ("T" if trans else "")


def time_numpy(np, dtype, min_seconds=0.2):
    """GFLOP/s of numpy.matmul on every shape, per second of this thread's CPU time."""
    rng = np.random.default_rng(1)
    out = {}
    for m, n, k, trans in SHAPES:
        a = rng.standard_normal((k, m) if trans else (m, k)).astype(dtype)
        if trans:
            a = a.T
        b = rng.standard_normal((k, n)).astype(dtype)
        c = np.zeros((m, n), dtype)
        np.matmul(a, b, out=c)
        reps = 1
        while True:
            t = time.thread_time()
            for _ in range(reps):
                np.matmul(a, b, out=c)
            el = time.thread_time() - t
            if el >= min_seconds:
                break
            reps *= 2
        out[shape_name(m, n, k, trans)] = 2 * m * n * k * reps / el / 1e9
    return out


BENCH_LINE = re.compile(r"^BenchmarkMulAdd(32)?/(\w+)/(\S+?)(-\d+)?\s+\d+\s+.*?([\d.]+) %peak\s+([\d.]+) GFLOP/s")


def time_go(path, benchtime, cwd=None):
    """GFLOP/s and share of peak of the Go benchmarks of the checkout at cwd, keyed by (precision, shape)."""
    cmd = ["go", "test", "-run", "^$", "-bench", f"^BenchmarkMulAdd(32)?$/^{path}$/", "-benchtime", benchtime,
           "./internal/kernel"]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=cwd)
    out = {}
    for line in res.stdout.splitlines():
        mt = BENCH_LINE.match(line)
        if mt:
            prec = "float32" if mt.group(1) else "float64"
            out[(prec, mt.group(3))] = (float(mt.group(6)), float(mt.group(5)))
    if not out:
        sys.exit("no benchmark lines in the output of " + " ".join(cmd) + ":\n" + res.stdout + res.stderr)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--path", default="avx512", help="the kernel path whose benchmark lines to compare")
    ap.add_argument("--coretype", default="", help="OPENBLAS_CORETYPE to set (default: OpenBLAS's own choice)")
    ap.add_argument("--benchtime", default="300ms")
    ap.add_argument("--before", default="", help="another checkout whose benchmarks to run in each round too")
    args = ap.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    if args.coretype:
        os.environ["OPENBLAS_CORETYPE"] = args.coretype
    import ctypes
    import numpy as np

    libs = sorted({ln.split()[-1] for ln in open("/proc/self/maps") if "blas" in ln.split()[-1]})
    core = "?"
    for lib in libs:
        try:
            f = ctypes.CDLL(lib).openblas_get_corename
        except (OSError, AttributeError):
            continue
        f.restype = ctypes.c_char_p
        core = f().decode()
    if core == "?":
        sys.exit(f"numpy does not use OpenBLAS (BLAS libraries loaded: {libs})")
    print(f"# OpenBLAS {libs}, core {core}, OPENBLAS_NUM_THREADS=1; Go path {args.path}; {args.rounds} rounds",
          file=sys.stderr)

    go_runs, np_runs, before_runs = [], [], []
    for r in range(args.rounds):
        # The two checkouts alternate which runs first, so that neither gains from its place in the round.
        if args.before and r % 2 == 0:
            before_runs.append(time_go(args.path, args.benchtime, cwd=args.before))
        go_runs.append(time_go(args.path, args.benchtime))
        if args.before and r % 2 == 1:
            before_runs.append(time_go(args.path, args.benchtime, cwd=args.before))
        np_runs.append({("float32", s): v for s, v in time_numpy(np, np.float32).items()} |
                       {("float64", s): v for s, v in time_numpy(np, np.float64).items()})
        print(f"# round {r + 1} done", file=sys.stderr)
    print("precision\tshape\tgo_GFLOP/s\tgo_%peak\topenblas_GFLOP/s\tratio" +
          ("\tbefore_GFLOP/s\tafter/before" if before_runs else ""))
    for prec in ("float32", "float64"):
        for m, n, k, trans in SHAPES:
            key = (prec, shape_name(m, n, k, trans))
            if any(key not in g for g in go_runs):
                continue
            g = statistics.median(run[key][0] for run in go_runs)
            p = statistics.median(run[key][1] for run in go_runs)
            o = statistics.median(run[key] for run in np_runs)
            line = f"{prec}\t{key[1]}\t{g:.1f}\t{p:.1f}\t{o:.1f}\t{g / o:.2f}"
            if before_runs and all(key in b for b in before_runs):
                bf = statistics.median(run[key][0] for run in before_runs)
                line += f"\t{bf:.1f}\t{g / bf:.2f}"
            print(line)


if __name__ == "__main__":
    main()
