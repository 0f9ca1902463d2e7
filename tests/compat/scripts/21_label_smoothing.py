"""CrossEntropyLoss(label_smoothing=0.1) against plain cross-entropy and a hand-written
smoothed loss; class weights too.  Trains the same linear model with each.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

digits = load_digits()
X = torch.tensor(digits.data[:600] / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target[:600])
rng = np.random.default_rng(21)
W0 = rng.normal(0, 0.05, (10, 64)).astype(np.float32)


def smooth_ce(logits, target, eps=0.1):
    n_classes = logits.size(-1)
    log_probs = F.log_softmax(logits, dim=-1)
    one_hot = F.one_hot(target, num_classes=n_classes).float()
    soft = one_hot * (1 - eps) + eps / n_classes
    return -(soft * log_probs).sum(dim=-1).mean()


def run(criterion):
    model = nn.Linear(64, 10)
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(W0))
        model.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(50):
        opt.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        opt.step()
    with torch.no_grad():
        probs = model(X).softmax(dim=1)
    return loss.item(), probs.max(dim=1).values.mean().item()


class_weights = torch.linspace(0.5, 1.5, 10)
res = {}
res["plain_loss"], res["plain_conf"] = run(nn.CrossEntropyLoss())
res["smooth_loss"], res["smooth_conf"] = run(nn.CrossEntropyLoss(label_smoothing=0.1))
res["manual_loss"], res["manual_conf"] = run(smooth_ce)
res["weighted_loss"], res["weighted_conf"] = run(nn.CrossEntropyLoss(weight=class_weights, label_smoothing=0.05))
print("RESULT " + json.dumps(res))
