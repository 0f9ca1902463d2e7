"""Diagnosing bias vs variance with learning curves (the "train / dev error" table from the
course, done the d2l way): a custom torch.utils.data.Dataset that generates a noisy two-ring
problem in __init__, random_split 60/20/20 with a seeded torch.Generator, then a linear
classifier (too simple: high bias) and a wide MLP (low bias) trained on growing Subsets of the
training split (5%, 25%, 50%, 100%), recording train and validation error; the gap between
them (variance) must shrink as data grows, and the linear model's errors stay high on both.
Data, split and inits come from torch's RNG: metric.
Torch seeds 0-4 (measured): linear_val_err_full 0.44-0.59 (spread 0.15), mlp_train_err_full
0.047-0.083 (0.037), mlp_val_err_full 0.16-0.24 (0.08), mlp_gap_full 0.077-0.18 (0.10);
mlp_gap_small 0.17-0.54 is too noisy to compare; diagnosis_linear ("high bias"),
diagnosis_mlp_small ("high variance") and split_sizes are the same for every seed,
diagnosis_mlp_full is not.  Tolerances about 2x the spread.

COMPARE: metric linear_val_err_full abs=0.3; mlp_train_err_full abs=0.075; mlp_val_err_full abs=0.16; mlp_gap_full abs=0.2; diagnosis_linear abs=0; diagnosis_mlp_small abs=0; split_sizes abs=0
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, Subset, random_split

SEED = 0
torch.manual_seed(SEED)


class TwoRings(Dataset):
    def __init__(self, n, noise=0.45):
        radius = torch.where(torch.rand(n) < 0.5, torch.tensor(1.0), torch.tensor(2.0))
        angle = torch.rand(n) * 2 * math.pi
        self.x = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
        self.x += noise * torch.randn(n, 2)
        self.y = (radius > 1.5).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def stack(ds):
    xs, ys = zip(*[ds[i] for i in range(len(ds))])
    return torch.stack(xs), torch.stack(ys)


full = TwoRings(500)
train_set, val_set, test_set = random_split(full, [300, 100, 100],
                                            generator=torch.Generator().manual_seed(SEED))
Xv, yv = stack(val_set)


def error(model, X, y):
    with torch.no_grad():
        return (model(X).argmax(1) != y).float().mean().item()


def make(kind):
    if kind == "linear":
        return nn.Linear(2, 2)
    return nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))


curves = {}
for kind in ("linear", "mlp"):
    for frac in (0.05, 0.25, 0.5, 1.0):
        sub = Subset(train_set, list(range(int(frac * len(train_set)))))
        X, y = stack(sub)
        model = make(kind)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        for step in range(400):
            opt.zero_grad()
            F.cross_entropy(model(X), y).backward()
            opt.step()
        tr, va = error(model, X, y), error(model, Xv, yv)
        curves[(kind, frac)] = (tr, va)
        print(f"{kind:6s} n={len(sub):3d}  train err {tr:.3f}  val err {va:.3f}  gap {va - tr:+.3f}")


def diagnose(train_err, val_err, target=0.1):
    if train_err > target:
        return "high bias"
    if val_err - train_err > target:
        return "high variance"
    return "ok"


res = {
    "linear_train_err_full": curves[("linear", 1.0)][0],
    "linear_val_err_full": curves[("linear", 1.0)][1],
    "mlp_train_err_full": curves[("mlp", 1.0)][0],
    "mlp_val_err_full": curves[("mlp", 1.0)][1],
    "mlp_gap_small": curves[("mlp", 0.05)][1] - curves[("mlp", 0.05)][0],
    "mlp_gap_full": curves[("mlp", 1.0)][1] - curves[("mlp", 1.0)][0],
    "diagnosis_linear": diagnose(*curves[("linear", 1.0)]),
    "diagnosis_mlp_small": diagnose(*curves[("mlp", 0.05)]),
    "diagnosis_mlp_full": diagnose(*curves[("mlp", 1.0)]),
    "split_sizes": [len(train_set), len(val_set), len(test_set)],
}
print("RESULT " + json.dumps(res))
