"""A small autoencoder on the digits (Sigmoid output, MSELoss, Adam with weight_decay), then
fine-tuning: the encoder frozen with `p.requires_grad = False`, a new classifier head, and an
optimizer with two parameter groups at different learning rates.

COMPARE: exact rtol=1e-3 atol=1e-5; acc abs=0.006
"""
import json

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 8))
        self.decoder = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 64), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
rng = np.random.default_rng(29)


def numpy_init(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.from_numpy(rng.normal(0, 0.2, p.shape).astype(np.float32)))


ae = AutoEncoder()
numpy_init(ae)
opt = torch.optim.Adam(ae.parameters(), lr=1e-2, weight_decay=1e-5)
for epoch in range(4):
    order = rng.permutation(len(X))
    for i in range(0, len(X), 128):
        batch = X[order[i:i + 128]]
        recon = ae(batch)
        loss = nn.MSELoss()(recon, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
recon_loss = loss.item()

for p in ae.encoder.parameters():
    p.requires_grad = False
head = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 10))
numpy_init(head)
clf = nn.Sequential(ae.encoder, head)
opt = torch.optim.SGD([{"params": head[0].parameters(), "lr": 0.05},
                       {"params": head[2].parameters()}], lr=0.1, momentum=0.9)
for epoch in range(20):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(clf(X[:1400]), y[:1400])
    loss.backward()
    opt.step()
with torch.no_grad():
    acc = (clf(X[1400:]).argmax(1) == y[1400:]).float().mean().item()
print("RESULT " + json.dumps({"recon_loss": recon_loss, "clf_loss": loss.item(), "acc": acc,
                              "frozen": sum(not p.requires_grad for p in clf.parameters()),
                              "lrs": [g["lr"] for g in opt.param_groups]}))
