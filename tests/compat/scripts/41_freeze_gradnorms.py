"""Transfer learning by hand: pre-train a small CNN on digits 0-4, then fine-tune on digits
5-9 with the feature extractor frozen by ``model.features.requires_grad_(False)``, a new
classifier head, an optimizer over ``filter(lambda p: p.requires_grad, model.parameters())``,
per-layer gradient norms logged from named_parameters() (None for frozen ones), and a check
that the frozen weights did not move (torch.equal against a .clone()).

COMPARE: exact rtol=1e-3 atol=1e-5; acc_a abs=0.006; acc_b abs=0.006
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

digits = load_digits()
X = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
y = torch.tensor(digits.target, dtype=torch.int64)
task_a, task_b = y < 5, y >= 5
Xa, ya = X[task_a], y[task_a]
Xb, yb = X[task_b], y[task_b] - 5
rng = np.random.default_rng(41)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten())
        self.classifier = nn.Linear(16 * 2 * 2, 5)

    def forward(self, x):
        return self.classifier(self.features(x))


def numpy_init(module):
    for p in module.parameters():
        p.data.copy_(torch.from_numpy(rng.normal(0, 0.2, p.shape).astype(np.float32)))


def fit(model, optimizer, X, y, epochs, log=None):
    for epoch in range(epochs):
        model.train()
        order = torch.from_numpy(rng.permutation(len(X)))
        for i in range(0, len(X), 64):
            idx = order[i:i + 64]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
        if log is not None:
            log.append({name: (None if p.grad is None else round(p.grad.norm().item(), 6))
                        for name, p in model.named_parameters()})
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(1) == y).float().mean().item(), loss.item()


model = Net()
numpy_init(model)
acc_a, loss_a = fit(model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), Xa, ya, 8)
print(f"task A accuracy {acc_a:.3f}")

frozen_before = {k: v.clone() for k, v in model.features.state_dict().items()}
model.zero_grad()                                  # set_to_none: stale task-A grads go
model.features.requires_grad_(False)
model.classifier = nn.Linear(16 * 2 * 2, 5)
numpy_init(model.classifier)
trainable = [p for p in model.parameters() if p.requires_grad]
n_trainable = sum(p.numel() for p in trainable)
n_total = sum(p.numel() for p in model.parameters())
optimizer = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1, momentum=0.9)
grad_log = []
acc_b, loss_b = fit(model, optimizer, Xb, yb, 6, log=grad_log)
print(f"task B accuracy (frozen features) {acc_b:.3f}")
for name, norm in grad_log[-1].items():
    print(f"  {name:24s} {norm}")
unchanged = all(torch.equal(v, model.features.state_dict()[k]) for k, v in frozen_before.items())
print("RESULT " + json.dumps({"acc_a": acc_a, "loss_a": loss_a, "acc_b": acc_b, "loss_b": loss_b,
                              "n_trainable": n_trainable, "n_total": n_total,
                              "frozen_unchanged": unchanged,
                              "frozen_grads_none": [n for n, g in grad_log[-1].items() if g is None],
                              "head_grad_norms": [grad_log[-1]["classifier.weight"],
                                                  grad_log[-1]["classifier.bias"]]}))
