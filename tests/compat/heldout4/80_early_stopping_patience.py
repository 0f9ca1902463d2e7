"""Early stopping written by hand (the Stack Overflow answer everyone copies): a patience
counter, best_loss = float("inf"), best_model_wts = copy.deepcopy(model.state_dict()) on
every improvement by more than min_delta, break when the counter reaches patience, then
model.load_state_dict(best_model_wts) and a final check that the restored model reproduces
the best validation loss.  An over-parameterised MLP on a noisy 1-D regression so that the
validation loss turns up.  Weights from NumPy, fixed batches: exact.  Torch float64 rerun
(measured): same stopping and best epoch, losses within 9.5e-4 relative (100+ Adam epochs
on ReLU features drift), so rtol=3e-3.

COMPARE: exact rtol=3e-3 atol=1e-6
"""
import copy
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(80)
x = rng.uniform(-3, 3, (60, 1))
y = np.sin(x) + 0.3 * rng.normal(size=x.shape)
xv = rng.uniform(-3, 3, (200, 1))
yv = np.sin(xv) + 0.3 * rng.normal(size=xv.shape)
X_train, y_train = torch.Tensor(x), torch.Tensor(y)
X_val, y_val = torch.Tensor(xv), torch.Tensor(yv)

model = nn.Sequential(nn.Linear(1, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
for m in model.modules():
    if isinstance(m, nn.Linear):
        fan_in = m.weight.shape[1]
        m.weight.data = torch.Tensor(rng.normal(0, np.sqrt(2.0 / fan_in), tuple(m.weight.shape)))
        m.bias.data.fill_(0.0)

optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.MSELoss()
patience, min_delta = 15, 1e-4
best_loss, best_epoch, counter = float("inf"), -1, 0
best_model_wts = copy.deepcopy(model.state_dict())
history = []
for epoch in range(400):
    model.train()
    for i in range(0, 60, 20):
        optimizer.zero_grad()
        loss = criterion(model(X_train[i:i + 20]), y_train[i:i + 20])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(X_val), y_val).item()
    history.append(val_loss)
    if val_loss < best_loss - min_delta:
        best_loss, best_epoch, counter = val_loss, epoch, 0
        best_model_wts = copy.deepcopy(model.state_dict())
    else:
        counter += 1
        if counter >= patience:
            print(f"Early stopping at epoch {epoch}, best epoch {best_epoch}")
            break

stopped_at = epoch
last_val = val_loss
model.load_state_dict(best_model_wts)
with torch.no_grad():
    restored = criterion(model(X_val), y_val).item()
print(f"best {best_loss:.5f} restored {restored:.5f} last {last_val:.5f}")
res = {"stopped_at": stopped_at, "best_epoch": best_epoch, "best_loss": best_loss,
       "restored": restored, "last_val": last_val, "history": history[::10],
       "restored_equals_best": abs(restored - best_loss) < 1e-6}
print("RESULT " + json.dumps(res))
