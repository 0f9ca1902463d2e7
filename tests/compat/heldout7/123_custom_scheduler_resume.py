"""Linear warmup + cosine decay written as a subclass of torch.optim.lr_scheduler.LRScheduler
(get_lr from self.last_epoch and self.base_lrs, as in the "write your own scheduler" blog
post), checked against the same curve from LambdaLR and from a loop that sets
param_group["lr"] by hand; then a training run with AdamW + the custom scheduler stopped at
step 90, checkpointed ({"model", "optimizer", "scheduler", "step"} in one torch.save file in a
temp dir), rebuilt from scratch, resumed, and compared with an uninterrupted run.
Exact: NumPy data and weights, fixed batches; torch float64 rerun (measured): the lr curves
(Python floats) agree to 2e-18, the losses and weights to 1e-6 relative; the resume gap is
exactly 0 in both; so rtol=1e-4 atol=1e-6, train_acc one sample of 320.

COMPARE: exact rtol=1e-4 atol=1e-6; train_acc abs=0.004
"""
import json
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import LambdaLR, LRScheduler

WARMUP, TOTAL = 20, 200


class WarmupCosine(LRScheduler):
    def __init__(self, optimizer, warmup, total, min_lr=1e-5, last_epoch=-1):
        self.warmup, self.total, self.min_lr = warmup, total, min_lr
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        step = self.last_epoch
        if step < self.warmup:
            return [base * (step + 1) / self.warmup for base in self.base_lrs]
        progress = (step - self.warmup) / max(1, self.total - self.warmup)
        cos = 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
        return [self.min_lr + (base - self.min_lr) * cos for base in self.base_lrs]


def lr_lambda(step, base=0.01, min_lr=1e-5):
    if step < WARMUP:
        return (step + 1) / WARMUP
    progress = (step - WARMUP) / (TOTAL - WARMUP)
    return (min_lr + (base - min_lr) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))) / base


dummy = [nn.Parameter(torch.zeros(1))]
curves = {"custom": [], "lambda": [], "manual": []}
opt_a = torch.optim.SGD(dummy, lr=0.01)
opt_b = torch.optim.SGD(dummy, lr=0.01)
opt_c = torch.optim.SGD(dummy, lr=0.01)
sched_a, sched_b = WarmupCosine(opt_a, WARMUP, TOTAL), LambdaLR(opt_b, lr_lambda)
for step in range(TOTAL):
    for g in opt_c.param_groups:
        g["lr"] = 0.01 * lr_lambda(step)
    curves["custom"].append(opt_a.param_groups[0]["lr"])
    curves["lambda"].append(sched_b.get_last_lr()[0])
    curves["manual"].append(opt_c.param_groups[0]["lr"])
    opt_a.step(), opt_b.step(), opt_c.step()
    sched_a.step(), sched_b.step()
res = {"lr_custom_every20": curves["custom"][::20], "lr_peak": max(curves["custom"]),
       "lr_last": curves["custom"][-1],
       "max_diff_custom_lambda": max(abs(a - b) for a, b in zip(curves["custom"], curves["lambda"])),
       "max_diff_custom_manual": max(abs(a - b) for a, b in zip(curves["custom"], curves["manual"]))}
print("lr at 0, 19, 20, 110, 199:", [round(curves["custom"][i], 6) for i in (0, 19, 20, 110, 199)])

rng = np.random.default_rng(123)
Xn = rng.normal(size=(320, 10))
true_w = rng.normal(size=(10, 4))
yn = np.argmax(Xn @ true_w + 0.5 * rng.normal(size=(320, 4)), axis=1)
X, y = torch.tensor(Xn, dtype=torch.float32), torch.tensor(yn)
W0 = {"0.weight": rng.normal(0, 0.3, (32, 10)), "0.bias": np.zeros(32),
      "2.weight": rng.normal(0, 0.3, (4, 32)), "2.bias": np.zeros(4)}


def build():
    model = nn.Sequential(nn.Linear(10, 32), nn.GELU(), nn.Linear(32, 4))
    model.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in W0.items()})
    opt = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.05)
    return model, opt, WarmupCosine(opt, WARMUP, TOTAL)


def train(model, opt, sched, start, stop):
    losses = []
    for step in range(start, stop):
        i = (step * 32) % 320
        loss = nn.functional.cross_entropy(model(X[i:i + 32]), y[i:i + 32])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    return losses


model, opt, sched = build()
full_losses = train(model, opt, sched, 0, TOTAL)
w_full = torch.cat([p.detach().flatten() for p in model.parameters()])

model, opt, sched = build()
first = train(model, opt, sched, 0, 90)
with tempfile.TemporaryDirectory() as tmp:
    ckpt = os.path.join(tmp, "ckpt.pth")
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(), "step": 90}, ckpt)
    del model, opt, sched
    model, opt, sched = build()
    state = torch.load(ckpt)
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["optimizer"])
    sched.load_state_dict(state["scheduler"])
    start = state["step"]
print("resumed at step", start, "lr", sched.get_last_lr())
second = train(model, opt, sched, start, TOTAL)
w_resumed = torch.cat([p.detach().flatten() for p in model.parameters()])
with torch.no_grad():
    acc = (model(X).argmax(1) == y).float().mean().item()
res.update({
    "loss_every25": full_losses[::25], "final_loss": full_losses[-1],
    "resume_loss_gap": max(abs(a - b) for a, b in zip(full_losses, first + second)),
    "resume_weight_gap": (w_full - w_resumed).abs().max().item(),
    "resumed_lr": sched.get_last_lr()[0], "train_acc": acc,
    "weights_sample": w_resumed[:8].tolist(),
})
print("final loss", full_losses[-1], "resume gap", res["resume_weight_gap"], "acc", acc)
print("RESULT " + json.dumps(res))
