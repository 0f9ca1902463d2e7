"""Hand-written k-fold cross-validation with scikit-learn's KFold indices (Stack Overflow
style): KFold(n_splits=5, shuffle=True, random_state=0).split(X) yields NumPy index arrays
that index torch tensors directly (X[train_idx]); per fold a fresh logistic-regression
model (nn.Linear + BCEWithLogitsLoss), Adam, full-batch training, then a fold score list,
its mean and std (torch.tensor(scores).std()).

COMPARE: exact rtol=1e-3 atol=1e-6; fold_acc abs=0.02; mean_acc abs=0.01
"""
import json

import numpy as np
import torch
from sklearn.model_selection import KFold
from torch import nn

rng = np.random.default_rng(62)
X_np = rng.normal(size=(200, 4)).astype(np.float32)
w_true = np.array([1.5, -2.0, 0.5, 0.0], dtype=np.float32)
y_np = (X_np @ w_true + 0.3 * rng.normal(size=200) > 0).astype(np.float32)
X = torch.tensor(X_np)
y = torch.tensor(y_np).unsqueeze(1)
w0 = rng.normal(0, 0.1, (1, 4)).astype(np.float32)

kf = KFold(n_splits=5, shuffle=True, random_state=0)
fold_acc, fold_loss = [], []
for fold, (train_idx, val_idx) in enumerate(kf.split(X_np)):
    model = nn.Linear(4, 1)
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(w0))
        model.bias.zero_()
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    X_tr, y_tr = X[train_idx], y[train_idx]
    X_va, y_va = X[val_idx], y[val_idx]
    for epoch in range(100):
        optimizer.zero_grad()
        loss = criterion(model(X_tr), y_tr)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        probs = torch.sigmoid(model(X_va))
        acc = ((probs > 0.5).float() == y_va).float().mean().item()
        val_loss = criterion(model(X_va), y_va).item()
    fold_acc.append(acc)
    fold_loss.append(val_loss)
    print(f"fold {fold}: train {len(train_idx)} val {len(val_idx)} acc {acc:.3f} loss {val_loss:.4f}")

scores = torch.tensor(fold_acc)
res = {"fold_acc": fold_acc, "fold_loss": fold_loss, "mean_acc": scores.mean().item(),
       "std_loss": torch.tensor(fold_loss).std().item(),
       "weight": model.weight.detach().squeeze().tolist()}
print("RESULT " + json.dumps(res))
