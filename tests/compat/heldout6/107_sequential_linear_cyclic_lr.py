"""Schedulers from the docs' examples not seen in the common tutorials: LinearLR warm-up
(start_factor=0.1, total_iters=5) followed by CosineAnnealingLR(T_max=15) through
SequentialLR(milestones=[5]), PolynomialLR(total_iters=10, power=2), CyclicLR
(base_lr=1e-3, max_lr=1e-1, step_size_up=4, mode="triangular2", cycle_momentum=False),
ConstantLR(factor=0.5, total_iters=3), each stepped once per epoch of a tiny regression and
read with scheduler.get_last_lr()[0]; the final losses of the SequentialLR run.
Exact: NumPy data/weights; lrs do not depend on float32 (torch float64 rerun: lrs identical,
losses within 1.9e-5 relative, worst 0.31 of the tolerance), so rtol=1e-5.

COMPARE: exact rtol=1e-5 atol=1e-8
"""
import json

import numpy as np
import torch
import torch.nn as nn
from torch.optim import lr_scheduler

rng = np.random.default_rng(107)
X = torch.tensor(rng.normal(size=(64, 3)), dtype=torch.float32)
y = X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3


def make(name, opt):
    if name == "sequential":
        warm = lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5)
        cos = lr_scheduler.CosineAnnealingLR(opt, T_max=15, eta_min=1e-3)
        return lr_scheduler.SequentialLR(opt, schedulers=[warm, cos], milestones=[5])
    if name == "poly":
        return lr_scheduler.PolynomialLR(opt, total_iters=10, power=2.0)
    if name == "cyclic":
        return lr_scheduler.CyclicLR(opt, base_lr=1e-3, max_lr=1e-1, step_size_up=4,
                                     mode="triangular2", cycle_momentum=False)
    return lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=3)


res = {}
for name in ("sequential", "poly", "cyclic", "constant"):
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = make(name, opt)
    lrs = []
    for epoch in range(20):
        lrs.append(sched.get_last_lr()[0])
        for i in range(0, 64, 16):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(X[i:i + 16]), y[i:i + 16])
            loss.backward()
            opt.step()
        sched.step()
    res[name + "_lrs"] = lrs
    res[name + "_loss"] = loss.item()
    res[name + "_group_lr"] = opt.param_groups[0]["lr"]
    print(name, [round(v, 4) for v in lrs[:8]])
print("RESULT " + json.dumps(res))
