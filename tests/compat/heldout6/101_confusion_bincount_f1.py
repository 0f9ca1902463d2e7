"""A confusion matrix with torch.bincount (the Stack Overflow one-liner
bincount(k * y_true + y_pred, minlength=k * k).reshape(k, k)) for a softmax classifier on
sklearn's digits, then per-class precision/recall/F1 from torch.diag and the row/column sums,
zero divisions mapped with torch.nan_to_num, macro and weighted F1, the most confused pair
from the off-diagonal via fill_diagonal_ and argmax with divmod.
Exact: NumPy weights, fixed batches; torch float64 rerun (measured) same confusion matrix,
every value within 1e-6 relative, so rtol=1e-4 (counts compare exactly).

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

digits = load_digits()
rng = np.random.default_rng(101)
perm = rng.permutation(len(digits.target))
Xn = digits.data[perm] / 16.0
yn = digits.target[perm]
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn)
Xtr, ytr, Xte, yte = X[:1200], y[:1200], X[1200:], y[1200:]

model = nn.Linear(64, 10)
with torch.no_grad():
    model.weight.copy_(torch.tensor(rng.normal(0, 0.01, (10, 64)), dtype=torch.float32))
    model.bias.zero_()
opt = torch.optim.SGD(model.parameters(), lr=0.5)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(3):
    for i in range(0, 1200, 100):
        opt.zero_grad()
        loss = loss_fn(model(Xtr[i:i + 100]), ytr[i:i + 100])
        loss.backward()
        opt.step()

model.eval()
with torch.no_grad():
    pred = model(Xte).argmax(1)
k = 10
cm = torch.bincount(k * yte + pred, minlength=k * k).reshape(k, k)
tp = torch.diag(cm).float()
precision = torch.nan_to_num(tp / cm.sum(dim=0).float())
recall = torch.nan_to_num(tp / cm.sum(dim=1).float())
f1 = torch.nan_to_num(2 * precision * recall / (precision + recall))
support = cm.sum(dim=1)
weighted_f1 = (f1 * support).sum() / support.sum()
off = cm.clone()
off.fill_diagonal_(0)
true_c, pred_c = divmod(off.argmax().item(), k)
print(cm)
res = {"train_loss": loss.item(), "cm": cm.tolist(), "acc": (tp.sum() / cm.sum()).item(),
       "precision": precision.tolist(), "recall": recall.tolist(),
       "macro_f1": f1.mean().item(), "weighted_f1": weighted_f1.item(),
       "most_confused": [true_c, pred_c], "cm_dtype": str(cm.dtype)}
print("RESULT " + json.dumps(res))
