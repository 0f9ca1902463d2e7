"""Learning-rate schedules side by side (tutorial style): StepLR(step_size=3, gamma=0.5),
MultiStepLR(milestones=[4, 7]), ExponentialLR(gamma=0.8) each stepped once per epoch, and
ReduceLROnPlateau(mode="max", factor=0.5, patience=1) stepped with the validation accuracy;
the lr read from optimizer.param_groups[0]["lr"] each epoch, scheduler.get_last_lr() and
scheduler.state_dict()["last_epoch"]; a logistic-regression-like nn.Linear on NumPy blobs.
Weights from NumPy, full batch: exact.  Torch float64 rerun (measured) changes losses by
<= 1.2e-7 relative; the lr traces are identical (plateau decisions included).

COMPARE: exact rtol=1e-4 atol=1e-7
"""
import json

import numpy as np
import torch
import torch.nn as nn
from torch.optim import lr_scheduler

rng = np.random.default_rng(79)
X_np = np.concatenate([rng.normal(-1, 1.5, (100, 2)), rng.normal(1, 1.5, (100, 2))])
y_np = np.array([0] * 100 + [1] * 100)
X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np)
Xv = torch.tensor(rng.normal(0, 2, (80, 2)), dtype=torch.float32)
yv = (Xv.sum(dim=1) > 0).long()
w0 = torch.tensor(rng.normal(0, 0.5, (2, 2)), dtype=torch.float32)

makers = {
    "step": lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "multistep": lambda o: lr_scheduler.MultiStepLR(o, milestones=[4, 7], gamma=0.1),
    "exponential": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.8),
    "plateau": lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="max", factor=0.5, patience=1),
}
res = {}
for name, make in makers.items():
    model = nn.Linear(2, 2)
    model.weight.data.copy_(w0)
    nn.init.zeros_(model.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    scheduler = make(optimizer)
    loss_fn = nn.CrossEntropyLoss()
    lrs, losses = [], []
    for epoch in range(10):
        model.train()
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            val_acc = (model(Xv).argmax(dim=1) == yv).float().mean().item()
        if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
            scheduler.step(val_acc)
        else:
            scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        losses.append(loss.item())
    res[name + "_lrs"] = lrs
    res[name + "_loss"] = losses[-1]
    if name != "plateau":
        res[name + "_last"] = scheduler.get_last_lr()[0]
        res[name + "_epoch"] = scheduler.state_dict()["last_epoch"]
    print(name, ["%.4f" % v for v in lrs])
print("RESULT " + json.dumps(res))
