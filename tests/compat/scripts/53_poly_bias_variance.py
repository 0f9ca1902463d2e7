"""Polynomial regression and under/overfitting (d2l 3.6 / "model selection" style): features
x^i / i! built with torch.pow and torch.lgamma, degree 3 (right), 1 (underfit) and 19 (overfit),
100 training points, a train(train_features, test_features, ...) function with a
Linear(bias=False) layer, SGD and MSE (reduction="none" then .mean()), plus the bias-variance
picture over 10 resampled training sets.  Weights start at zeros (nn.init.zeros_ on
net.weight), batches are slices, the data from a NumPy RNG.

COMPARE: exact rtol=1e-3 atol=1e-6
"""
import json
import math

import numpy as np
import torch
from torch import nn

max_degree = 20
n_train, n_test = 100, 100
true_w = np.zeros(max_degree)
true_w[0:4] = np.array([5, 1.2, -3.4, 5.6])

rng = np.random.default_rng(53)


def make_data(n):
    x = torch.tensor(rng.normal(size=(n, 1)), dtype=torch.float32)
    powers = torch.arange(max_degree, dtype=torch.float32).reshape(1, -1)
    feats = torch.pow(x, powers) / torch.exp(torch.lgamma(powers + 1))
    labels = feats @ torch.tensor(true_w, dtype=torch.float32)
    labels += torch.tensor(rng.normal(scale=0.1, size=n), dtype=torch.float32)
    return x, feats, labels.reshape(-1, 1)


def evaluate_loss(net, features, labels, loss):
    with torch.no_grad():
        return loss(net(features), labels).mean().item()


def train(train_features, test_features, train_labels, test_labels, num_epochs=200, batch_size=10, lr=0.02):
    loss = nn.MSELoss(reduction="none")
    input_shape = train_features.shape[-1]
    net = nn.Sequential(nn.Linear(input_shape, 1, bias=False))
    nn.init.zeros_(net[0].weight)
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for epoch in range(num_epochs):
        for i in range(0, len(train_labels), batch_size):
            l = loss(net(train_features[i:i + batch_size]), train_labels[i:i + batch_size])
            trainer.zero_grad()
            l.mean().backward()
            trainer.step()
    return (net[0].weight.data.numpy().ravel().tolist(),
            evaluate_loss(net, train_features, train_labels, loss),
            evaluate_loss(net, test_features, test_labels, loss), net)


_, f_train, l_train = make_data(n_train)
x_test, f_test, l_test = make_data(n_test)
res = {}
for name, deg in [("cubic", 4), ("linear", 2), ("high", max_degree)]:
    w, tr, te, _ = train(f_train[:, :deg], f_test[:, :deg], l_train, l_test, num_epochs=200)
    res[f"w_{name}"], res[f"train_{name}"], res[f"test_{name}"] = w[:4], tr, te
    print(f"{name}: train {tr:.4f} test {te:.4f}")

# bias-variance over resampled training sets, predictions at fixed test points
preds = {2: [], 4: [], 12: []}
for rep in range(6):
    _, f_tr, l_tr = make_data(20)
    for deg in preds:
        _, _, _, net = train(f_tr[:, :deg], f_test[:, :deg], l_tr, l_test, num_epochs=60, batch_size=5)
        with torch.no_grad():
            preds[deg].append(net(f_test[:, :deg]).squeeze(1))
truth = (f_test @ torch.tensor(true_w, dtype=torch.float32))
for deg, p in preds.items():
    P = torch.stack(p)
    bias2 = ((P.mean(0) - truth) ** 2).mean().item()
    var = P.var(0, unbiased=False).mean().item()
    res[f"bias2_deg{deg}"] = bias2
    res[f"var_deg{deg}"] = var
res["factorial_ok"] = math.isclose(torch.exp(torch.lgamma(torch.tensor(6.0))).item(), 120.0, rel_tol=1e-5)
print("RESULT " + json.dumps(res))
