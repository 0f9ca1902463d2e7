"""Label smoothing and calibration (blog-post style): the same 2-layer MLP trained on
sklearn's digits with nn.CrossEntropyLoss() and with CrossEntropyLoss(label_smoothing=0.1);
then expected calibration error computed by hand: F.softmax -> confidences, predictions =
probs.max(dim=1), 10 equal-width bins from torch.linspace, a boolean mask per bin
(conf.gt(lo) * conf.le(hi)), accuracy-minus-confidence weighted by the bin share, plus the
mean confidence and negative log-likelihood (F.nll_loss on log_softmax).
Weights from a NumPy RNG, batches in a fixed order: exact.  Torch float64 rerun (measured)
moves every value by <= 8.2e-6 relative; accuracies unchanged.

COMPARE: exact rtol=1e-4 atol=1e-5; acc_plain abs=0.005; acc_smooth abs=0.005
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

digits = load_digits()
rng = np.random.default_rng(78)
perm = rng.permutation(len(digits.target))
X = torch.tensor(digits.data[perm] / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target[perm])
X_train, y_train, X_val, y_val = X[:1200], y[:1200], X[1200:], y[1200:]
W1 = rng.normal(0, np.sqrt(2 / 64), (64, 64))
W2 = rng.normal(0, np.sqrt(1 / 64), (10, 64))


def ece(logits, labels, n_bins=10):
    probs = F.softmax(logits, dim=1)
    confidences, predictions = torch.max(probs, 1)
    accuracies = predictions.eq(labels)
    bins = torch.linspace(0, 1, n_bins + 1)
    err = torch.zeros(1)
    for lo, hi in zip(bins[:-1], bins[1:]):
        in_bin = confidences.gt(lo.item()) * confidences.le(hi.item())
        prop = in_bin.float().mean()
        if prop.item() > 0:
            acc_in = accuracies[in_bin].float().mean()
            conf_in = confidences[in_bin].mean()
            err += torch.abs(conf_in - acc_in) * prop
    return err.item()


res = {}
for tag, smoothing in [("plain", 0.0), ("smooth", 0.1)]:
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(W1))
        model[2].weight.copy_(torch.tensor(W2))
        model[0].bias.zero_()
        model[2].bias.zero_()
    criterion = nn.CrossEntropyLoss(label_smoothing=smoothing)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(8):
        for i in range(0, 1200, 50):
            opt.zero_grad()
            loss = criterion(model(X_train[i:i + 50]), y_train[i:i + 50])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(X_val)
        res["acc_" + tag] = (logits.argmax(1) == y_val).float().mean().item()
        res["nll_" + tag] = F.nll_loss(F.log_softmax(logits, dim=1), y_val).item()
        res["conf_" + tag] = F.softmax(logits, dim=1).max(dim=1).values.mean().item()
        res["ece_" + tag] = ece(logits, y_val)
        res["train_loss_" + tag] = loss.item()
    print(tag, {k: round(v, 4) for k, v in res.items() if k.endswith(tag)})
print("RESULT " + json.dumps(res))
