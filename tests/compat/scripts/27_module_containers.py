"""Module containers and newer layers: nn.ModuleList of blocks, nn.ModuleDict of heads,
nn.Identity, nn.ParameterList, register_buffer, a grouped/depthwise Conv2d, nn.LazyLinear
(materialised by a dry run before copying weights in), requires_grad_(False) to freeze.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.depthwise = nn.Conv2d(channels, channels, 3, padding=1, groups=channels)
        self.pointwise = nn.Conv2d(channels, channels, 1)
        self.act = nn.GELU()

    def forward(self, x):
        return self.act(self.pointwise(self.depthwise(x))) + x


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.blocks = nn.ModuleList([Block(8) for _ in range(2)])
        self.pool = nn.AvgPool2d(2)
        self.skip = nn.Identity()
        self.heads = nn.ModuleDict({"digit": nn.LazyLinear(10), "parity": nn.Linear(128, 2)})
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(1)) for _ in range(2)])
        self.register_buffer("mean", torch.tensor(0.3))

    def forward(self, x):
        x = self.stem(x - self.mean)
        for block, s in zip(self.blocks, self.scales):
            x = block(x) * s
        x = self.skip(self.pool(x)).flatten(1)
        return self.heads["digit"](x), self.heads["parity"](x)


digits = load_digits()
X = torch.tensor(digits.images[:500, None] / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target[:500])
net = Net()
net(X[:2])                                        # materialise the lazy layer
rng = np.random.default_rng(27)
with torch.no_grad():
    for name, p in net.named_parameters():
        if p.dim() > 1:
            p.copy_(torch.from_numpy(rng.normal(0, 0.2, p.shape).astype(np.float32)))
        elif not name.startswith("scales"):
            p.zero_()
net.stem.requires_grad_(False)
trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=0.005)
for step in range(30):
    opt.zero_grad()
    digit, parity = net(X)
    loss = nn.functional.cross_entropy(digit, y) + nn.functional.cross_entropy(parity, y % 2)
    loss.backward()
    opt.step()
print("RESULT " + json.dumps({"loss": loss.item(), "trainable": trainable,
                              "n_modules": len(list(net.modules())),
                              "buffers": [n for n, _ in net.named_buffers()],
                              "stem_grad_none": float(net.stem.weight.grad is None),
                              "scale0": net.scales[0].item()}))
