"""A custom nn.Module subclass with forward() on make_moons; BCEWithLogitsLoss; parameter count.

COMPARE: exact rtol=1e-3 atol=1e-5; acc abs=0.005
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons


class MoonNet(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.fc1 = nn.Linear(2, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return self.out(x).squeeze(-1)


Xn, yn = make_moons(n_samples=600, noise=0.2, random_state=0)
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32)

model = MoonNet()
rng = np.random.default_rng(4)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.normal(0, 0.5, tuple(p.shape)).astype(np.float32)))

n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for step in range(300):
    opt.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    opt.step()
    if step % 100 == 0:
        print(step, loss.item())

with torch.no_grad():
    probs = torch.sigmoid(model(X))
    acc = ((probs > 0.5).float() == y).float().mean().item()
print("RESULT " + json.dumps({"loss": loss.item(), "acc": acc, "n_params": n_params}))
