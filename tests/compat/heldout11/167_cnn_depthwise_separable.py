"""Depthwise-separable convolution vs a standard 3x3 convolution (MobileNet-style block).

A small digits CNN where the middle block is either Conv2d(16, 32, 3) or a depthwise
Conv2d(16, 16, 3, groups=16) followed by a pointwise 1x1 Conv2d(16, 32).  Reports the
parameter count and multiply-accumulate count of the block and the test accuracy of each
after a few epochs of Adam with a shuffled DataLoader.
Measured (SEED 0..4): block params 4640 vs 704 (ratio 0.152), MACs 294912 vs 41984; test acc
standard 0.972-0.987 (spread 0.015), separable 0.970-0.978 (spread 0.0074); final train loss
spreads 0.008.
COMPARE: metric standard_block_params abs=0.5; separable_block_params abs=0.5; standard_block_macs abs=0.5; separable_block_macs abs=0.5; param_ratio abs=1e-6; standard_test_acc abs=0.03; separable_test_acc abs=0.02; standard_final_loss abs=0.016; separable_final_loss abs=0.017
"""
import json
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
torch.manual_seed(SEED)

digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
y = torch.tensor(digits.target)
idx_tr, idx_te = train_test_split(np.arange(len(y)), test_size=0.3, random_state=42, stratify=digits.target)
train_ds = TensorDataset(X[idx_tr], y[idx_tr])
X_te, y_te = X[idx_te], y[idx_te]


def middle_block(kind):
    if kind == "standard":
        return nn.Conv2d(16, 32, 3, padding=1)
    return nn.Sequential(
        nn.Conv2d(16, 16, 3, padding=1, groups=16),  # depthwise
        nn.Conv2d(16, 32, 1),                         # pointwise
    )


class Net(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.block = middle_block(kind)
        self.post = nn.Sequential(nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        x = self.post(self.block(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


def block_macs(block, h=8, w=8):
    macs = 0
    for m in block.modules():
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1]
            macs += h * w * m.out_channels * (m.in_channels // m.groups) * k
    return macs


results = {}
for kind in ["standard", "separable"]:
    model = Net(kind)
    n_block = sum(p.numel() for p in model.block.parameters())
    macs = block_macs(model.block)
    loader = DataLoader(train_ds, batch_size=32, shuffle=True)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(4):
        model.train()
        running = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            running += loss.item() * xb.size(0)
        print(f"{kind:9s} epoch {epoch} loss {running / len(train_ds):.4f}")
    model.eval()
    with torch.no_grad():
        acc = (model(X_te).argmax(1) == y_te).float().mean().item()
    print(f"{kind:9s} block params {n_block}  block MACs {macs}  test acc {acc:.4f}")
    results[f"{kind}_block_params"] = n_block
    results[f"{kind}_block_macs"] = macs
    results[f"{kind}_test_acc"] = acc
    results[f"{kind}_final_loss"] = running / len(train_ds)

results["param_ratio"] = results["separable_block_params"] / results["standard_block_params"]
print("RESULT " + json.dumps(results))
