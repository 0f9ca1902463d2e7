"""Dying ReLUs (the "my network outputs a constant" question): an MLP trained with too large a
learning rate, the share of hidden units that never fire on the data counted through
register_forward_hook ((out > 0).sum(dim=0) == 0), the hook removed with handle.remove(); the
same run with nn.LeakyReLU(0.01), and a lower learning rate, for comparison.
Exact: NumPy weights, fixed batches; torch float64 rerun (measured) gives the same dead
counts and losses within 1e-6 relative, so rtol=1e-4 (dead counts abs=1).

COMPARE: exact rtol=1e-4 atol=1e-6; dead_relu_lr_high abs=1; dead_relu_lr_low abs=1; dead_leaky_lr_high abs=1
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(106)
Xn = rng.normal(size=(256, 10))
yn = np.sin(Xn[:, :1]) + Xn[:, 1:2] ** 2
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32)
W1, W2 = rng.normal(0, 0.4, (64, 10)), rng.normal(0, 0.2, (1, 64))

res = {}
for name, act, lr in [("relu_lr_high", nn.ReLU, 0.5), ("leaky_lr_high", lambda: nn.LeakyReLU(0.01), 0.5),
                      ("relu_lr_low", nn.ReLU, 0.02)]:
    model = nn.Sequential(nn.Linear(10, 64), act(), nn.Linear(64, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(W1, dtype=torch.float32))
        model[0].bias.fill_(0.1)
        model[2].weight.copy_(torch.tensor(W2, dtype=torch.float32))
        model[2].bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(5):
        for i in range(0, 256, 32):
            opt.zero_grad()
            loss = nn.MSELoss()(model(X[i:i + 32]), y[i:i + 32])
            loss.backward()
            opt.step()
    fired = {}

    def hook(module, inputs, output):
        fired["count"] = (output > 0).sum(dim=0)

    handle = model[1].register_forward_hook(hook)
    with torch.no_grad():
        full_loss = nn.MSELoss()(model(X), y).item()
    handle.remove()
    dead = int((fired["count"] == 0).sum())
    key = name
    res["dead_" + key] = dead
    res["loss_" + key] = full_loss
    res["hooks_left_" + key] = len(model[1]._forward_hooks)
    print(f"{name}: dead units {dead}/64, loss {full_loss:.4f}")
print("RESULT " + json.dumps(res))
