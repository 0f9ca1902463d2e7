"""Optimizers race on the Rosenbrock function (the classic optimizer-visualisation blog):
a raw leaf tensor xy = torch.tensor([-1.5, 2.0], requires_grad=True) handed to each of
SGD, SGD(nesterov), Adagrad, RMSprop(centered), Adam(amsgrad), AdamW, Adamax, NAdam, RAdam,
Adadelta, with a MultiStepLR schedule; the path sampled every 50 steps, final point and
loss per optimizer, plus the optimizer state_dict's step count for Adam.

COMPARE: exact rtol=2e-3 atol=1e-5
"""
import json

import torch
from torch import optim
from torch.optim.lr_scheduler import MultiStepLR


def rosenbrock(xy, a=1.0, b=100.0):
    x, y = xy[0], xy[1]
    return (a - x) ** 2 + b * (y - x ** 2) ** 2


configs = {
    "sgd": (optim.SGD, dict(lr=1e-4)),
    "nesterov": (optim.SGD, dict(lr=1e-4, momentum=0.9, nesterov=True)),
    "adagrad": (optim.Adagrad, dict(lr=0.5)),
    "rmsprop": (optim.RMSprop, dict(lr=1e-2, centered=True)),
    "amsgrad": (optim.Adam, dict(lr=0.05, amsgrad=True)),
    "adamw": (optim.AdamW, dict(lr=0.05, weight_decay=0.1)),
    "adamax": (optim.Adamax, dict(lr=0.05)),
    "nadam": (optim.NAdam, dict(lr=0.05)),
    "radam": (optim.RAdam, dict(lr=1e-3)),
    "adadelta": (optim.Adadelta, dict(lr=1.0)),
}
res = {}
for name, (cls, kwargs) in configs.items():
    xy = torch.tensor([-1.5, 2.0], requires_grad=True)
    optimizer = cls([xy], **kwargs)
    scheduler = MultiStepLR(optimizer, milestones=[200, 350], gamma=0.5)
    path = []
    for step in range(400):
        optimizer.zero_grad()
        loss = rosenbrock(xy)
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % 50 == 0:
            path.append(xy.detach().clone().tolist())
    res[f"{name}_final"], res[f"{name}_loss"] = xy.tolist(), rosenbrock(xy).item()
    res[f"{name}_path"] = [coord for point in path for coord in point]
    print(f"{name:9s} -> ({xy[0].item():+.4f}, {xy[1].item():+.4f}) loss {rosenbrock(xy).item():.5f}")
    if name == "amsgrad":
        state = optimizer.state_dict()["state"][0]
        res["adam_steps"] = float(state["step"])
        res["adam_state_keys"] = sorted(state)
        res["final_lr"] = optimizer.param_groups[0]["lr"]
print("RESULT " + json.dumps(res))
