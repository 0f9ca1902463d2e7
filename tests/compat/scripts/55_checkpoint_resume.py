"""Checkpointing every epoch and resuming (the "save a general checkpoint" tutorial): a dict with
epoch, model_state_dict, optimizer_state_dict (Adam moments), scheduler_state_dict
(CosineAnnealingLR) and the loss, written with torch.save to a temporary directory each epoch;
a "crash" after epoch 3, then a fresh model/optimizer/scheduler loaded with
torch.load(path) + load_state_dict(), training resumed from checkpoint["epoch"] + 1.  The
resumed run must match an uninterrupted run exactly.  Weights from a NumPy RNG.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_regression

X_np, y_np = make_regression(n_samples=400, n_features=8, noise=5.0, random_state=55)
X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np / 100.0, dtype=torch.float32).view(-1, 1)
EPOCHS = 8


def build():
    model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
    rng = np.random.default_rng(55)
    sd = model.state_dict()
    model.load_state_dict({k: torch.tensor(rng.normal(0, 0.3, v.shape), dtype=torch.float32)
                           for k, v in sd.items()})
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS, eta_min=1e-4)
    return model, optimizer, scheduler


def train_epoch(model, optimizer):
    model.train()
    total = 0.0
    for i in range(0, 400, 40):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X[i:i + 40]), y[i:i + 40])
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / 10


def run(ckpt_dir, crash_after=None, start_from=None):
    model, optimizer, scheduler = build()
    start = 0
    if start_from is not None:
        checkpoint = torch.load(start_from)
        model.load_state_dict(checkpoint["model_state_dict"])
        optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
        scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
        start = checkpoint["epoch"] + 1
    losses = []
    for epoch in range(start, EPOCHS):
        loss = train_epoch(model, optimizer)
        scheduler.step()
        losses.append(loss)
        torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                    "optimizer_state_dict": optimizer.state_dict(),
                    "scheduler_state_dict": scheduler.state_dict(), "loss": loss},
                   os.path.join(ckpt_dir, f"ckpt_{epoch:02d}.pt"))
        if crash_after is not None and epoch == crash_after:
            break
    return model, optimizer, losses


with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
    full_model, full_opt, full_losses = run(d1)
    _, _, first_losses = run(d2, crash_after=3)
    latest = sorted(f for f in os.listdir(d2) if f.startswith("ckpt_"))[-1]
    meta = torch.load(os.path.join(d2, latest))
    resumed_model, resumed_opt, rest_losses = run(d2, start_from=os.path.join(d2, latest))
    n_files = len(os.listdir(d2))

same = all(torch.equal(a, b) for a, b in zip(full_model.state_dict().values(),
                                             resumed_model.state_dict().values()))
print("RESULT " + json.dumps({"full_losses": full_losses, "resumed_losses": first_losses + rest_losses,
                              "latest": latest, "ckpt_epoch": meta["epoch"], "ckpt_loss": meta["loss"],
                              "n_files": n_files, "identical_weights": same,
                              "final_lr": resumed_opt.param_groups[0]["lr"],
                              "adam_steps": int(resumed_opt.state_dict()["state"][0]["step"])}))
