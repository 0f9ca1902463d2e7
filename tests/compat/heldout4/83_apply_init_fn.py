"""model.apply(init_fn) initialisation (the forum recipe): def weights_init(m) checking
isinstance(m, nn.Conv2d / nn.Linear / nn.BatchNorm2d) or classname.find("Conv") != -1, with
nn.init.kaiming_normal_(mode="fan_out", nonlinearity="relu"), xavier_uniform_ with
gain=nn.init.calculate_gain("tanh"), constant_, normal_(1.0, 0.02) for BN weights; the
per-layer weight std after init compared with its formula, then a short training run of
a small Conv2d+BatchNorm2d net on the 8x8 digits.  Draws come from each library's RNG
(torch.manual_seed), so only metrics are compared.

Torch seeds 0-4 (seed as argv[1]): conv1 std ratio 0.919-1.064, fc std ratio 0.993-1.009,
bn weight mean 0.993-1.006, test_acc 0.962-0.987, final loss 0.033-0.106.  Tolerances ~2x
the spread: conv_ratio abs=0.3, fc_ratio abs=0.04, bn_mean abs=0.03, test_acc abs=0.05,
train_loss abs=0.15; bias_zero and the Conv classname count exactly.

COMPARE: metric conv_ratio abs=0.3; fc_ratio abs=0.04; bn_mean abs=0.03; test_acc abs=0.05; train_loss abs=0.15; bias_zero abs=0; n_conv abs=0
"""
import json
import math
import sys

import torch
import torch.nn as nn
from sklearn.datasets import load_digits

torch.manual_seed(int(sys.argv[1]) if len(sys.argv) > 1 else 0)


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
            nn.Conv2d(32, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d((2, 2)))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(128, 64), nn.Tanh(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


n_conv = 0


def weights_init(m):
    global n_conv
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        n_conv += 1
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.constant_(m.bias, 0)
    elif isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight, gain=nn.init.calculate_gain("tanh"))
        if m.bias is not None:
            nn.init.zeros_(m.bias)


net = SmallNet()
net.apply(weights_init)
conv1 = net.features[0]
fan_out = conv1.out_channels * conv1.kernel_size[0] * conv1.kernel_size[1]
conv_ratio = conv1.weight.std().item() / math.sqrt(2.0 / fan_out)
fc = net.classifier[1]
gain = nn.init.calculate_gain("tanh")
fc_ratio = fc.weight.std().item() / (gain * math.sqrt(2.0 / (fc.in_features + fc.out_features)))
bn_mean = net.features[1].weight.mean().item()
bias_zero = all(float(m.bias.abs().sum()) == 0.0 for m in net.modules() if isinstance(m, nn.Linear))

digits = load_digits()
X = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
y = torch.tensor(digits.target)
idx = torch.randperm(len(X))
tr, te = idx[:1400], idx[1400:]
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
crit = nn.CrossEntropyLoss()
for epoch in range(4):
    net.train()
    perm = tr[torch.randperm(len(tr))]
    for i in range(0, len(perm), 64):
        b = perm[i:i + 64]
        opt.zero_grad()
        loss = crit(net(X[b]), y[b])
        loss.backward()
        opt.step()
net.eval()
with torch.no_grad():
    test_acc = (net(X[te]).argmax(1) == y[te]).float().mean().item()
print(f"conv ratio {conv_ratio:.3f} fc ratio {fc_ratio:.3f} acc {test_acc:.3f}")
res = {"conv_ratio": conv_ratio, "fc_ratio": fc_ratio, "bn_mean": bn_mean, "bias_zero": bias_zero,
       "n_conv": n_conv, "test_acc": test_acc, "train_loss": loss.item()}
print("RESULT " + json.dumps(res))
