"""Two schedules from the docs' examples, stepped per iteration: CosineAnnealingWarmRestarts
(T_0=5, T_mult=2, eta_min=1e-4) called as scheduler.step(epoch + i / iters) inside the
batch loop, and OneCycleLR(max_lr=0.1, epochs=, steps_per_epoch=) with SGD(momentum=0.9),
which also cycles the momentum; the lr read from get_last_lr() and the momentum from
optimizer.param_groups[0]['momentum'], a linear regression model trained under each.
Data and weights from a NumPy RNG, deterministic batches: exact.

Torch float64 rerun (measured): schedules identical, losses <= 2.0e-6 relative.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts, OneCycleLR

rng = np.random.default_rng(91)
X = torch.tensor(rng.normal(size=(160, 5)), dtype=torch.float32)
y = X @ torch.tensor(rng.normal(size=(5, 1)), dtype=torch.float32) + 0.5
w0 = torch.tensor(rng.normal(0, 0.1, (1, 5)), dtype=torch.float32)
iters, bs = 4, 40


def make_model():
    model = nn.Linear(5, 1)
    with torch.no_grad():
        model.weight.copy_(w0)
        model.bias.fill_(0.0)
    return model


model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=5, T_mult=2, eta_min=1e-4)
restart_lrs, restart_losses = [], []
for epoch in range(15):
    for i in range(iters):
        xb, yb = X[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs]
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step(epoch + i / iters)
        restart_lrs.append(scheduler.get_last_lr()[0])
    restart_losses.append(loss.item())

model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
scheduler = OneCycleLR(optimizer, max_lr=0.1, epochs=10, steps_per_epoch=iters)
cycle_lrs, cycle_moms, cycle_losses = [], [], []
for epoch in range(10):
    for i in range(iters):
        xb, yb = X[i * bs:(i + 1) * bs], y[i * bs:(i + 1) * bs]
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        optimizer.step()
        cycle_lrs.append(scheduler.get_last_lr()[0])
        cycle_moms.append(optimizer.param_groups[0]["momentum"])
        scheduler.step()
    cycle_losses.append(loss.item())
print(f"warm restarts final loss {restart_losses[-1]:.5f}, one-cycle final loss {cycle_losses[-1]:.5f}")
res = {"restart_lrs": restart_lrs[::3], "restart_losses": restart_losses,
       "cycle_lrs": cycle_lrs, "cycle_moms": cycle_moms, "cycle_losses": cycle_losses,
       "bias": model.bias.item()}
print("RESULT " + json.dumps(res))
