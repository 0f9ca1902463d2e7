"""Which normalization for images whose brightness/contrast varies per image (style-transfer
folklore, d2l-style experiment): a small CNN classifies 12x12 synthetic "bar orientation"
images (horizontal / vertical / diagonal / anti-diagonal bars plus noise).  Training images get
a mild random gain/offset; the shifted test set gets a strong one (gain 0.2-5, offset -3..3).
The same architecture with BatchNorm2d, InstanceNorm2d(affine=True), GroupNorm(4) and no
normalization is trained with Adam through a DataLoader for 6 epochs and tested on the clean and
the shifted test sets.  Default torch init and shuffling: metric.
Measured over torch seeds 0-4 (the data generators' seeds move with SEED too): shifted-test
accuracy 0.722-0.837 (BatchNorm, spread 0.115), 0.795-0.893 (InstanceNorm, 0.098), 0.750-0.888
(GroupNorm, 0.138), 0.718-0.848 (none, 0.13); clean accuracy is 1.0 at every seed except
InstanceNorm (0.963-1.0, spread 0.037), so the others get a 0.01 floor; the InstanceNorm drop
spreads 0.062.  Tolerances ~2x the spreads.

COMPARE: metric batch_clean_acc abs=0.01; batch_shifted_acc abs=0.23; instance_clean_acc abs=0.075; instance_shifted_acc abs=0.2; instance_drop abs=0.125; group_clean_acc abs=0.01; group_shifted_acc abs=0.28; none_clean_acc abs=0.01; none_shifted_acc abs=0.26; n_params_instance abs=0; instance_no_running_stats abs=0
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

SEED = 0
torch.manual_seed(SEED)


class Bars(Dataset):
    def __init__(self, n, gain_range, offset_range, seed):
        g = torch.Generator().manual_seed(seed)
        yy, xx = torch.meshgrid(torch.arange(12.0), torch.arange(12.0), indexing="ij")
        self.labels = torch.randint(0, 4, (n,), generator=g)
        phase = torch.rand(n, generator=g) * 6.28
        coord = torch.stack([yy, xx, (xx + yy) / 1.41, (xx - yy) / 1.41])[self.labels]
        img = torch.sin(1.6 * coord + phase.view(-1, 1, 1))
        img = img + 0.5 * torch.randn(n, 12, 12, generator=g)
        lo, hi = gain_range
        gain = lo * (hi / lo) ** torch.rand(n, 1, 1, generator=g)
        offset = offset_range[0] + (offset_range[1] - offset_range[0]) * torch.rand(n, 1, 1, generator=g)
        self.images = (gain * img + offset).unsqueeze(1)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.images[i], self.labels[i]


train_set = Bars(1200, (0.7, 1.4), (-0.3, 0.3), seed=147 + 1000 * SEED)
test_clean = Bars(600, (1.0, 1.0), (0.0, 0.0), seed=1470 + 1000 * SEED)
test_shift = Bars(600, (0.2, 5.0), (-3.0, 3.0), seed=1471 + 1000 * SEED)


def norm_layer(kind, ch):
    return {"batch": lambda: nn.BatchNorm2d(ch),
            "instance": lambda: nn.InstanceNorm2d(ch, affine=True),
            "group": lambda: nn.GroupNorm(4, ch),
            "none": lambda: nn.Identity()}[kind]()


class SmallCNN(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.c1, self.n1 = nn.Conv2d(1, 16, 3, padding=1), norm_layer(kind, 16)
        self.c2, self.n2 = nn.Conv2d(16, 16, 3, padding=1), norm_layer(kind, 16)
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.n1(self.c1(x))), 2)
        x = F.relu(self.n2(self.c2(x)))
        return self.fc(x.mean(dim=(2, 3)))


def accuracy(model, ds):
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in DataLoader(ds, batch_size=200):
            correct += (model(xb).argmax(1) == yb).sum().item()
    return correct / len(ds)


res = {}
for kind in ["batch", "instance", "group", "none"]:
    model = SmallCNN(kind)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loader = DataLoader(train_set, batch_size=64, shuffle=True)
    for epoch in range(6):
        model.train()
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    clean, shifted = accuracy(model, test_clean), accuracy(model, test_shift)
    print(f"{kind:8s} clean {clean:.3f} shifted {shifted:.3f}")
    res[f"{kind}_clean_acc"] = clean
    res[f"{kind}_shifted_acc"] = shifted
    res[f"{kind}_drop"] = clean - shifted
res["n_params_instance"] = sum(p.numel() for p in SmallCNN("instance").parameters())
res["instance_no_running_stats"] = SmallCNN("instance").n1.running_mean is None
print("RESULT " + json.dumps(res))
