"""Early stopping on validation loss: keep copy.deepcopy(model.state_dict()) of the best epoch,
stop after `patience` epochs without improvement, restore with load_state_dict.

COMPARE: exact rtol=1e-3 atol=1e-5
"""
import copy
import json

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons

Xn, yn = make_moons(n_samples=300, noise=0.3, random_state=2)
rng = np.random.default_rng(18)
perm = rng.permutation(300)
X = torch.tensor(Xn[perm], dtype=torch.float32)
y = torch.tensor(yn[perm], dtype=torch.long)
X_train, y_train, X_val, y_val = X[:60], y[:60], X[60:], y[60:]

model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.normal(0, 0.3, p.shape).astype(np.float32)))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()

best_loss, best_epoch, best_state = float("inf"), -1, None
patience, bad_epochs = 10, 0
for epoch in range(300):
    model.train()
    optimizer.zero_grad()
    loss = criterion(model(X_train), y_train)
    loss.backward()
    optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(X_val), y_val).item()
    if val_loss < best_loss:
        best_loss, best_epoch = val_loss, epoch
        best_state = copy.deepcopy(model.state_dict())
        bad_epochs = 0
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stop at epoch {epoch}, best {best_epoch}")
            break

last_val = val_loss
model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    restored = criterion(model(X_val), y_val).item()
    acc = (model(X_val).argmax(dim=1) == y_val).float().mean().item()
print("RESULT " + json.dumps({"best_epoch": best_epoch, "stopped_epoch": epoch, "best_loss": best_loss,
                              "last_val_loss": last_val, "restored_val_loss": restored,
                              "val_acc": acc}))
