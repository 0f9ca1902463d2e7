"""Manual hyper-parameter grid search (blog-tutorial style): for every (lr, momentum) pair a
fresh MLP is built, its weights loaded from a NumPy-initialised state dict with
load_state_dict, trained with SGD on a train split and scored on a validation split; results
go into a dict keyed by f-strings, the best config is picked with max(..., key=...), and
the best model is retrained on train+val and scored on a test split.

COMPARE: exact rtol=1e-3 atol=1e-6; val_accs abs=0.02; test_acc abs=0.02
"""
import itertools
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

rng = np.random.default_rng(61)
X = rng.normal(size=(300, 5)).astype(np.float32)
y = (X[:, 0] * X[:, 1] + np.sin(X[:, 2]) > 0).astype(np.int64)
X, y = torch.from_numpy(X), torch.from_numpy(y)
X_train, y_train = X[:180], y[:180]
X_val, y_val = X[180:240], y[180:240]
X_test, y_test = X[240:], y[240:]

init = {
    "0.weight": torch.tensor(rng.normal(0, 0.4, (16, 5)), dtype=torch.float32),
    "0.bias": torch.zeros(16),
    "2.weight": torch.tensor(rng.normal(0, 0.4, (2, 16)), dtype=torch.float32),
    "2.bias": torch.zeros(2),
}


def make_model():
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 2))
    model.load_state_dict(init)
    return model


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()


def fit(model, X, y, lr, momentum, epochs=15, bs=30):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    model.train()
    for _ in range(epochs):
        for i in range(0, len(X), bs):
            opt.zero_grad()
            loss = F.cross_entropy(model(X[i:i + bs]), y[i:i + bs])
            loss.backward()
            opt.step()
    return loss.item()


results = {}
for lr, mom in itertools.product([0.01, 0.05, 0.2], [0.0, 0.9]):
    model = make_model()
    last = fit(model, X_train, y_train, lr, mom)
    results[f"lr={lr},mom={mom}"] = {"train_loss": last, "val_acc": accuracy(model, X_val, y_val)}
    print(f"lr={lr:<5} momentum={mom}: loss {last:.4f} val acc {results[f'lr={lr},mom={mom}']['val_acc']:.3f}")

best = max(results, key=lambda k: (results[k]["val_acc"], -results[k]["train_loss"]))
lr, mom = (float(part.split("=")[1]) for part in best.split(","))
final = make_model()
fit(final, torch.cat([X_train, X_val]), torch.cat([y_train, y_val]), lr, mom)
res = {"best": best, "test_acc": accuracy(final, X_test, y_test),
       "val_accs": [r["val_acc"] for r in results.values()],
       "losses": [r["train_loss"] for r in results.values()]}
print("RESULT " + json.dumps(res))
