"""Linear warm-up then cosine decay via LambdaLR with math.cos (the transformer-tutorial
recipe): lr_lambda(step) returns a multiplier, scheduler.step() after every optimizer step,
the learning-rate trace read from scheduler.get_last_lr() and optimizer.param_groups, AdamW
with two parameter groups (no weight decay on biases), a regression MLP on NumPy data.

COMPARE: exact rtol=1e-3 atol=1e-7
"""
import json
import math

import numpy as np
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import LambdaLR

rng = np.random.default_rng(67)
X = torch.tensor(rng.uniform(-2, 2, (256, 2)), dtype=torch.float32)
y = (torch.sin(X[:, :1]) * X[:, 1:]).detach()

model = nn.Sequential(nn.Linear(2, 32), nn.GELU(), nn.Linear(32, 1))
with torch.no_grad():
    for m in model:
        if isinstance(m, nn.Linear):
            m.weight.copy_(torch.tensor(rng.normal(0, 0.5, tuple(m.weight.shape)), dtype=torch.float32))
            m.bias.zero_()

decay = [p for n, p in model.named_parameters() if not n.endswith("bias")]
no_decay = [p for n, p in model.named_parameters() if n.endswith("bias")]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                               {"params": no_decay, "weight_decay": 0.0}], lr=3e-3)
epochs, bs = 12, 32
total_steps = epochs * (len(X) // bs)
warmup_steps = total_steps // 10


def lr_lambda(step):
    if step < warmup_steps:
        return float(step + 1) / float(max(1, warmup_steps))
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


scheduler = LambdaLR(optimizer, lr_lambda)
lrs, losses = [], []
for epoch in range(epochs):
    for i in range(0, len(X), bs):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X[i:i + bs]), y[i:i + bs])
        loss.backward()
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    losses.append(loss.item())
    print(f"epoch {epoch} loss {loss.item():.4f} lr {optimizer.param_groups[0]['lr']:.2e}")

res = {"lrs": lrs[::8], "losses": losses, "final_lr": optimizer.param_groups[1]["lr"],
       "last_epoch": scheduler.last_epoch, "n_groups": len(optimizer.param_groups),
       "initial_lr": optimizer.param_groups[0]["initial_lr"]}
print("RESULT " + json.dumps(res))
