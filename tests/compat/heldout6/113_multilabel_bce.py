"""Multi-label classification (the "one image, several tags" tutorial): targets as a float
{0, 1} matrix, nn.BCEWithLogitsLoss(pos_weight=neg/pos per label), then
nn.MultiLabelSoftMarginLoss on the same model for comparison; predictions
torch.sigmoid(logits) > 0.5, subset accuracy (rows all correct, .all(dim=1)), Hamming loss,
per-label F1 from logical_and / logical_not counts, torch.where for the threshold.
Exact: NumPy data/weights, fixed batches; torch float64 rerun (measured) within 1e-6
relative, so rtol=1e-4 (accuracy-like keys abs=0.005: one label flip).

COMPARE: exact rtol=1e-4 atol=1e-6; subset_acc_bce abs=0.005; hamming_bce abs=0.005; subset_acc_mlsm abs=0.005; hamming_mlsm abs=0.005
"""
import json

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification

Xn, Yn = make_multilabel_classification(n_samples=400, n_features=12, n_classes=5, n_labels=2,
                                        random_state=113)
Xn = (Xn - Xn.mean(0)) / Xn.std(0)
X = torch.tensor(Xn, dtype=torch.float32)
Y = torch.tensor(Yn, dtype=torch.float32)
Xtr, Ytr, Xte, Yte = X[:300], Y[:300], X[300:], Y[300:]
rng = np.random.default_rng(113)
W1, W2 = rng.normal(0, 0.3, (32, 12)), rng.normal(0, 0.3, (5, 32))
pos = Ytr.sum(dim=0)
pos_weight = (Ytr.shape[0] - pos) / pos

res = {"pos_weight": pos_weight.tolist()}
for name, crit in [("bce", nn.BCEWithLogitsLoss(pos_weight=pos_weight)),
                   ("mlsm", nn.MultiLabelSoftMarginLoss())]:
    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 5))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(W1, dtype=torch.float32))
        model[2].weight.copy_(torch.tensor(W2, dtype=torch.float32))
        model[0].bias.zero_()
        model[2].bias.zero_()
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    for epoch in range(20):
        for i in range(0, 300, 30):
            opt.zero_grad()
            loss = crit(model(Xtr[i:i + 30]), Ytr[i:i + 30])
            loss.backward()
            opt.step()
    with torch.no_grad():
        probs = torch.sigmoid(model(Xte))
    pred = torch.where(probs > 0.5, 1.0, 0.0)
    correct = pred == Yte
    tp = torch.logical_and(pred == 1, Yte == 1).sum(dim=0).float()
    fp = torch.logical_and(pred == 1, torch.logical_not(Yte == 1)).sum(dim=0).float()
    fn = torch.logical_and(pred == 0, Yte == 1).sum(dim=0).float()
    f1 = 2 * tp / (2 * tp + fp + fn).clamp(min=1)
    res[f"loss_{name}"] = loss.item()
    res[f"subset_acc_{name}"] = correct.all(dim=1).float().mean().item()
    res[f"hamming_{name}"] = (~correct).float().mean().item()
    res[f"f1_{name}"] = f1.tolist()
    print(name, res[f"subset_acc_{name}"], res[f"hamming_{name}"])
print("RESULT " + json.dumps(res))
