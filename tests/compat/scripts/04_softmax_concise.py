"""Concise softmax regression (d2l 4.5 style): nn.Flatten + nn.Linear, CrossEntropyLoss, SGD.

COMPARE: exact rtol=1e-4 atol=1e-6; test_acc abs=0.006
"""
import json

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32)   # (N, 8, 8)
targets = torch.tensor(digits.target, dtype=torch.long)
rng = np.random.default_rng(2)
perm = torch.from_numpy(rng.permutation(len(images)))
train_idx, test_idx = perm[:1400], perm[1400:]

net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))


def init_weights(m):
    if type(m) == nn.Linear:
        with torch.no_grad():
            m.weight.copy_(torch.from_numpy(rng.normal(0, 0.01, m.weight.shape).astype(np.float32)))
            m.bias.zero_()


net.apply(init_weights)
loss = nn.CrossEntropyLoss(reduction="none")
trainer = torch.optim.SGD(net.parameters(), lr=0.1)

for epoch in range(10):
    net.train()
    order = train_idx[torch.from_numpy(rng.permutation(len(train_idx)))]
    metric = [0.0, 0]
    for i in range(0, len(order), 32):
        X, y = images[order[i:i + 32]], targets[order[i:i + 32]]
        l = loss(net(X), y)
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
        metric[0] += float(l.sum())
        metric[1] += y.numel()
    print(f"epoch {epoch + 1}: train loss {metric[0] / metric[1]:.4f}")

net.eval()
with torch.no_grad():
    pred = net(images[test_idx]).argmax(dim=1)
    test_acc = (pred == targets[test_idx]).float().mean().item()
print("RESULT " + json.dumps({"train_loss": metric[0] / metric[1], "test_acc": test_acc}))
