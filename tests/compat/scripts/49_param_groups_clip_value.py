"""Per-parameter-group learning rates, backbone vs head: optim.Adam([{"params": backbone,
"lr": 1e-4}, {"params": head}], lr=1e-3, weight_decay=...), a warm-up that edits
``optimizer.param_groups[i]["lr"]`` by hand each epoch, unfreezing the backbone by raising its
group's lr later, optimizer.add_param_group for a new layer, and gradient clipping by value with
torch.nn.utils.clip_grad_value_ (checked: no gradient entry exceeds the clip).  Weights from a
NumPy RNG, fixed batches.

COMPARE: exact rtol=1e-3 atol=1e-5; acc abs=0.006
"""
import json

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 32), nn.ReLU())
        self.head = nn.Linear(32, 10)
        self.extra = None

    def forward(self, x):
        h = self.backbone(x)
        if self.extra is not None:
            h = h + torch.relu(self.extra(h))
        return self.head(h)


data = load_digits()
X = torch.tensor(data.data / 16.0, dtype=torch.float32)
y = torch.tensor(data.target)
Xtr, ytr, Xte, yte = X[:1400], y[:1400], X[1400:], y[1400:]

torch.manual_seed(0)
model = Net()
rng = np.random.default_rng(49)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.normal(0, 0.15, p.shape).astype("float32")))

optimizer = torch.optim.Adam([
    {"params": model.backbone.parameters(), "lr": 1e-4},
    {"params": model.head.parameters()},
], lr=1e-3, weight_decay=1e-4)
base_lrs = [g["lr"] for g in optimizer.param_groups]
criterion = nn.CrossEntropyLoss()
clip = 0.05

lr_log, max_grads, losses = [], [], []
for epoch in range(8):
    warm = min(1.0, (epoch + 1) / 3)
    for g, base in zip(optimizer.param_groups, base_lrs):
        g["lr"] = base * warm
    if epoch == 4:
        optimizer.param_groups[0]["lr"] = 1e-3
        base_lrs[0] = 1e-3
        model.extra = nn.Linear(32, 32)
        with torch.no_grad():
            model.extra.weight.copy_(torch.from_numpy(rng.normal(0, 0.05, (32, 32)).astype("float32")))
            model.extra.bias.zero_()
        optimizer.add_param_group({"params": model.extra.parameters(), "lr": 5e-4})
        base_lrs.append(5e-4)
    lr_log.append([g["lr"] for g in optimizer.param_groups])
    total = 0.0
    for i in range(0, len(Xtr), 100):
        optimizer.zero_grad()
        loss = criterion(model(Xtr[i:i + 100]), ytr[i:i + 100])
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), clip_value=clip)
        max_grads.append(max(p.grad.abs().max().item() for p in model.parameters() if p.grad is not None))
        optimizer.step()
        total += loss.item()
    losses.append(total / 14)
    print(f"epoch {epoch}: loss {losses[-1]:.4f} lrs {lr_log[-1]}")

with torch.no_grad():
    acc = (model(Xte).argmax(dim=1) == yte).float().mean().item()
print("RESULT " + json.dumps({"lr_log": lr_log, "losses": losses, "n_groups": len(optimizer.param_groups),
                              "clipped_ok": max(max_grads) <= clip + 1e-6, "acc": acc}))
