"""Regenerates the PyTorch fixtures of the onnx package's tests.

Run from anywhere with Debian's python3-torch and python3-onnx:

    apt-get install -y libopenblas0-pthread python3-torch python3-numpy python3-onnx
    /usr/bin/python3 onnx/testdata/gen_torch.py

For each net below it builds a small seeded torch model in float64, in
evaluation mode, exports it with torch.onnx.export (opset 17, a dynamic batch
dimension, input "input", output "output") to torch_<name>.onnx, and writes
torch_<name>.json holding the inputs and PyTorch's own outputs for them
(json writes each float64 as the shortest decimal that reads back to the same
bits). The tests import each .onnx file and compare the Go predictions with
these outputs.
"""

import json
import os

import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
IRIS = os.path.join(HERE, "..", "..", "internal", "datasets", "iris.csv")


def iris():
    """Returns the iris features and labels, as float64 and int64 tensors."""
    with open(IRIS) as f:
        rows = [line.strip().split(",") for line in f.readlines()[1:] if line.strip()]
    x = torch.tensor([[float(v) for v in r[:4]] for r in rows], dtype=torch.float64)
    y = torch.tensor([int(r[4]) for r in rows])
    return x, y


def train_iris(model):
    """Trains model on iris (full batch, Adam, 300 steps) and returns every
    10th row of the data set (15 rows), which the fixture predicts."""
    x, y = iris()
    torch.manual_seed(10)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    logits = nn.Sequential(*list(model)[:-1])  # without the Softmax
    model.train()
    for _ in range(300):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(logits(x), y)
        loss.backward()
        opt.step()
    model.eval()
    return x[::10]


def nets():
    """Returns (name, model, input width, metadata) for each fixture."""
    def mk(seed, layers):
        torch.manual_seed(seed)
        return nn.Sequential(*layers()).double().eval()

    yield "relu", mk(1, lambda: [nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)]), 4, None
    yield "leakyrelu", mk(2, lambda: [nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 3)]), 4, None
    yield "sigmoid", mk(3, lambda: [nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 1), nn.Sigmoid()]), 4, None
    yield "tanh", mk(4, lambda: [nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)]), 4, None
    yield "gelu", mk(5, lambda: [nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 3)]), 4, None
    # An iris classifier, trained.
    yield "softmax", mk(6, lambda: [nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3), nn.Softmax(dim=-1)]), 4, {
        "mlp.columns": json.dumps(["sepal_length", "sepal_width", "petal_length", "petal_width"]),
        "mlp.classes": json.dumps(["setosa", "versicolor", "virginica"]),
        "mlp.task": "classification",
    }
    yield "regressor", mk(7, lambda: [nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 1)]), 5, None
    yield "nobias_dropout", mk(8, lambda: [
        nn.Flatten(), nn.Linear(4, 6, bias=False), nn.Dropout(0.5), nn.ReLU(), nn.Linear(6, 2)]), 4, None
    # The shapes of the speed comparison: a 64-128-10 classifier.
    yield "bench", mk(9, lambda: [nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10), nn.Softmax(dim=-1)]), 64, None


def main():
    for name, model, width, meta in nets():
        g = torch.Generator().manual_seed(100)
        x = torch.randn(16, width, generator=g, dtype=torch.float64) * 2
        if name == "softmax":
            x = train_iris(model)
        with torch.no_grad():
            y = model(x)
        path = os.path.join(HERE, "torch_%s.onnx" % name)
        torch.onnx.export(
            model, x[:1], path, opset_version=17,
            input_names=["input"], output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
        m = onnx.load(path)
        for k, v in (meta or {}).items():
            e = m.metadata_props.add()
            e.key, e.value = k, v
        onnx.checker.check_model(m)
        onnx.save(m, path)
        ops = [n.op_type for n in m.graph.node]
        with open(os.path.join(HERE, "torch_%s.json" % name), "w") as f:
            json.dump({
                "torch": torch.__version__,
                "ops": ops,
                "input": x.tolist(),
                "output": y.tolist(),
            }, f)
            f.write("\n")
        print(name, ops)


if __name__ == "__main__":
    main()
