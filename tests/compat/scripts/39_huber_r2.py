"""Regression with nn.HuberLoss(delta=1.0) on make_friedman1 with a few gross outliers in the
training targets, an R^2 metric computed in torch, an evaluate() function decorated with
@torch.no_grad(), model.train(False) for evaluation, AdamW, and torch.optim.lr_scheduler.StepLR.
Compared with nn.MSELoss on the same data.

COMPARE: exact rtol=1e-3 atol=1e-5
"""
import json

import numpy as np
import torch
from sklearn.datasets import make_friedman1
from torch import nn

X_np, y_np = make_friedman1(n_samples=800, n_features=6, noise=0.5, random_state=39)
rng = np.random.default_rng(39)
outliers = rng.choice(600, size=30, replace=False)
y_np[outliers] += rng.choice([-1, 1], size=30) * 15.0          # corrupt 5% of train targets
X = torch.as_tensor(X_np, dtype=torch.float32)
y = torch.as_tensor(y_np, dtype=torch.float32).unsqueeze(1)
mean, std = X[:600].mean(0, keepdim=True), X[:600].std(0, keepdim=True)
X = (X - mean) / std
X_train, y_train, X_test, y_test = X[:600], y[:600], X[600:], y[600:]


def r2_score(pred, target):
    ss_res = ((target - pred) ** 2).sum()
    ss_tot = ((target - target.mean()) ** 2).sum()
    return 1 - ss_res / ss_tot


@torch.no_grad()
def evaluate(model, X, y):
    model.train(False)
    pred = model(X)
    return r2_score(pred, y).item(), (pred - y).abs().mean().item()


def fit(loss_fn, seed):
    g = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(6, 64), nn.SiLU(), nn.Linear(64, 1))
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)
            m.weight.data = torch.tensor(g.normal(0, (2 / m.in_features) ** 0.5,
                                                  (m.out_features, m.in_features)), dtype=torch.float32)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=20, gamma=0.5)
    for epoch in range(60):
        model.train(True)
        perm = torch.from_numpy(g.permutation(600))
        for i in range(0, 600, 50):
            idx = perm[i:i + 50]
            loss = loss_fn(model(X_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    r2, mae = evaluate(model, X_test, y_test)
    print(f"{loss_fn.__class__.__name__}: test R2 {r2:.4f} MAE {mae:.4f}, training={model.training}")
    return r2, mae, loss.item(), model.training


r2_h, mae_h, loss_h, training_flag = fit(nn.HuberLoss(delta=1.0), 0)
r2_m, mae_m, loss_m, _ = fit(nn.MSELoss(), 0)
print("RESULT " + json.dumps({"r2_huber": r2_h, "mae_huber": mae_h, "loss_huber": loss_h,
                              "r2_mse": r2_m, "mae_mse": mae_m, "loss_mse": loss_m,
                              "training_after_eval": training_flag}))
