"""Precision, recall and F1 by hand with tensors (Stack Overflow answer style): a logistic
classifier on imbalanced data trained with BCEWithLogitsLoss(pos_weight=...), then TP / FP /
FN / TN from boolean tensor logic, a threshold sweep with torch.linspace picking the best F1,
a confusion matrix with torch.bincount, macro F1 and ROC-AUC from sorted scores.

COMPARE: exact rtol=1e-3 atol=1e-6; best_threshold abs=0.051
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(66)
n = 500
y_np = (rng.random(n) < 0.2).astype(np.float32)
X_np = rng.normal(size=(n, 3)) + y_np[:, None] * np.array([1.0, 0.8, 0.0])
X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np)

model = nn.Linear(3, 1)
nn.init.zeros_(model.weight)
nn.init.zeros_(model.bias)
pos_weight = (y == 0).sum() / (y == 1).sum()
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
opt = torch.optim.Adam(model.parameters(), lr=0.05)
for epoch in range(150):
    opt.zero_grad()
    loss = criterion(model(X).squeeze(-1), y)
    loss.backward()
    opt.step()

with torch.no_grad():
    scores = torch.sigmoid(model(X)).squeeze(-1)


def prf(pred, target):
    pred, target = pred.bool(), target.bool()
    tp = (pred & target).sum().item()
    fp = (pred & ~target).sum().item()
    fn = (~pred & target).sum().item()
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return precision, recall, f1


p, r, f1 = prf(scores > 0.5, y)
best_f1, best_t = 0.0, 0.5
for t in torch.linspace(0.05, 0.95, 19):
    _, _, f = prf(scores >= t, y)
    if f > best_f1:
        best_f1, best_t = f, t.item()
pred = (scores > 0.5).long()
cm = torch.bincount(y.long() * 2 + pred, minlength=4).reshape(2, 2)
f1_neg = prf(pred == 0, y == 0)[2]
# ROC-AUC via ranks: probability that a positive scores above a negative
order = torch.argsort(scores)
ranks = torch.empty_like(scores)
ranks[order] = torch.arange(1, n + 1, dtype=torch.float32)
n_pos = y.sum()
auc = ((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * (n - n_pos))).item()
print(f"P {p:.3f} R {r:.3f} F1 {f1:.3f} best F1 {best_f1:.3f} at {best_t:.2f} AUC {auc:.3f}")
res = {"loss": loss.item(), "precision": p, "recall": r, "f1": f1, "best_f1": best_f1,
       "best_threshold": best_t, "confusion": cm.tolist(), "macro_f1": (f1 + f1_neg) / 2,
       "auc": auc, "pos_weight": pos_weight.item()}
print("RESULT " + json.dumps(res))
