"""A linear multi-class SVM trained with nn.MultiMarginLoss (Crammer-Singer style hinge, the
"SVM in PyTorch" Stack Overflow answer): p=1 and p=2 variants with margin=1.0, a class weight
tensor on the squared hinge, an explicit L2 penalty added to the loss (0.5 * C * ||W||^2 via
torch.sum(model.weight ** 2)), SGD with a fixed mini-batch order, and a hand-rolled hinge for
cross-checking (gather of the true-class score, clamp(min=0), sum over classes).
Exact: NumPy data and weights; torch float64 rerun (measured) <= 1e-7 relative.

COMPARE: exact rtol=1e-4 atol=1e-6; acc_p1 abs=0.01; acc_p2 abs=0.01
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(77)
n, d, k = 300, 4, 3
means = rng.normal(0, 2.0, (k, d))
yy = rng.integers(0, k, n)
X = torch.tensor(means[yy] + rng.normal(size=(n, d)), dtype=torch.float32)
y = torch.tensor(yy, dtype=torch.int64)
W0 = torch.tensor(rng.normal(0, 0.1, (k, d)), dtype=torch.float32)


def manual_hinge(scores, target, margin=1.0):
    true = scores.gather(1, target.view(-1, 1))
    m = (margin - true + scores).clamp(min=0)
    m[torch.arange(len(target)), target] = 0
    return m.sum(dim=1).mean() / scores.size(1)


res = {}
for p, weight in [(1, None), (2, torch.tensor([1.0, 2.0, 0.5]))]:
    model = nn.Linear(d, k)
    model.weight.data.copy_(W0)
    model.bias.data.zero_()
    criterion = nn.MultiMarginLoss(p=p, margin=1.0, weight=weight)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    C = 0.01
    for epoch in range(15):
        for i in range(0, n, 50):
            xb, yb = X[i:i + 50], y[i:i + 50]
            loss = criterion(model(xb), yb) + 0.5 * C * torch.sum(model.weight ** 2)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        scores = model(X)
        acc = (scores.argmax(dim=1) == y).float().mean().item()
        res[f"loss_p{p}"] = criterion(scores, y).item()
        res[f"acc_p{p}"] = acc
        if p == 1:
            res["manual_p1"] = manual_hinge(scores, y).item()
            res["none_sum"] = nn.MultiMarginLoss(reduction="none")(scores, y).sum().item()
    print(f"p={p}: loss {res[f'loss_p{p}']:.4f} acc {acc:.3f}")
print("RESULT " + json.dumps(res))
