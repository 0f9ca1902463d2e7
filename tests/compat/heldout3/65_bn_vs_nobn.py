"""Batch norm versus no batch norm (blog comparison loop): the same 4-layer MLP built with
and without nn.BatchNorm1d from a make_model(use_bn) factory, weights copied from one NumPy
RNG draw, trained with SGD at a large learning rate; per-epoch training loss history per
variant in a dict, eval-mode accuracy, the BN running statistics and num_batches_tracked.

COMPARE: exact rtol=2e-3 atol=1e-5; acc_bn abs=0.02; acc_plain abs=0.02
"""
import json

import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(65)
n = 400
X = rng.normal(size=(n, 10)) * np.array([1, 5, 0.2, 3, 1, 10, 1, 0.5, 2, 1])
logits = X[:, 0] - 0.2 * X[:, 1] + 3 * X[:, 2] + 0.1 * X[:, 5]
y = torch.tensor((logits > 0).astype(np.int64))
X = torch.tensor(X, dtype=torch.float32)
W = [rng.normal(0, 0.3, s).astype(np.float32) for s in [(32, 10), (32, 32), (32, 32), (2, 32)]]


def make_model(use_bn):
    layers, dims = [], [10, 32, 32, 32]
    for i in range(3):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if use_bn:
            layers.append(nn.BatchNorm1d(dims[i + 1]))
        layers.append(nn.ReLU())
    layers.append(nn.Linear(32, 2))
    model = nn.Sequential(*layers)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for lin, w in zip(linears, W):
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.fill_(0.0)
    return model


history, res = {}, {}
for use_bn in (False, True):
    name = "bn" if use_bn else "plain"
    model = make_model(use_bn)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss()
    history[name] = []
    for epoch in range(10):
        model.train()
        running = 0.0
        for i in range(0, n, 40):
            xb, yb = X[i:i + 40], y[i:i + 40]
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * xb.size(0)
        history[name].append(running / n)
    model.eval()
    with torch.no_grad():
        res[f"acc_{name}"] = (model(X).argmax(1) == y).sum().item() / n
    print(name, ["%.3f" % l for l in history[name]], res[f"acc_{name}"])
    if use_bn:
        bn = model[1]
        res["running_mean"] = bn.running_mean[:5].tolist()
        res["running_var"] = bn.running_var[:5].tolist()
        res["num_batches_tracked"] = int(bn.num_batches_tracked)
res["history_plain"] = history["plain"]
res["history_bn"] = history["bn"]
print("RESULT " + json.dumps(res))
