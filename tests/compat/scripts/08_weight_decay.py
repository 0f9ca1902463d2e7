"""Weight decay (d2l 3.7 style): a manual L2 penalty, then optimizer weight_decay, on a
high-dimensional linear regression with 20 training examples.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(6)
n_train, n_test, num_inputs = 20, 100, 200
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05


def synthetic(n):
    X = torch.from_numpy(rng.normal(0, 1, (n, num_inputs)).astype(np.float32))
    y = torch.matmul(X, true_w) + true_b
    y += torch.from_numpy(rng.normal(0, 0.01, y.shape).astype(np.float32))
    return X, y


train_X, train_y = synthetic(n_train)
test_X, test_y = synthetic(n_test)
w0 = rng.normal(0, 1, (num_inputs, 1)).astype(np.float32)


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def train_scratch(lambd):
    w = torch.tensor(w0, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for epoch in range(100):
        for i in range(0, n_train, 5):
            X, y = train_X[i:i + 5], train_y[i:i + 5]
            l = ((X @ w + b - y) ** 2 / 2).mean() + lambd * l2_penalty(w)
            l.backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= 0.003 * param.grad
                    param.grad.zero_()
    with torch.no_grad():
        test_l = ((test_X @ w + b - test_y) ** 2 / 2).mean().item()
    return w.norm().item(), test_l


def train_concise(wd):
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(w0.T))
        net[0].bias.fill_(0)
    loss = nn.MSELoss(reduction="none")
    trainer = torch.optim.SGD([{"params": net[0].weight, "weight_decay": wd},
                               {"params": net[0].bias}], lr=0.003)
    for epoch in range(100):
        for i in range(0, n_train, 5):
            X, y = train_X[i:i + 5], train_y[i:i + 5]
            trainer.zero_grad()
            l = loss(net(X), y)
            (l.mean() / 2).backward()
            trainer.step()
    with torch.no_grad():
        test_l = (loss(net(test_X), test_y).mean() / 2).item()
    return net[0].weight.norm().item(), test_l


res = {}
for lambd in (0, 3):
    res[f"scratch_norm_{lambd}"], res[f"scratch_test_{lambd}"] = train_scratch(lambd)
    res[f"concise_norm_{lambd}"], res[f"concise_test_{lambd}"] = train_concise(lambd)
print(res)
print("RESULT " + json.dumps(res))
