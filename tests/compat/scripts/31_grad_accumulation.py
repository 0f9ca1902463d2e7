"""Gradient accumulation over micro-batches: the loss of each of 4 micro-batches divided by
accum_steps, backward() accumulating into .grad, one optimizer.step() per 4 micro-batches,
zero_grad(set_to_none=True).  First checks that the accumulated gradient equals the
full-batch gradient, then trains with it (SGD momentum, weight decay).

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, TensorDataset

X_np, y_np = make_classification(n_samples=512, n_features=10, n_informative=6, n_classes=3,
                                 random_state=31)
X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np)
loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=False)

rng = np.random.default_rng(31)
model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 3))
for p in model.parameters():
    p.data = torch.from_numpy(rng.uniform(-0.3, 0.3, p.shape).astype(np.float32))
loss_fn = nn.CrossEntropyLoss()
accum_steps = 4

# the accumulated gradient of 4 micro-batches equals the gradient of their 64-sample batch
model.zero_grad()
for i, (xb, yb) in enumerate(loader):
    if i == accum_steps:
        break
    (loss_fn(model(xb), yb) / accum_steps).backward()
accumulated = [p.grad.clone() for p in model.parameters()]
model.zero_grad()
loss_fn(model(X[:64]), y[:64]).backward()
max_grad_diff = max((a - p.grad).abs().max().item() for a, p in zip(accumulated, model.parameters()))

optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
optimizer.zero_grad(set_to_none=True)
steps = 0
history = []
for epoch in range(6):
    epoch_loss = 0.0
    for i, (xb, yb) in enumerate(loader):
        loss = loss_fn(model(xb), yb) / accum_steps
        loss.backward()
        epoch_loss += loss.item() * accum_steps * len(yb)
        if (i + 1) % accum_steps == 0 or (i + 1) == len(loader):
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            steps += 1
    history.append(epoch_loss / len(X))
    print(f"epoch {epoch}: loss {history[-1]:.4f}")

grads_none = all(p.grad is None for p in model.parameters())
with torch.no_grad():
    acc = (model(X).argmax(dim=-1) == y).float().mean().item()
print("RESULT " + json.dumps({"max_grad_diff_small": max_grad_diff < 1e-6, "steps": steps,
                              "grads_none": grads_none, "history": history, "acc": acc}))
