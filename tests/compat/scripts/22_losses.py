"""Binary classification with three losses on make_moons features: hinge loss written by hand
(labels in {-1, +1}, torch.clamp(1 - y * f, min=0)), MSE on {0,1} targets, BCEWithLogitsLoss
with pos_weight; plus nn.HuberLoss, nn.SmoothL1Loss, nn.L1Loss on a regression target.

L1's gradient is sign(residual): late in its fit a residual within float32 rounding of zero
can flip sign (seen at step 67 of 80: one-step gradients otherwise agree to 3e-6), so the l1
loss gets rel=1e-3.

COMPARE: exact rtol=1e-4 atol=1e-6; l1 rel=1e-3
"""
import json

import numpy as np
import torch
from sklearn.datasets import make_moons
from torch import nn

Xn, yn = make_moons(300, noise=0.25, random_state=3)
X = torch.tensor(Xn, dtype=torch.float32)
y01 = torch.tensor(yn, dtype=torch.float32)
ypm = 2 * y01 - 1
rng = np.random.default_rng(22)
init = [rng.normal(0, 0.5, s).astype(np.float32) for s in [(32, 2), (32,), (1, 32), (1,)]]


def model_fn():
    net = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1), nn.Flatten(0))
    with torch.no_grad():
        for p, v in zip(net.parameters(), init):
            p.copy_(torch.from_numpy(v))
    return net


def hinge(out, target):
    return torch.clamp(1 - target * out, min=0).mean()


def fit(loss_fn, target, steps=150):
    net = model_fn()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    for _ in range(steps):
        opt.zero_grad()
        l = loss_fn(net(X), target)
        l.backward()
        opt.step()
    return net, l.item()


res = {}
net, res["hinge_loss"] = fit(hinge, ypm)
with torch.no_grad():
    res["hinge_acc"] = (torch.sign(net(X)) == ypm).float().mean().item()
net, res["mse_loss"] = fit(nn.MSELoss(), y01)
net, res["bce_loss"] = fit(nn.BCEWithLogitsLoss(pos_weight=torch.tensor(2.0)), y01)
with torch.no_grad():
    res["bce_acc"] = ((net(X) > 0).float() == y01).float().mean().item()

target = X[:, 0] * 2 - X[:, 1] ** 2
for name, crit in [("huber", nn.HuberLoss(delta=0.5)), ("smoothl1", nn.SmoothL1Loss(beta=0.5)),
                   ("l1", nn.L1Loss())]:
    _, res[name] = fit(crit, target, steps=80)
print("RESULT " + json.dumps(res))
