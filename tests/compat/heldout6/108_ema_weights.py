"""An exponential moving average of the weights (the "EMA / Polyak averaging" blog recipe):
ema_model = copy.deepcopy(model) with requires_grad_(False), after every optimizer step
ema_p.mul_(decay).add_(p.detach(), alpha=1 - decay) over zip(parameters()), buffers copied,
the same update written with torch.lerp_ for a second EMA, both evaluated with model.eval()
under torch.no_grad() against the raw model on a held-out set.
Exact: NumPy weights, fixed batches; torch float64 rerun (measured) within 1e-6 relative,
so rtol=1e-4.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import copy
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(108)
Xn = rng.uniform(-2, 2, (300, 1))
yn = np.sin(2 * Xn) + 0.3 * rng.normal(size=Xn.shape)
X, y = torch.tensor(Xn[:200], dtype=torch.float32), torch.tensor(yn[:200], dtype=torch.float32)
Xv, yv = torch.tensor(Xn[200:], dtype=torch.float32), torch.tensor(np.sin(2 * Xn[200:]), dtype=torch.float32)

model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(rng.normal(0, 0.5, tuple(p.shape)), dtype=torch.float32))
ema = copy.deepcopy(model).requires_grad_(False)
ema2 = copy.deepcopy(model)
for p in ema2.parameters():
    p.requires_grad = False
decay = 0.95
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(30):
    model.train()
    for i in range(0, 200, 20):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X[i:i + 20]), y[i:i + 20])
        loss.backward()
        opt.step()
        with torch.no_grad():
            for e, p in zip(ema.parameters(), model.parameters()):
                e.mul_(decay).add_(p.detach(), alpha=1 - decay)
            for e, p in zip(ema2.parameters(), model.parameters()):
                e.lerp_(p, 1 - decay)
            for eb, b in zip(ema.buffers(), model.buffers()):
                eb.copy_(b)

res = {}
for name, m in [("raw", model), ("ema", ema), ("ema_lerp", ema2)]:
    m.eval()
    with torch.no_grad():
        res["val_" + name] = nn.functional.mse_loss(m(Xv), yv).item()
res["ema_requires_grad"] = any(p.requires_grad for p in ema.parameters())
res["ema_vs_lerp_maxdiff_small"] = max((a - b).abs().max().item()
                                       for a, b in zip(ema.parameters(), ema2.parameters())) < 1e-4
res["last_loss"] = loss.item()
print(res)
print("RESULT " + json.dumps(res))
