"""Optimizers compared on one problem (d2l ch. 12 style): SGD, SGD+momentum, Nesterov,
Adagrad, Adadelta, RMSprop, Adam, AdamW (with weight decay), Adam(amsgrad) -- same start.

COMPARE: exact rtol=1e-3 atol=1e-6
"""
import json

import numpy as np
import torch
from sklearn.datasets import make_moons
from torch import nn, optim

Xn, yn = make_moons(400, noise=0.15, random_state=1)
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32).unsqueeze(1)
rng = np.random.default_rng(16)
start = None


def make_model():
    global start
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    if start is None:
        start = [rng.normal(0, 0.7, tuple(p.shape)).astype(np.float32) for p in model.parameters()]
    with torch.no_grad():
        for p, s in zip(model.parameters(), start):
            p.copy_(torch.from_numpy(s))
    return model


optimizers = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1),
    "momentum": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    "nesterov": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, dampening=0),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1),
    "adadelta": lambda ps: optim.Adadelta(ps, lr=1.0),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.01, alpha=0.9),
    "adam": lambda ps: optim.Adam(ps, lr=0.01, betas=(0.9, 0.999)),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.05),
    "amsgrad": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
}
results = {}
loss_fn = nn.BCEWithLogitsLoss()
for name, make_opt in optimizers.items():
    model = make_model()
    opt = make_opt(model.parameters())
    for step in range(100):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
    results[name] = loss.item()
    print(f"{name:10s} {loss.item():.5f}")
print("RESULT " + json.dumps(results))
