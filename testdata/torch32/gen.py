"""PyTorch float32 reference vectors for the float32 training path (DType Float32).

Run from the repository root with the system Python that has torch:

    /usr/bin/python3 testdata/torch32/gen.py

It writes testdata/torch32/cases.json: small MLPs computed by PyTorch on the CPU with
torch.set_default_dtype(torch.float32). Every input and initial weight is a float32 value (stored exactly as a
JSON number). For each case: the forward output (probabilities after the final Softmax or Sigmoid, or the
regression output), the mean loss, the gradients of every weight and bias after loss.backward(), and the weights
after one step of SGD (lr 0.1) and, from the same start, one step of Adam (lr 1e-3, PyTorch's defaults otherwise),
both in float32.

Cases:
  relu_ce      Linear(6,8) ReLU Linear(8,4), CrossEntropyLoss on the logits (the library: a final Softmax)
  tanh_ce      Linear(5,7) Tanh Linear(7,3), CrossEntropyLoss
  sigmoid_bce  Linear(5,6) Sigmoid Linear(6,1) Sigmoid, BCELoss
  relu_mse     Linear(4,6) ReLU Linear(6,2), MSELoss
"""
import json
import os

import torch

torch.set_default_dtype(torch.float32)
torch.manual_seed(32)


def f32list(t):
    return [[float(v) for v in row] for row in t.detach().double().tolist()] if t.dim() == 2 else \
        [float(v) for v in t.detach().double().tolist()]


def layers_of(model):
    return [m for m in model if isinstance(m, torch.nn.Linear)]


def weights(model):
    # W stored in×out (the library's layout), b of length out.
    return [{"W": f32list(l.weight.t()), "b": f32list(l.bias)} for l in layers_of(model)]


def grads(model):
    return [{"W": f32list(l.weight.grad.t()), "b": f32list(l.bias.grad)} for l in layers_of(model)]


def case(name, sizes, hidden, kind, n):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append({"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}[hidden]())
    model = torch.nn.Sequential(*layers)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(n, sizes[0]) * 1.5
    out_cols = sizes[-1]
    if kind == "ce":
        y = torch.randint(0, out_cols, (n,))
        lossf = torch.nn.CrossEntropyLoss()

        def forward():
            z = model(x)
            return torch.softmax(z, dim=1), lossf(z, y)
        target = {"labels": y.tolist()}
    elif kind == "bce":
        y = torch.randint(0, 2, (n,))
        lossf = torch.nn.BCELoss()

        def forward():
            p = torch.sigmoid(model(x))
            return p, lossf(p[:, 0], y.float())
        target = {"labels": y.tolist()}
    else:
        y = torch.randn(n, out_cols)
        lossf = torch.nn.MSELoss()

        def forward():
            p = model(x)
            return p, lossf(p, y)
        target = {"values": f32list(y)}
    rec = {"name": name, "sizes": sizes, "hidden": hidden, "loss_fn": kind, "x": f32list(x), **target,
           "weights": weights(model)}
    out, loss = forward()
    loss.backward()
    rec.update(output=f32list(out), loss=float(loss.item()), grads=grads(model))
    for opt_name, make in (("sgd", lambda p: torch.optim.SGD(p, lr=0.1)), ("adam", lambda p: torch.optim.Adam(p, lr=1e-3))):
        model.load_state_dict(start)
        model.zero_grad()
        opt = make(model.parameters())
        _, loss = forward()
        loss.backward()
        opt.step()
        rec[opt_name + "_after"] = weights(model)
    return rec


cases = [
    case("relu_ce", [6, 8, 4], "relu", "ce", 10),
    case("tanh_ce", [5, 7, 3], "tanh", "ce", 9),
    case("sigmoid_bce", [5, 6, 1], "sigmoid", "bce", 12),
    case("relu_mse", [4, 6, 2], "relu", "mse", 8),
]
meta = {"torch": torch.__version__, "dtype": "float32", "generator": "testdata/torch32/gen.py"}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json")
with open(path, "w") as f:
    json.dump({"meta": meta, "cases": cases}, f, indent=1)
    f.write("\n")
print("wrote", path)
