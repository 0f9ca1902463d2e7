"""A residual MLP built from an nn.ModuleList of pre-norm blocks (nn.LayerNorm, nn.GELU,
dropout 0), a per-block learnable scale in an nn.ParameterList, one Linear layer shared by two
positions (weight sharing: used twice in forward, its gradient the sum of both uses), and a
tied input/output projection with F.linear(h, self.embed.weight.t()); named_children() and
parameter counting show each shared parameter once.

COMPARE: exact rtol=1e-3 atol=1e-5; acc abs=0.006
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, 2 * dim)
        self.fc2 = nn.Linear(2 * dim, dim)
        self.drop = nn.Dropout(0.0)

    def forward(self, x):
        return self.fc2(self.drop(F.gelu(self.fc1(self.norm(x)))))


class ResMLP(nn.Module):
    def __init__(self, in_dim=64, dim=32, depth=3, classes=10):
        super().__init__()
        self.embed = nn.Linear(in_dim, dim, bias=False)
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])
        self.scales = nn.ParameterList([nn.Parameter(torch.full((dim,), 0.5)) for _ in range(depth)])
        self.shared = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        h = self.embed(x)
        for block, scale in zip(self.blocks, self.scales):
            h = h + scale * block(h)
        h = torch.tanh(self.shared(torch.tanh(self.shared(h))))      # the same layer twice
        recon = F.linear(h, self.embed.weight.t())                     # tied decoder (dim -> in_dim)
        return self.head(h), recon


digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
rng = np.random.default_rng(44)
idx = torch.from_numpy(rng.permutation(len(X)))
train_idx, test_idx = idx[:1400], idx[1400:]

model = ResMLP()
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith("weight") and p.dim() == 2:
            p.copy_(torch.from_numpy(rng.normal(0, 1 / np.sqrt(p.shape[1]), tuple(p.shape)).astype(np.float32)))
        elif name.endswith("bias"):
            p.zero_()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for epoch in range(6):
    model.train()
    order = train_idx[torch.from_numpy(rng.permutation(1400))]
    for i in range(0, 1400, 50):
        b = order[i:i + 50]
        logits, recon = model(X[b])
        loss = F.cross_entropy(logits, y[b]) + 0.1 * F.mse_loss(recon, X[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    logits, recon = model(X[test_idx])
    acc = (logits.argmax(-1) == y[test_idx]).float().mean().item()
    recon_err = F.mse_loss(recon, X[test_idx]).item()
print("RESULT " + json.dumps({
    "children": [name for name, _ in model.named_children()],
    "n_params": sum(p.numel() for p in model.parameters()),
    "n_named": len(list(model.named_parameters())),
    "scales": [s.mean().item() for s in model.scales],
    "shared_grad_norm": model.shared.weight.grad.norm().item(),
    "loss": loss.item(), "acc": acc, "recon_err": recon_err}))
