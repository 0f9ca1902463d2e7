"""A hand-written focal loss (Lin et al.) as an nn.Module for imbalanced binary data:
p_t from torch.sigmoid, the alpha-balanced ``-alpha_t * (1 - p_t) ** gamma * log(p_t)`` computed
through F.binary_cross_entropy_with_logits(reduction="none") and torch.exp(-bce); checked that
gamma=0, alpha=None reduces to BCE; then a model trained with it vs plain BCE, evaluated by
precision/recall/F1 on the minority class.  Weights from a NumPy RNG, no shuffling.

COMPARE: exact rtol=1e-3 atol=1e-5; f1_focal abs=0.01; f1_bce abs=0.01; recall_focal abs=0.01; recall_bce abs=0.01; precision_focal abs=0.01; precision_bce abs=0.01
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification


class FocalLoss(nn.Module):
    def __init__(self, alpha=0.25, gamma=2.0, reduction="mean"):
        super().__init__()
        self.alpha = alpha
        self.gamma = gamma
        self.reduction = reduction

    def forward(self, logits, targets):
        bce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
        p_t = torch.exp(-bce)
        loss = (1 - p_t) ** self.gamma * bce
        if self.alpha is not None:
            alpha_t = self.alpha * targets + (1 - self.alpha) * (1 - targets)
            loss = alpha_t * loss
        if self.reduction == "mean":
            return loss.mean()
        if self.reduction == "sum":
            return loss.sum()
        return loss


X_np, y_np = make_classification(n_samples=1200, n_features=12, n_informative=5,
                                 weights=[0.92, 0.08], flip_y=0.01, random_state=47)
X = torch.from_numpy(X_np).float()
y = torch.from_numpy(y_np).float()
X_train, y_train, X_test, y_test = X[:900], y[:900], X[900:], y[900:]

logits0 = torch.linspace(-3, 3, 7)
t0 = torch.tensor([0., 1., 0., 1., 1., 0., 1.])
reduces_to_bce = torch.allclose(FocalLoss(alpha=None, gamma=0.0)(logits0, t0),
                                F.binary_cross_entropy_with_logits(logits0, t0))
manual = -(0.25 * t0 * (1 - torch.sigmoid(logits0)) ** 2 * torch.log(torch.sigmoid(logits0))
           + 0.75 * (1 - t0) * torch.sigmoid(logits0) ** 2 * torch.log(1 - torch.sigmoid(logits0))).mean()
matches_formula = torch.allclose(FocalLoss()(logits0, t0), manual, atol=1e-6)


def make_model(seed):
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 1))
    for name, p in model.named_parameters():
        with torch.no_grad():
            p.copy_(torch.from_numpy(rng.normal(0, 0.3, size=p.shape).astype(np.float32)))
    return model


def fit(criterion, epochs=30):
    model = make_model(47)
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    losses = []
    for epoch in range(epochs):
        for i in range(0, 900, 100):
            opt.zero_grad()
            loss = criterion(model(X_train[i:i + 100]).squeeze(-1), y_train[i:i + 100])
            loss.backward()
            opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        pred = (model(X_test).squeeze(-1) > 0).float()
    tp = ((pred == 1) & (y_test == 1)).sum().item()
    fp = ((pred == 1) & (y_test == 0)).sum().item()
    fn = ((pred == 0) & (y_test == 1)).sum().item()
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return losses, precision, recall, f1


res = {"reduces_to_bce": reduces_to_bce, "matches_formula": matches_formula,
       "focal_value": FocalLoss()(logits0, t0).item()}
for name, crit in [("focal", FocalLoss(alpha=0.75, gamma=2.0)), ("bce", nn.BCEWithLogitsLoss())]:
    losses, p, r, f1 = fit(crit)
    res.update({f"losses_{name}": losses, f"precision_{name}": p, f"recall_{name}": r, f"f1_{name}": f1})
    print(f"{name}: precision {p:.3f} recall {r:.3f} f1 {f1:.3f}")
print("RESULT " + json.dumps(res))
