"""Maxout, PReLU and RReLU (the "activation functions from the papers" notebook): a Maxout
layer written as an nn.Module (Linear to units * pieces, .view(-1, units, pieces), .max(dim=2)
returning (values, indices), usage of each piece counted with torch.bincount), nn.PReLU with
one learnable slope per channel (num_parameters=16, init=0.25) whose slopes are reported after
training, and nn.RReLU(lower=1/8, upper=1/3) in eval mode, which is leaky ReLU with the mean
slope; the train-mode RReLU output is only checked for its bounds.
Exact: NumPy weights, full batch; torch float64 rerun (measured) within 3.2e-6 relative, so
rtol=1e-4 (piece counts may move by a sample or two after float32 rounding: abs=3).

COMPARE: exact rtol=1e-4 atol=1e-6; piece_counts abs=3
"""
import json

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_circles


class Maxout(nn.Module):
    def __init__(self, d_in, units, pieces):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.lin = nn.Linear(d_in, units * pieces)

    def forward(self, x):
        z = self.lin(x).view(-1, self.units, self.pieces)
        out, idx = z.max(dim=2)
        self.last_idx = idx
        return out


Xn, yn = make_circles(200, noise=0.1, factor=0.5, random_state=105)
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn)
rng = np.random.default_rng(105)
res = {}
for name in ("maxout", "prelu"):
    if name == "maxout":
        model = nn.Sequential(Maxout(2, 16, 3), nn.Linear(16, 2))
        first = model[0].lin
    else:
        model = nn.Sequential(nn.Linear(2, 16), nn.PReLU(num_parameters=16, init=0.25), nn.Linear(16, 2))
        first = model[0]
    with torch.no_grad():
        first.weight.copy_(torch.tensor(rng.normal(0, 1.0, tuple(first.weight.shape)), dtype=torch.float32))
        first.bias.copy_(torch.tensor(rng.normal(0, 0.5, tuple(first.bias.shape)), dtype=torch.float32))
        model[-1].weight.copy_(torch.tensor(rng.normal(0, 0.3, (2, 16)), dtype=torch.float32))
        model[-1].bias.zero_()
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for step in range(200):
        opt.zero_grad()
        loss = nn.CrossEntropyLoss()(model(X), y)
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).float().mean().item()
    res[f"{name}_loss"], res[f"{name}_acc"] = loss.item(), acc
    if name == "maxout":
        res["piece_counts"] = torch.bincount(model[0].last_idx.flatten(), minlength=3).tolist()
    else:
        res["prelu_slopes"] = model[1].weight.detach().tolist()
    print(name, loss.item(), acc)

rrelu = nn.RReLU(lower=1 / 8, upper=1 / 3)
t = torch.linspace(-3, 3, 13, dtype=torch.float32)
rrelu.eval()
res["rrelu_eval"] = rrelu(t).tolist()
rrelu.train()
out = rrelu(t)
neg = t < 0
ratio = out[neg] / t[neg]
res["rrelu_train_in_bounds"] = bool(((ratio >= 1 / 8 - 1e-6) & (ratio <= 1 / 3 + 1e-6)).all())
res["rrelu_train_pos_identity"] = bool(torch.equal(out[~neg], t[~neg]))
print("RESULT " + json.dumps(res))
