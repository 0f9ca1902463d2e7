"""Batch size vs time per epoch vs final loss (the d2l "Minibatch SGD" experiment): the same
MLP regression trained for 5 epochs with batch sizes 1, 8, 32, 128 via DataLoader(
TensorDataset, batch_size=bs, shuffle=False), lr scaled with sqrt(bs), time.perf_counter()
per epoch (printed only, never compared), the final training loss and the number of
optimizer steps.  Exact: NumPy weights, fixed batch order; torch float64 rerun (measured)
moves the losses by <= 2e-7 relative (batch size 1 included).

COMPARE: exact rtol=1e-3 atol=1e-6
"""
import json
import math
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(87)
X = rng.normal(size=(256, 8)).astype(np.float32)
y = (np.tanh(X @ rng.normal(size=(8, 1))) + 0.1 * rng.normal(size=(256, 1))).astype(np.float32)
dataset = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
W = [rng.normal(0, 0.35, (32, 8)).astype(np.float32), rng.normal(0, 0.18, (1, 32)).astype(np.float32)]

res = {}
for bs in [1, 8, 32, 128]:
    net = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    net[0].weight.data = torch.from_numpy(W[0].copy())
    net[2].weight.data = torch.from_numpy(W[1].copy())
    net[0].bias.data.zero_()
    net[2].bias.data.zero_()
    loader = DataLoader(dataset, batch_size=bs, shuffle=False)
    trainer = torch.optim.SGD(net.parameters(), lr=0.005 * math.sqrt(bs))
    loss = nn.MSELoss()
    steps, times = 0, []
    for epoch in range(5):
        t0 = time.perf_counter()
        for Xb, yb in loader:
            l = loss(net(Xb), yb)
            trainer.zero_grad()
            l.backward()
            trainer.step()
            steps += 1
        times.append(time.perf_counter() - t0)
    with torch.no_grad():
        final = loss(net(dataset.tensors[0]), dataset.tensors[1]).item()
    res[f"loss_bs{bs}"] = final
    res[f"steps_bs{bs}"] = steps
    print(f"batch size {bs:4d}: {sum(times) / len(times):.4f} s/epoch, {steps} steps, loss {final:.5f}")
print("RESULT " + json.dumps(res))
