"""Batch normalization in an MLP (nn.BatchNorm1d): train mode uses batch statistics and updates
running_mean/running_var, eval mode uses the running ones.

COMPARE: exact rtol=1e-3 atol=1e-5; val_acc abs=0.006
"""
import json

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

digits = load_digits()
X = torch.from_numpy(digits.data.astype(np.float32))      # unscaled 0..16 on purpose
y = torch.from_numpy(digits.target.astype(np.int64))
rng = np.random.default_rng(10)
perm = rng.permutation(len(X))
Xtr, ytr, Xva, yva = X[perm[:1400]], y[perm[:1400]], X[perm[1400:]], y[perm[1400:]]

net = nn.Sequential(
    nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(),
    nn.Linear(64, 32), nn.BatchNorm1d(32, momentum=0.2), nn.ReLU(),
    nn.Linear(32, 10),
)
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, nn.Linear):
            m.weight.copy_(torch.from_numpy(rng.normal(0, 0.1, m.weight.shape).astype(np.float32)))
            m.bias.zero_()

opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(5):
    net.train()
    order = rng.permutation(1400)
    for i in range(0, 1400, 100):
        idx = order[i:i + 100]
        opt.zero_grad()
        loss = loss_fn(net(Xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()

net.eval()
with torch.no_grad():
    logits = net(Xva)
    val_loss = loss_fn(logits, yva).item()
    val_acc = (logits.argmax(dim=1) == yva).float().mean().item()
bn = net[1]
print("RESULT " + json.dumps({
    "train_loss": loss.item(), "val_loss": val_loss, "val_acc": val_acc,
    "running_mean_sum": bn.running_mean.sum().item(),
    "running_var_sum": bn.running_var.sum().item(),
    "num_batches_tracked": int(bn.num_batches_tracked),
    "gamma_sum": bn.weight.sum().item(),
}))
