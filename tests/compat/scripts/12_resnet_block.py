"""A tiny ResNet (d2l 8.6 style): Residual blocks with BatchNorm2d, a 1x1 projection shortcut,
``out += identity``, AdaptiveAvgPool2d; trained on the 8x8 digits.

Batch norm followed by ReLU puts some activations within float32 rounding of the kink: in the
first step one element of the second Residual's bn1 output is ~1e-6 on opposite sides of zero in the two
libraries (tidu's float32 batch-norm forward is measured 2-3x less accurate than PyTorch's,
both within float32 rounding), its gradient flips, and the runs end ~1e-3 apart in val_loss
(PyTorch float32 vs float64: 1e-7).  Hence rtol=3e-3.

COMPARE: exact rtol=3e-3 atol=1e-5; val_acc abs=0.006
"""
import json

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):
    def __init__(self, in_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(in_channels, num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        identity = X
        out = F.relu(self.bn1(self.conv1(X)))
        out = self.bn2(self.conv2(out))
        if self.conv3:
            identity = self.conv3(X)
        out += identity
        return F.relu(out)


net = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
    Residual(8, 8),
    Residual(8, 16, use_1x1conv=True, strides=2),
    nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(16, 10),
)
rng = np.random.default_rng(12)
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            m.weight.copy_(torch.from_numpy(rng.normal(0, np.sqrt(2 / fan_in), m.weight.shape)))
            m.bias.zero_()

digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
y = torch.tensor(digits.target)
perm = rng.permutation(len(X))
Xtr, ytr, Xva, yva = X[perm[:1200]], y[perm[:1200]], X[perm[1200:]], y[perm[1200:]]

opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
for epoch in range(3):
    net.train()
    order = rng.permutation(1200)
    for i in range(0, 1200, 100):
        idx = order[i:i + 100]
        loss = F.cross_entropy(net(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())

net.eval()
with torch.no_grad():
    out = net(Xva)
    val_loss = F.cross_entropy(out, yva).item()
    val_acc = (out.argmax(1) == yva).float().mean().item()
print("RESULT " + json.dumps({"train_loss": loss.item(), "val_loss": val_loss, "val_acc": val_acc}))
