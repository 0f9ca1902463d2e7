"""Imbalanced classification: class weights from torch.bincount (n / (k * count_c)) passed to
nn.CrossEntropyLoss(weight=...), compared with the unweighted loss; a confusion matrix built
with torch.bincount(k * y + pred), per-class recall and balanced accuracy.

COMPARE: exact rtol=1e-3 atol=1e-5; acc_plain abs=0.01; acc_weighted abs=0.01; bal_acc_plain abs=0.01; bal_acc_weighted abs=0.01
"""
import json

import numpy as np
import torch
from sklearn.datasets import make_classification
from torch import nn

X_np, y_np = make_classification(n_samples=1500, n_features=8, n_informative=5, n_redundant=1,
                                 n_classes=3, weights=[0.82, 0.13, 0.05], class_sep=0.8,
                                 random_state=34)
X = torch.from_numpy(X_np).float()
y = torch.from_numpy(y_np).long()
X_train, y_train, X_test, y_test = X[:1000], y[:1000], X[1000:], y[1000:]
num_classes = 3

counts = torch.bincount(y_train, minlength=num_classes)
class_weights = len(y_train) / (num_classes * counts.float())
print("class counts", counts.tolist(), "weights", class_weights)


def confusion_matrix(target, pred, k):
    return torch.bincount(k * target + pred, minlength=k * k).reshape(k, k)


def train(weight):
    rng = np.random.default_rng(34)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, num_classes))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.normal(0, 0.2, tuple(p.shape))).float())
    criterion = nn.CrossEntropyLoss(weight=weight)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    for epoch in range(30):
        order = torch.from_numpy(rng.permutation(len(X_train)))
        for i in range(0, len(order), 100):
            idx = order[i:i + 100]
            loss = criterion(model(X_train[idx]), y_train[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        pred = model(X_test).argmax(dim=1)
    cm = confusion_matrix(y_test, pred, num_classes)
    recall = cm.diag().float() / cm.sum(dim=1).float()
    return loss.item(), cm, recall


loss_plain, cm_plain, rec_plain = train(None)
loss_w, cm_w, rec_w = train(class_weights)
print("plain confusion\n", cm_plain, "\nweighted confusion\n", cm_w)
print("RESULT " + json.dumps({
    "counts": counts.tolist(), "class_weights": class_weights.tolist(),
    "loss_plain": loss_plain, "loss_weighted": loss_w,
    "acc_plain": (cm_plain.trace() / cm_plain.sum()).item(),
    "acc_weighted": (cm_w.trace() / cm_w.sum()).item(),
    "bal_acc_plain": rec_plain.mean().item(), "bal_acc_weighted": rec_w.mean().item(),
    "cm_total": int(cm_w.sum())}))
