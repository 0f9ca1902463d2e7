"""Momentum vs Nesterov momentum vs plain SGD (d2l "Momentum" chapter style) on an
ill-conditioned least-squares problem: one nn.Linear(10, 1, bias=False) per run, weights
reset with load_state_dict from one saved initial state, torch.optim.SGD(momentum=0.9,
nesterov=True/False, dampening=0), full-batch steps, loss curves recorded every 5 steps,
and the momentum buffer read back from optimizer.state[p]["momentum_buffer"].
Data and weights from a NumPy RNG, full batch: exact.  Torch float64 rerun (measured): <= 3.4e-6 rel.

COMPARE: exact rtol=1e-4 atol=1e-7
"""
import copy
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(75)
scales = np.logspace(0, 1.3, 10)
X = torch.tensor(rng.normal(size=(128, 10)) * scales, dtype=torch.float32)
w_star = torch.tensor(rng.normal(size=(10, 1)), dtype=torch.float32)
y = X @ w_star + 0.01 * torch.tensor(rng.normal(size=(128, 1)), dtype=torch.float32)

model = nn.Linear(10, 1, bias=False)
model.weight.data = torch.tensor(rng.normal(0, 0.1, (1, 10)), dtype=torch.float32)
init_state = copy.deepcopy(model.state_dict())
loss_fn = nn.MSELoss()

curves, bufs = {}, {}
for name, kw in [("sgd", dict(momentum=0.0)),
                 ("momentum", dict(momentum=0.9)),
                 ("nesterov", dict(momentum=0.9, nesterov=True))]:
    model.load_state_dict(init_state)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, **kw)
    curve = []
    for step in range(60):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
        if step % 5 == 0:
            curve.append(loss.item())
    curves[name] = curve
    state = opt.state[model.weight]
    buf = state.get("momentum_buffer") if len(state) else None
    bufs[name] = None if buf is None else buf.norm().item()
    print(f"{name:9s} final loss {curve[-1]:.5f}")

res = {"curves": curves["sgd"] + curves["momentum"] + curves["nesterov"],
       "buf_momentum": bufs["momentum"], "buf_nesterov": bufs["nesterov"],
       "nesterov_wins": curves["nesterov"][-1] < curves["momentum"][-1],
       "weight": model.weight.flatten().tolist()}
print("RESULT " + json.dumps(res))
