"""GRU one-step-ahead forecasting of a noisy two-tone signal, with gradient-norm clipping.

Course-notebook exercise: sliding windows from a synthetic series, a GRU + linear head
initialised from a NumPy RNG, full-batch-in-chunks training (fixed order) with
clip_grad_norm_, and a comparison of teacher-forced one-step error with a free-running
multi-step rollout against a naive "repeat last value" baseline.
Measured (float32 vs float64 vs one-ulp-perturbed draws): largest relative difference 1.8e-6
(20-step rollout MSE), largest absolute 1.2e-6 (5th rollout value); clipped-step count identical.
COMPARE: exact rtol=5e-6 atol=3e-7; clipped_steps abs=1
"""
import json
import numpy as np
import torch
import torch.nn as nn

DTYPE = torch.float32
rng = np.random.default_rng(184)

T = 600
t = np.arange(T)
series = np.sin(2 * np.pi * t / 40) + 0.5 * np.sin(2 * np.pi * t / 13) + 0.1 * rng.standard_normal(T)
WIN = 24
Xw = np.stack([series[i:i + WIN] for i in range(T - WIN)])
Yw = series[WIN:]
split = 450
X_tr = torch.tensor(Xw[:split, :, None], dtype=DTYPE)
y_tr = torch.tensor(Yw[:split, None], dtype=DTYPE)
X_te = torch.tensor(Xw[split:, :, None], dtype=DTYPE)
y_te = torch.tensor(Yw[split:, None], dtype=DTYPE)


class Forecaster(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, h=None):
        out, h = self.gru(x, h)
        return self.head(out[:, -1]), h


model = Forecaster()
with torch.no_grad():
    for name, p in model.named_parameters():
        bound = 1 / np.sqrt(24)
        p.copy_(torch.from_numpy(rng.uniform(-bound, bound, p.shape)))
model = model.to(DTYPE)

opt = torch.optim.Adam(model.parameters(), lr=5e-3)
loss_fn = nn.MSELoss()
BS = 50
clipped_steps, pre_clip_norms = 0, []
for epoch in range(25):
    for i in range(0, split, BS):
        opt.zero_grad()
        pred, _ = model(X_tr[i:i + BS])
        loss = loss_fn(pred, y_tr[i:i + BS])
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        pre_clip_norms.append(norm.item())
        clipped_steps += int(norm.item() > 1.0)
        opt.step()
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d} last batch loss {loss.item():.5f} grad norm {norm.item():.4f}")

model.eval()
with torch.no_grad():
    train_mse = loss_fn(model(X_tr)[0], y_tr).item()
    test_mse = loss_fn(model(X_te)[0], y_te).item()
    naive_mse = loss_fn(X_te[:, -1], y_te).item()
    # free-running rollout: feed predictions back in for 20 steps
    window = X_te[:1].clone()
    rollout = []
    for k in range(20):
        nxt, _ = model(window)
        rollout.append(nxt.item())
        window = torch.cat([window[:, 1:], nxt.view(1, 1, 1)], dim=1)
    rollout_mse = float(np.mean((np.array(rollout) - Yw[split:split + 20]) ** 2))

print(f"train MSE {train_mse:.5f} test MSE {test_mse:.5f} naive {naive_mse:.5f} rollout(20) {rollout_mse:.5f}")
print(f"clipped {clipped_steps}/{len(pre_clip_norms)} steps, max pre-clip norm {max(pre_clip_norms):.3f}")
result = {"train_mse": train_mse, "test_mse": test_mse, "naive_mse": naive_mse, "rollout_mse": rollout_mse,
          "clipped_steps": clipped_steps, "first_norm": pre_clip_norms[0], "max_norm": max(pre_clip_norms),
          "rollout_first5": rollout[:5]}
print("RESULT " + json.dumps(result))
