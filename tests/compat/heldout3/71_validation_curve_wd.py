"""A validation curve over weight decay (course-exercise style): for each weight_decay in a
log-spaced list (numpy.logspace) an over-parameterised MLP is trained with SGD(momentum)
on a small noisy regression set, train and validation MSE collected in lists, the best decay
chosen by argmin of a torch tensor of validation losses, and the weight norm per setting.

COMPARE: exact rtol=2e-3 atol=1e-6; best_wd rel=1e-9
"""
import json

import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(71)
x = np.sort(rng.uniform(-3, 3, 60))
X = torch.tensor(x, dtype=torch.float32).unsqueeze(1)
y = torch.tensor(np.sin(x) + 0.3 * rng.normal(size=60), dtype=torch.float32).view(-1, 1)
perm = torch.from_numpy(rng.permutation(60))
tr_idx, va_idx = perm[:30], perm[30:]
init = [rng.normal(0, s, shape).astype(np.float32)
        for s, shape in [(1.0, (64, 1)), (0.15, (64, 64)), (0.15, (1, 64))]]


def build():
    net = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    for layer, w in zip([net[0], net[2], net[4]], init):
        layer.weight.data.copy_(torch.from_numpy(w))
        layer.bias.data.zero_()
    return net


weight_decays = np.logspace(-4, -1, 4)
train_curve, val_curve, norms = [], [], []
for wd in weight_decays:
    net = build()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=float(wd))
    for epoch in range(200):
        opt.zero_grad()
        loss = nn.functional.mse_loss(net(X[tr_idx]), y[tr_idx])
        loss.backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        train_curve.append(nn.functional.mse_loss(net(X[tr_idx]), y[tr_idx]).item())
        val_curve.append(nn.functional.mse_loss(net(X[va_idx]), y[va_idx]).item())
        norms.append(sum(p.pow(2).sum() for p in net.parameters()).sqrt().item())
    print(f"wd={wd:.0e} train {train_curve[-1]:.4f} val {val_curve[-1]:.4f} |w| {norms[-1]:.3f}")

best = int(torch.tensor(val_curve).argmin())
res = {"train": train_curve, "val": val_curve, "norms": norms, "best_wd": float(weight_decays[best])}
print("RESULT " + json.dumps(res))
