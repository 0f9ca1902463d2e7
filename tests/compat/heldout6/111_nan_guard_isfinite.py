"""A NaN/Inf guard in the training loop (the "loss becomes nan" forum answer): a regression
whose learning rate is far too large so that the loss blows up; after each forward
`if not torch.isfinite(loss) or loss.item() > 1e4: skip the step, halve every
param_group["lr"], restore the last good state_dict`; gradients checked with all(torch.isfinite(p.grad).all() for p in ...);
torch.isnan / torch.isinf counts on a crafted tensor and torch.nan_to_num(nan=0, posinf=1e4,
neginf=-1e4) on it.
Exact: NumPy data/weights; torch float64 rerun (measured): same skips and lrs, losses
within 1e-6 relative (measured), so rtol=1e-4.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import copy
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(111)
X = torch.tensor(rng.normal(0, 3, (64, 5)), dtype=torch.float32)
y = torch.tensor(rng.normal(0, 10, (64, 1)), dtype=torch.float32)
model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 1))
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(rng.normal(0, 0.5, tuple(p.shape)), dtype=torch.float32))
opt = torch.optim.SGD(model.parameters(), lr=0.5)
good_state = copy.deepcopy(model.state_dict())
skipped, lrs, losses = 0, [], []
for step in range(30):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    if not torch.isfinite(loss) or loss.item() > 1e4:   # diverging: roll back
        skipped += 1
        model.load_state_dict(good_state)
        for g in opt.param_groups:
            g["lr"] *= 0.5
        continue
    loss.backward()
    grads_ok = all(torch.isfinite(p.grad).all() for p in model.parameters())
    if not grads_ok:
        skipped += 1
        model.load_state_dict(good_state)
        for g in opt.param_groups:
            g["lr"] = g["lr"] * 0.5
        continue
    good_state = copy.deepcopy(model.state_dict())
    opt.step()
    losses.append(loss.item())
    lrs.append(opt.param_groups[0]["lr"])

t = torch.tensor([1.0, float("nan"), float("inf"), -float("inf"), 2.0])
res = {"skipped": skipped, "final_lr": opt.param_groups[0]["lr"], "lrs": lrs,
       "losses_tail": losses[-5:], "n_good": len(losses),
       "n_nan": int(torch.isnan(t).sum()), "n_inf": int(torch.isinf(t).sum()),
       "n_finite": int(torch.isfinite(t).sum()),
       "cleaned": torch.nan_to_num(t, nan=0.0, posinf=1e4, neginf=-1e4).tolist()}
print(res)
print("RESULT " + json.dumps(res))
