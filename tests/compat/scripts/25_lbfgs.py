"""Logistic regression fitted with optim.LBFGS and a closure (full batch), with and without
the strong-Wolfe line search, plus an L2 penalty inside the closure.

COMPARE: exact rtol=1e-3 atol=1e-5
"""
import json

import numpy as np
import torch
from sklearn.datasets import make_moons
from torch import nn

Xn, yn = make_moons(200, noise=0.2, random_state=4)
feats = np.c_[Xn, Xn ** 2, Xn[:, :1] * Xn[:, 1:]]
X = torch.tensor(feats, dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32).view(-1, 1)
rng = np.random.default_rng(25)
w0 = rng.normal(0, 0.1, (1, 5)).astype(np.float32)


def fit(line_search_fn):
    model = nn.Linear(5, 1)
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(w0))
        model.bias.fill_(0.0)
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=20, history_size=10,
                                  line_search_fn=line_search_fn)
    criterion = nn.BCEWithLogitsLoss()

    def closure():
        optimizer.zero_grad()
        loss = criterion(model(X), y) + 1e-3 * model.weight.pow(2).sum()
        loss.backward()
        return loss

    losses = [optimizer.step(closure).item() for _ in range(3)]
    with torch.no_grad():
        final = criterion(model(X), y).item()
        acc = ((model(X) > 0).float() == y).float().mean().item()
    return losses[0], final, acc


res = {}
res["plain_first"], res["plain_final"], res["plain_acc"] = fit(None)
res["wolfe_first"], res["wolfe_final"], res["wolfe_acc"] = fit("strong_wolfe")
print("RESULT " + json.dumps(res))
