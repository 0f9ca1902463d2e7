"""ReduceLROnPlateau driven by the validation loss (mode='min', factor=0.5, patience=2,
threshold=1e-3, min_lr=1e-4): scheduler.step(val_loss) once per epoch, the learning rate read
back from optimizer.param_groups[0]['lr'] and scheduler.get_last_lr().

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import ReduceLROnPlateau

rng = np.random.default_rng(35)
x = rng.uniform(-3, 3, size=(600, 1))
y = np.sin(x) + 0.3 * rng.normal(size=x.shape)
X_train = torch.tensor(x[:400], dtype=torch.float32)
y_train = torch.tensor(y[:400], dtype=torch.float32)
X_val = torch.tensor(x[400:], dtype=torch.float32)
y_val = torch.tensor(y[400:], dtype=torch.float32)

model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
with torch.no_grad():
    for layer in model:
        if isinstance(layer, nn.Linear):
            layer.weight.copy_(torch.tensor(rng.normal(0, 1 / np.sqrt(layer.in_features),
                                                       (layer.out_features, layer.in_features))))
            layer.bias.copy_(torch.tensor(rng.normal(0, 0.1, layer.out_features)))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2, threshold=1e-3,
                              min_lr=1e-4)
loss_fn = nn.MSELoss()

lrs, val_losses = [], []
for epoch in range(30):
    model.train()
    order = torch.from_numpy(rng.permutation(400))
    for i in range(0, 400, 40):
        idx = order[i:i + 40]
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = loss_fn(model(X_val), y_val).item()
    scheduler.step(val_loss)
    lrs.append(optimizer.param_groups[0]["lr"])
    val_losses.append(val_loss)
    print(f"epoch {epoch:2d}: val loss {val_loss:.4f}  lr {lrs[-1]:.5f}")

print("RESULT " + json.dumps({"lrs": lrs, "last_lr": scheduler.get_last_lr(),
                              "val_losses": val_losses, "best": min(val_losses),
                              "n_reductions": sum(a > b for a, b in zip(lrs, lrs[1:]))}))
