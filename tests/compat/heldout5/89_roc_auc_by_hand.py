"""ROC curve and AUC by hand (a course-notebook exercise, no sklearn.metrics): logistic
regression nn.Linear(3, 1) trained full-batch with BCEWithLogitsLoss(pos_weight=) on a 4:1
imbalanced NumPy data set, scores = torch.sigmoid(...).squeeze(1), torch.sort(descending=True),
true/false positive rates from torch.cumsum, a (0, 0) point prepended with torch.cat,
AUC with torch.trapz, the Youden threshold from argmax(tpr - fpr), and a 2x2 confusion
matrix at that threshold via torch.bincount(2 * y + pred, minlength=4).view(2, 2).
Data and weights from a NumPy RNG, full batch: exact.

Torch float64 rerun (measured): <= 1.3e-7 relative; confusion counts and AUC ranks identical.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(89)
n = 250
y_np = (rng.random(n) < 0.2).astype(np.float32)
X_np = rng.normal(size=(n, 3)) + np.outer(y_np, [1.0, -0.6, 0.3])
X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np)

model = nn.Linear(3, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor(rng.normal(0, 0.1, (1, 3)), dtype=torch.float32))
    model.bias.zero_()
pos_weight = torch.tensor([(y == 0).sum().item() / (y == 1).sum().item()])
loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
opt = torch.optim.SGD(model.parameters(), lr=0.2)
losses = []
for step in range(150):
    opt.zero_grad()
    loss = loss_fn(model(X).squeeze(1), y)
    loss.backward()
    opt.step()
    if step % 30 == 0:
        losses.append(loss.item())

with torch.no_grad():
    scores = torch.sigmoid(model(X)).squeeze(1)
sorted_scores, order = torch.sort(scores, descending=True)
y_sorted = y[order]
tps = torch.cumsum(y_sorted, dim=0)
fps = torch.cumsum(1 - y_sorted, dim=0)
tpr = torch.cat([torch.zeros(1), tps / tps[-1]])
fpr = torch.cat([torch.zeros(1), fps / fps[-1]])
auc = torch.trapz(tpr, fpr).item()
# rank-statistic AUC as a cross-check: P(score_pos > score_neg)
pos, neg = scores[y == 1], scores[y == 0]
auc_rank = (pos.unsqueeze(1) > neg.unsqueeze(0)).float().mean().item()
best = torch.argmax(tpr - fpr).item()
threshold = sorted_scores[best - 1].item()
pred = (scores >= threshold).long()
cm = torch.bincount(2 * y.long() + pred, minlength=4).view(2, 2)
print(f"AUC {auc:.4f} (rank {auc_rank:.4f})  Youden threshold {threshold:.3f}")
print(cm)
res = {"losses": losses, "auc": auc, "auc_rank": auc_rank, "threshold": threshold,
       "confusion": cm.flatten().tolist(), "tpr_at_best": tpr[best].item(),
       "fpr_at_best": fpr[best].item(), "n_points": tpr.numel()}
print("RESULT " + json.dumps(res))
