"""A learning-rate range test written by hand (the "LR finder" of fast.ai blog posts): the lr
grows exponentially from 1e-5 to 1 over 60 mini-batches, set each step through
``for g in optimizer.param_groups: g["lr"] = lr``; an exponentially smoothed, bias-corrected
loss is recorded, the run stops when it exceeds 4x the best, and the suggested lr is the one
with the steepest descent (np.gradient of the smoothed loss).  The model and optimizer states
are saved before and restored after with copy.deepcopy of state_dict(), then training at the
suggested lr.  Weights from a NumPy RNG.

COMPARE: exact rtol=1e-3 atol=1e-5; suggested_lr rel=0.5; final_acc abs=0.01
"""
import copy
import json
import math

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32) / 16.0
y = torch.tensor(digits.target)
batches = [(X[i:i + 32], y[i:i + 32]) for i in range(0, 1500, 32)]

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
rng = np.random.default_rng(48)
for p in model.parameters():
    p.data.copy_(torch.tensor(rng.normal(0, 0.1, size=tuple(p.shape))))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-5, momentum=0.9)

saved_model = copy.deepcopy(model.state_dict())
saved_opt = copy.deepcopy(optimizer.state_dict())

start_lr, end_lr, num_iter, beta = 1e-5, 1.0, 60, 0.98
mult = (end_lr / start_lr) ** (1 / (num_iter - 1))
lr, avg_loss, best_loss = start_lr, 0.0, math.inf
lrs, smoothed = [], []
for it in range(num_iter):
    xb, yb = batches[it % len(batches)]
    for g in optimizer.param_groups:
        g["lr"] = lr
    optimizer.zero_grad()
    loss = criterion(model(xb), yb)
    avg_loss = beta * avg_loss + (1 - beta) * loss.item()
    smooth = avg_loss / (1 - beta ** (it + 1))
    if it > 0 and smooth > 4 * best_loss:
        print(f"stopping at lr {lr:.2e}")
        break
    best_loss = min(best_loss, smooth)
    lrs.append(lr)
    smoothed.append(smooth)
    loss.backward()
    optimizer.step()
    lr *= mult

grads = np.gradient(np.array(smoothed), np.log10(np.array(lrs)))
suggested = lrs[int(np.argmin(grads[5:])) + 5]
print(f"suggested lr {suggested:.3e}")

model.load_state_dict(saved_model)
optimizer.load_state_dict(saved_opt)
restored = all(torch.equal(v, saved_model[k]) for k, v in model.state_dict().items())
for g in optimizer.param_groups:
    g["lr"] = suggested
for epoch in range(3):
    for xb, yb in batches:
        optimizer.zero_grad()
        criterion(model(xb), yb).backward()
        optimizer.step()
with torch.no_grad():
    final_acc = (model(X[1500:]).argmax(1) == y[1500:]).float().mean().item()

print("RESULT " + json.dumps({"n_steps": len(lrs), "lrs": lrs, "smoothed": smoothed,
                              "suggested_lr": suggested, "restored": restored,
                              "opt_lr_after": optimizer.param_groups[0]["lr"] == suggested,
                              "final_acc": final_acc}))
