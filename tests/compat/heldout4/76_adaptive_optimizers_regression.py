"""AdaGrad vs Adadelta vs RMSprop (centered and not) vs Adam on a small polynomial regression
(d2l "Optimization Algorithms" style): a 1-16-1 tanh MLP re-created for each optimizer from
one NumPy weight draw, mini-batches in a fixed order from a NumPy permutation, a dict of
optimizer factories with their usual hyper-parameters (Adagrad lr_decay, Adadelta rho,
RMSprop alpha/centered), and the final full-data MSE of each.
Exact: torch float64 rerun (measured) differs by <= 3e-7 relative.

COMPARE: exact rtol=1e-3 atol=1e-6
"""
import json

import numpy as np
import torch
from torch import nn, optim

rng = np.random.default_rng(76)
x = np.linspace(-1, 1, 200).reshape(-1, 1)
y = 0.5 * x ** 3 - x + 0.05 * rng.normal(size=x.shape)
X_t = torch.from_numpy(x).float()
y_t = torch.from_numpy(y).float()
W1 = rng.normal(0, 1.0, (16, 1))
W2 = rng.normal(0, 0.25, (1, 16))
order = rng.permutation(200)


def make_model():
    m = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    with torch.no_grad():
        m[0].weight.copy_(torch.from_numpy(W1))
        m[0].bias.zero_()
        m[2].weight.copy_(torch.from_numpy(W2))
        m[2].bias.zero_()
    return m


factories = {
    "adagrad": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=1e-3),
    "adadelta": lambda p: optim.Adadelta(p, lr=1.0, rho=0.9),
    "rmsprop": lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9),
    "rmsprop_centered": lambda p: optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5),
    "adam": lambda p: optim.Adam(p, lr=0.01, betas=(0.9, 0.99)),
}
res = {}
for name, make_opt in factories.items():
    model = make_model()
    opt = make_opt(model.parameters())
    criterion = nn.MSELoss()
    for epoch in range(20):
        for i in range(0, 200, 20):
            idx = torch.from_numpy(order[i:i + 20])
            opt.zero_grad()
            loss = criterion(model(X_t[idx]), y_t[idx])
            loss.backward()
            opt.step()
    with torch.no_grad():
        final = criterion(model(X_t), y_t).item()
    res[name] = final
    print(f"{name:17s} mse={final:.5f}")
print("RESULT " + json.dumps(res))
