"""Training-curve diagnosis (course exercise): learning curves to tell high bias from high variance.

Two-moons data with label noise. For training-set sizes 20..800, fit (a) logistic regression
(a linear model: high bias) and (b) a wide 3-layer MLP trained long without regularisation
(high variance on small data), then (c) the same MLP with weight decay + dropout. Report
train/validation error, the gap and a rule-of-thumb diagnosis per model at the smallest/largest size.
Seeds 0-4 (torch): per-size validation-error spread at most 0.016 (linear), 0.034 (MLP), 0.038
(regularised MLP); large-n train error spread <= 0.009; gaps: MLP small-n 0.010, regularised 0.038,
large-n <= 0.02; the diagnosis strings at n=800 agree for all seeds (linear gap_small too noisy).
COMPARE: metric linear_val_err abs=0.035; mlp_val_err abs=0.07; mlp_reg_val_err abs=0.075; linear_train_err_large abs=0.02; mlp_train_err_large abs=0.02; mlp_reg_train_err_large abs=0.02; mlp_gap_small abs=0.03; mlp_reg_gap_small abs=0.075; linear_gap_large abs=0.04; mlp_gap_large abs=0.03; mlp_reg_gap_large abs=0.02; linear_diag_large abs=0; mlp_diag_large abs=0; mlp_reg_diag_large abs=0
"""
import json
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons

SEED = 0
X, y = make_moons(n_samples=1800, noise=0.3, random_state=190)
X = (X - X.mean(0)) / X.std(0)
X_t, y_t = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
X_val, y_val = X_t[1000:], y_t[1000:]
SIZES = [20, 50, 100, 200, 400, 800]


def make_model(kind):
    if kind == "linear":
        return nn.Linear(2, 1)
    p = 0.2 if kind == "mlp_reg" else 0.0
    return nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Dropout(p), nn.Linear(128, 128), nn.ReLU(),
                         nn.Dropout(p), nn.Linear(128, 1))


def error(model, X, y):
    model.eval()
    with torch.no_grad():
        return ((model(X).squeeze(1) > 0).float() != y).float().mean().item()


def fit(kind, n):
    torch.manual_seed(SEED)
    model = make_model(kind)
    wd = 1e-2 if kind == "mlp_reg" else 0.0
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=wd)
    Xn, yn = X_t[:n], y_t[:n]
    for step in range(300):
        model.train()
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(Xn).squeeze(1), yn)
        loss.backward()
        opt.step()
    return error(model, Xn, yn), error(model, X_val, y_val)


def diagnose(train_err, val_err, target=0.15):
    if train_err > target:
        return "high bias"
    if val_err - train_err > 0.05:
        return "high variance"
    return "ok"


result = {}
for kind in ("linear", "mlp", "mlp_reg"):
    tr_errs, val_errs = [], []
    for n in SIZES:
        tr, va = fit(kind, n)
        tr_errs.append(tr)
        val_errs.append(va)
    print(f"{kind:8s} train err " + " ".join(f"{e:.3f}" for e in tr_errs))
    print(f"{'':8s} val   err " + " ".join(f"{e:.3f}" for e in val_errs))
    result[f"{kind}_val_err"] = val_errs
    result[f"{kind}_train_err_large"] = tr_errs[-1]
    result[f"{kind}_gap_small"] = val_errs[0] - tr_errs[0]
    result[f"{kind}_gap_large"] = val_errs[-1] - tr_errs[-1]
    result[f"{kind}_diag_large"] = diagnose(tr_errs[-1], val_errs[-1])
    print(f"{'':8s} diagnosis n={SIZES[0]}: {diagnose(tr_errs[0], val_errs[0])}, n={SIZES[-1]}: {result[kind + '_diag_large']}")
print("RESULT " + json.dumps(result))
