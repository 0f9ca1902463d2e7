"""Forecasting a 1-D time series with an MLP on sliding windows: windows built with
Tensor.unfold(0, size, 1) (checked against a torch.stack of shifted slices), a chronological
split, MSE training with Adam, then a 30-step recursive forecast that appends each prediction
with torch.cat.

COMPARE: exact rtol=1e-3 atol=1e-5
"""
import json

import numpy as np
import torch
from torch import nn

T = 600
t = torch.arange(T, dtype=torch.float32)
rng = np.random.default_rng(40)
series = torch.sin(0.06 * t) + 0.5 * torch.sin(0.017 * t) + 0.002 * t \
    + torch.from_numpy(rng.normal(0, 0.05, T).astype(np.float32))
tau = 16

windows = series.unfold(0, tau + 1, 1)                       # (T - tau, tau + 1)
stacked = torch.stack([series[i:T - tau + i] for i in range(tau + 1)], dim=1)
features, labels = windows[:, :-1], windows[:, -1:]
n_train = 450
X_train, y_train = features[:n_train], labels[:n_train]
X_test, y_test = features[n_train:], labels[n_train:]

net = nn.Sequential(nn.Linear(tau, 32), nn.ReLU(), nn.Linear(32, 1))
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.from_numpy(rng.normal(0, 0.15, p.shape).astype(np.float32)))
loss = nn.MSELoss()
trainer = torch.optim.Adam(net.parameters(), lr=0.005)
for epoch in range(40):
    idx = torch.from_numpy(rng.permutation(n_train))
    for i in range(0, n_train, 32):
        b = idx[i:i + 32]
        trainer.zero_grad()
        l = loss(net(X_train[b]), y_train[b])
        l.backward()
        trainer.step()
    if epoch % 10 == 0:
        with torch.no_grad():
            print(f"epoch {epoch}: train loss {loss(net(X_train), y_train).item():.5f}")

with torch.no_grad():
    one_step = loss(net(X_test), y_test).item()
    history = series[n_train:n_train + tau].clone()
    preds = []
    for _ in range(30):
        nxt = net(history[-tau:].unsqueeze(0)).squeeze()
        preds.append(nxt.item())
        history = torch.cat([history, nxt.reshape(1)])
    target = series[n_train + tau:n_train + tau + 30]
    multi_step = ((torch.tensor(preds) - target) ** 2).mean().item()
print("RESULT " + json.dumps({"windows_shape": list(windows.shape),
                              "unfold_equals_stack": torch.equal(windows, stacked),
                              "one_step_mse": one_step, "multi_step_mse": multi_step,
                              "first_preds": preds[:3]}))
