"""Learning-rate schedules: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR
linear warm-up, OneCycleLR, ReduceLROnPlateau -- the lr trajectory and the final loss of each.

COMPARE: exact rtol=1e-4 atol=1e-7
"""
import json

import numpy as np
import torch
from torch import nn
from torch.optim import lr_scheduler

rng = np.random.default_rng(17)
X = torch.from_numpy(rng.normal(0, 1, (200, 5)).astype(np.float32))
y = X @ torch.arange(1.0, 6.0).unsqueeze(1) + 0.1 * torch.from_numpy(rng.normal(0, 1, (200, 1)).astype(np.float32))
w_init = rng.normal(0, 0.1, (1, 5)).astype(np.float32)

schedules = {
    "step": lambda opt: lr_scheduler.StepLR(opt, step_size=10, gamma=0.5),
    "multistep": lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[15, 30], gamma=0.1),
    "exponential": lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.95),
    "cosine": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=40, eta_min=0.001),
    "warmup": lambda opt: lr_scheduler.LambdaLR(opt, lr_lambda=lambda epoch: min(1.0, (epoch + 1) / 10)),
    "onecycle": lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=40),
    "plateau": lambda opt: lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2),
}

result = {}
for name, make in schedules.items():
    model = nn.Linear(5, 1)
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(w_init))
        model.bias.zero_()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = make(optimizer)
    lrs = []
    for epoch in range(40):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        if name == "plateau":
            scheduler.step(loss.item() + (1.0 if epoch % 7 == 0 else 0.0))
        else:
            scheduler.step()
    result[name + "_lr_sum"] = sum(lrs)
    result[name + "_last_lr"] = optimizer.param_groups[0]["lr"]
    result[name + "_loss"] = loss.item()
    print(name, [round(v, 5) for v in lrs[:12]], loss.item())
print("RESULT " + json.dumps(result))
