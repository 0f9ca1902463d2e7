"""L1 and L2 penalties written by hand (the classic "how do I add L1 regularization"
answer): l1 = sum(p.abs().sum() for p in model.parameters()) added to the loss, an L2 term
via torch.norm(p, 2) ** 2 over weights only, three runs (none / L1 / L2) of a linear model
on data with few informative features, then the sparsity (weights below 1e-2) and test MSE.

COMPARE: exact rtol=2e-3 atol=1e-5; n_small_none abs=1; n_small_l1 abs=1; n_small_l2 abs=1
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(69)
n, d = 120, 30
X = torch.tensor(rng.normal(size=(n, d)), dtype=torch.float32)
w_true = torch.zeros(d, 1)
w_true[:4, 0] = torch.tensor([2.0, -3.0, 1.5, 1.0])
y = X @ w_true + 0.5 * torch.tensor(rng.normal(size=(n, 1)), dtype=torch.float32)
X_train, y_train, X_test, y_test = X[:80], y[:80], X[80:], y[80:]
w0 = torch.tensor(rng.normal(0, 0.1, (1, d)), dtype=torch.float32)


def run(l1_lambda=0.0, l2_lambda=0.0, epochs=300):
    model = nn.Linear(d, 1)
    model.weight.data = w0.clone()
    model.bias.data.fill_(0.0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    criterion = nn.MSELoss()
    for epoch in range(epochs):
        optimizer.zero_grad()
        mse = criterion(model(X_train), y_train)
        loss = mse
        if l1_lambda:
            l1_norm = sum(p.abs().sum() for p in model.parameters())
            loss = loss + l1_lambda * l1_norm
        if l2_lambda:
            l2_norm = sum(torch.norm(p, 2) ** 2 for name, p in model.named_parameters() if "weight" in name)
            loss = loss + l2_lambda * l2_norm
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        test_mse = criterion(model(X_test), y_test).item()
    w = model.weight.detach().flatten()
    return {"train_mse": mse.item(), "test_mse": test_mse, "n_small": int((w.abs() < 1e-2).sum()),
            "w_head": w[:6].tolist(), "l1_of_w": w.abs().sum().item()}


res = {}
for name, kw in [("none", {}), ("l1", {"l1_lambda": 0.1}), ("l2", {"l2_lambda": 0.05})]:
    out = run(**kw)
    print(name, out)
    for k, v in out.items():
        res[f"{k}_{name}"] = v
print("RESULT " + json.dumps(res))
