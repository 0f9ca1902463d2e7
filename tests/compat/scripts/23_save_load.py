"""Saving and loading (PyTorch tutorial style): torch.save(model.state_dict(), PATH) into a
temporary directory, load_state_dict(torch.load(PATH)) into a fresh model, a checkpoint dict
with the optimizer state, resume training and check it continues identically.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

rng = np.random.default_rng(23)
X = torch.from_numpy(rng.normal(0, 1, (128, 6)).astype(np.float32))
y = torch.from_numpy(rng.integers(0, 3, 128))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(6, 16)
        self.bn = nn.BatchNorm1d(16)
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        return self.out(torch.relu(self.bn(self.hidden(x))))


def fresh():
    m = Classifier()
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.from_numpy(rng.normal(0, 0.3, p.shape).astype(np.float32)))
    return m


def train_steps(model, optimizer, n):
    model.train()
    for _ in range(n):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
    return loss.item()


model = fresh()
optimizer = optim.Adam(model.parameters(), lr=0.01)
train_steps(model, optimizer, 20)

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "model.pth")
    torch.save(model.state_dict(), path)
    ckpt_path = os.path.join(tmp, "checkpoint.pt")
    torch.save({"epoch": 20, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(), "loss": 0.5}, ckpt_path)

    model2 = Classifier()
    model2.load_state_dict(torch.load(path))
    model2.eval()
    model.eval()
    with torch.no_grad():
        same_eval = float(torch.allclose(model(X), model2(X)))
    keys = list(model2.state_dict().keys())

    checkpoint = torch.load(ckpt_path)
    model3 = Classifier()
    opt3 = optim.Adam(model3.parameters(), lr=0.01)
    model3.load_state_dict(checkpoint["model_state_dict"])
    opt3.load_state_dict(checkpoint["optimizer_state_dict"])
    epoch = checkpoint["epoch"]

loss_continued = train_steps(model, optimizer, 10)
loss_resumed = train_steps(model3, opt3, 10)
print(keys)
print("RESULT " + json.dumps({"same_eval": same_eval, "n_keys": len(keys),
                              "has_running_mean": float("bn.running_mean" in keys),
                              "epoch": epoch, "loss_continued": loss_continued,
                              "loss_resumed": loss_resumed}))
