"""PyTorch speed reference: five small MLP workloads, trained and then run for prediction on the CPU, in float64.

Run from the repository root:

    apt-get install -y libopenblas0-pthread python3-torch python3-numpy
    /usr/bin/python3 bench/torch_ref.py [workload...]

Workloads: bc, iris, digits, mnist, wide (all five by default). bc, iris and digits read the CSV files in
internal/datasets (standardised, 80/20 split, seed 9); mnist and wide use synthetic Gaussian data of that shape.

Prints one tab-separated line per workload:
    name  train samples_per_s  train samples_per_cpu_s  predict samples_per_s  acc  threads
train: SGD training throughput (forward, loss, backward, step) over the epochs, after one warm-up epoch, per second
    of wall time and (train_samples_per_cpu_s) per second of the process's CPU time, all threads, which holds on a
    machine shared with other work, as the Go benchmarks' samples/cpu-s does.
predict: inference throughput at the training batch size (eval mode, torch.no_grad, forward pass plus softmax),
    over the training rows, after one warm-up pass.
acc: accuracy on the held-out 20% after training (nan for the synthetic workloads).
threads: the thread counts that gave the best train and predict figures, as train/predict. Each count is set for
    torch and, where torch runs on OpenBLAS, for OpenBLAS too (torch.set_num_threads alone leaves OpenBLAS at its
    own default, one thread per core).
A line on standard error names the BLAS that torch loaded and, for OpenBLAS, the kernel set it chose.

Environment:
    THREADS  thread counts to try, default "1,2"; each figure is the best over them.
    DTYPE    f64 (default) or f32.
    LOOP     manual (default: one permutation per epoch, batches sliced from it) or dataloader (torch DataLoader).
    DATA     folder of the CSV files, default ../internal/datasets relative to this script.
    PREDICT  0 skips the prediction figures (printed as nan).

OpenBLAS picks its kernels from the CPU model. An OpenBLAS older than the CPU (Debian 12 ships 0.3.21, which does
not know Sapphire Rapids or Emerald Rapids) falls back to its generic Prescott kernels, two to three times slower
at matrix products; OPENBLAS_CORETYPE=SkylakeX selects the AVX-512 kernels on such a machine. Record which one ran.
"""
import ctypes
import csv
import os
import sys
import time

import numpy as np
import torch

THREAD_CHOICES = [int(t) for t in os.environ.get("THREADS", "1,2").split(",")]
torch.manual_seed(9)
DATA = os.environ.get("DATA", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "internal", "datasets"))
MANUAL = os.environ.get("LOOP", "manual") == "manual"
DT = torch.float64 if os.environ.get("DTYPE", "f64") == "f64" else torch.float32
PREDICT = os.environ.get("PREDICT", "1") != "0"
MIN_PREDICT_SECONDS = 0.3  # prediction passes repeat until at least this long, so the small workloads time stably


def loaded_openblas():
    """The OpenBLAS library that torch loaded, or None: found among the process's mapped files after a matrix product."""
    torch.ones(2, 2, dtype=torch.float64) @ torch.ones(2, 2, dtype=torch.float64)
    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f if "openblas" in line and ".so" in line})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_set_num_threads, lib.openblas_get_corename, lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        lib.openblas_get_corename.restype = lib.openblas_get_config.restype = ctypes.c_char_p
        return lib
    return None


OPENBLAS = loaded_openblas() if os.path.exists("/proc/self/maps") else None
if OPENBLAS is not None:
    print(f"# torch {torch.__version__}, OpenBLAS kernels {OPENBLAS.openblas_get_corename().decode()} "
          f"({OPENBLAS.openblas_get_config().decode()})", file=sys.stderr, flush=True)
else:
    print(f"# torch {torch.__version__}, BLAS is not OpenBLAS: see torch.__config__.show()", file=sys.stderr, flush=True)


def set_threads(n):
    torch.set_num_threads(n)
    if OPENBLAS is not None:
        OPENBLAS.openblas_set_num_threads(n)


def load(name):
    with open(os.path.join(DATA, name)) as f:
        rows = list(csv.reader(f))[1:]
    a = np.array(rows, dtype=np.float64)
    return a[:, :-1], a[:, -1].astype(np.int64)


def split_std(X, y, seed=9, test=0.2):
    g = np.random.default_rng(seed); idx = g.permutation(len(y)); n = int(round(len(y) * test))
    te, tr = idx[:n], idx[n:]
    mu, sd = X[tr].mean(0), X[tr].std(0); sd[sd == 0] = 1
    return (X[tr]-mu)/sd, y[tr], (X[te]-mu)/sd, y[te]


def mlp(sizes):
    layers = []
    for i in range(len(sizes)-1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i+1]))
        if i < len(sizes)-2: layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).to(DT)


def run(name, Xtr, ytr, Xte, yte, sizes, bs, lr, epochs, momentum=0.0):
    Xtr_t, ytr_t = torch.tensor(Xtr, dtype=DT), torch.tensor(ytr)
    ds = torch.utils.data.TensorDataset(Xtr_t, ytr_t)
    dl = torch.utils.data.DataLoader(ds, batch_size=bs, shuffle=True)
    m = mlp(sizes); opt = torch.optim.SGD(m.parameters(), lr=lr, momentum=momentum); lossf = torch.nn.CrossEntropyLoss()
    n = len(ytr_t)

    def epoch():
        if MANUAL:  # the fastest plain-PyTorch loop: one permutation, slices of the tensors, no DataLoader
            perm = torch.randperm(n); Xp, yp = Xtr_t[perm], ytr_t[perm]
            batches = ((Xp[i:i+bs], yp[i:i+bs]) for i in range(0, n, bs))
        else:
            batches = dl
        for xb, yb in batches:
            opt.zero_grad(); loss = lossf(m(xb), yb); loss.backward(); opt.step()

    def predict_pass():
        for i in range(0, n, bs):
            torch.softmax(m(Xtr_t[i:i+bs]), dim=1)

    best_train = best_predict = None  # (samples per second, threads)
    best_cpu = 0.0  # training samples per second of the process's CPU time
    for threads in THREAD_CHOICES:  # the anchor is the best that PyTorch does here
        set_threads(threads)
        m.train()
        epoch()  # warm-up
        t, c = time.perf_counter(), time.process_time()
        for _ in range(epochs): epoch()
        rate = n * epochs / (time.perf_counter() - t)
        best_cpu = max(best_cpu, n * epochs / (time.process_time() - c))
        if best_train is None or rate > best_train[0]: best_train = (rate, threads)
        if not PREDICT:
            best_predict = (float("nan"), 0)
            continue

        m.eval()
        with torch.no_grad():
            predict_pass()  # warm-up
            passes = 0
            t = time.perf_counter()
            while True:
                for _ in range(epochs): predict_pass()
                passes += epochs
                dt = time.perf_counter() - t
                if dt >= MIN_PREDICT_SECONDS: break
        rate = n * passes / dt
        if best_predict is None or rate > best_predict[0]: best_predict = (rate, threads)

    acc = float("nan")
    if Xte is not None:
        m.eval()
        with torch.no_grad(): acc = (m(torch.tensor(Xte, dtype=DT)).argmax(1).numpy() == yte).mean()
    print(f"{name}\ttrain_samples_per_s={best_train[0]:.0f}\ttrain_samples_per_cpu_s={best_cpu:.0f}"
          f"\tpredict_samples_per_s={best_predict[0]:.0f}"
          f"\tacc={acc:.4f}\tthreads={best_train[1]}/{best_predict[1]}", flush=True)


which = sys.argv[1:] or ["bc", "iris", "digits", "mnist", "wide"]
unknown = sorted(set(which) - {"bc", "iris", "digits", "mnist", "wide"})
if unknown:
    sys.exit(f"unknown workload {', '.join(unknown)}; choose from bc iris digits mnist wide")
if "bc" in which:
    X, y = load("breast_cancer.csv"); run("bc 30-16-2 bs50", *split_std(X, y), [30, 16, 2], 50, 0.1, 100)
if "iris" in which:
    X, y = load("iris.csv"); run("iris 4-16-3 bs16", *split_std(X, y), [4, 16, 3], 16, 0.1, 200)
if "digits" in which:
    X, y = load("digits.csv"); run("digits 64-128-10 bs32", *split_std(X, y), [64, 128, 10], 32, 0.1, 30)
g = np.random.default_rng(0)
if "mnist" in which:
    X = g.standard_normal((10000, 784)); y = g.integers(0, 10, 10000)
    run("mnist-shape 784-256-128-10 bs128", X, y, None, None, [784, 256, 128, 10], 128, 0.01, 3)
if "wide" in which:
    X = g.standard_normal((8192, 1024)); y = g.integers(0, 10, 8192)
    run("wide 1024-1024-1024-10 bs256", X, y, None, None, [1024, 1024, 1024, 10], 256, 0.01, 2)
