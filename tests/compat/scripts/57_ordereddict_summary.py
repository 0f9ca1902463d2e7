"""nn.Sequential built from an OrderedDict of named layers (model.conv1, model.fc access by name,
model[0] by index), a model summary printed by hand: per-layer output shapes from a dry run
with forward hooks, parameter counts with p.numel(), trainable vs frozen (requires_grad),
named_children(); then the first conv frozen and a CNN trained on 1x8x8 digits with
nn.Conv2d, nn.MaxPool2d, nn.Flatten and SGD (nesterov).  Weights from a NumPy RNG.

COMPARE: exact rtol=1e-3 atol=1e-5; test_acc abs=0.006
"""
import json
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

model = nn.Sequential(OrderedDict([
    ("conv1", nn.Conv2d(1, 8, kernel_size=3, padding=1)),
    ("relu1", nn.ReLU()),
    ("pool1", nn.MaxPool2d(2)),
    ("conv2", nn.Conv2d(8, 16, kernel_size=3, padding=1)),
    ("relu2", nn.ReLU()),
    ("pool2", nn.MaxPool2d(2)),
    ("flatten", nn.Flatten()),
    ("fc", nn.Linear(16 * 2 * 2, 10)),
]))

rng = np.random.default_rng(57)
for name, p in model.named_parameters():
    p.data = torch.tensor(rng.normal(0, 0.25, size=p.shape), dtype=torch.float32)


def summary(model, input_size):
    rows = []
    hooks = []

    def hook(module, inp, out):
        n = sum(p.numel() for p in module.parameters())
        rows.append((type(module).__name__, list(out.shape), n))

    for name, layer in model.named_children():
        hooks.append(layer.register_forward_hook(hook))
    with torch.no_grad():
        model(torch.zeros(1, *input_size))
    for h in hooks:
        h.remove()
    print(f"{'Layer (type)':<20}{'Output Shape':<22}{'Param #':>8}")
    for (cls, shape, n), name in zip(rows, [n for n, _ in model.named_children()]):
        print(f"{name + ' (' + cls + ')':<20}{str(shape):<22}{n:>8}")
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"Total params: {total:,}\nTrainable params: {trainable:,}\nNon-trainable params: {total - trainable:,}")
    return rows, total, trainable


rows, total, trainable = summary(model, (1, 8, 8))
model.conv1.weight.requires_grad = False
model.conv1.bias.requires_grad = False
_, total2, trainable2 = summary(model, (1, 8, 8))

digits = load_digits()
X = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
y = torch.tensor(digits.target, dtype=torch.int64)
optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.05,
                            momentum=0.9, nesterov=True)
loss_fn = nn.CrossEntropyLoss()
frozen_before = model[0].weight.clone()
losses = []
for epoch in range(5):
    for i in range(0, 1400, 64):
        optimizer.zero_grad()
        loss = loss_fn(model(X[i:i + 64]), y[i:i + 64])
        loss.backward()
        optimizer.step()
    losses.append(loss.item())
with torch.no_grad():
    test_acc = (model(X[1400:]).argmax(dim=1) == y[1400:]).float().mean().item()

print("RESULT " + json.dumps({"rows": [[c, s, n] for c, s, n in rows], "total": total,
                              "trainable": trainable, "trainable_after_freeze": trainable2,
                              "names": [n for n, _ in model.named_children()],
                              "same_object": model.conv1 is model[0],
                              "frozen_unchanged": torch.equal(frozen_before, model.conv1.weight),
                              "losses": losses, "test_acc": test_acc}))
