"""A Keras-like training loop class: Trainer(model, loss_fn, optimizer, metrics={...}) with
fit(train_loader, val_loader, epochs) returning a history dict of lists (loss, val_loss and one
entry per metric, Keras-style ``val_`` prefixes), evaluate() and predict() methods; metrics are
plain functions of (logits, targets).  Weights from a NumPy RNG, no shuffling.

COMPARE: exact rtol=1e-3 atol=1e-5; acc abs=0.006; val_acc abs=0.006
"""
import json
from collections import defaultdict

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def accuracy(logits, y):
    return (logits.argmax(1) == y).float().mean().item()


def top2_accuracy(logits, y):
    top2 = logits.topk(2, dim=1).indices
    return (top2 == y.unsqueeze(1)).any(dim=1).float().mean().item()


class Trainer:
    def __init__(self, model, loss_fn, optimizer, metrics=None):
        self.model = model
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.metrics = metrics or {}
        self.history = defaultdict(list)

    def train_step(self, xb, yb):
        self.model.train()
        self.optimizer.zero_grad()
        out = self.model(xb)
        loss = self.loss_fn(out, yb)
        loss.backward()
        self.optimizer.step()
        return loss.detach(), out.detach()

    @torch.no_grad()
    def evaluate(self, loader):
        self.model.eval()
        outs, ys = [], []
        for xb, yb in loader:
            outs.append(self.model(xb))
            ys.append(yb)
        out, y = torch.cat(outs), torch.cat(ys)
        logs = {"loss": self.loss_fn(out, y).item()}
        for name, fn in self.metrics.items():
            logs[name] = fn(out, y)
        return logs

    def fit(self, train_loader, val_loader=None, epochs=1, verbose=True):
        for epoch in range(epochs):
            totals, n = defaultdict(float), 0
            for xb, yb in train_loader:
                loss, out = self.train_step(xb, yb)
                totals["loss"] += loss.item() * len(xb)
                for name, fn in self.metrics.items():
                    totals[name] += fn(out, yb) * len(xb)
                n += len(xb)
            logs = {k: v / n for k, v in totals.items()}
            if val_loader is not None:
                logs.update({"val_" + k: v for k, v in self.evaluate(val_loader).items()})
            for k, v in logs.items():
                self.history[k].append(v)
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs} - " + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        return dict(self.history)

    def predict(self, x):
        self.model.eval()
        with torch.no_grad():
            return self.model(x).softmax(dim=-1)


X_np, y_np = load_wine(return_X_y=True)
order = np.random.default_rng(45).permutation(len(X_np))
X_np, y_np = X_np[order], y_np[order]
X_np = StandardScaler().fit_transform(X_np)
X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np, dtype=torch.long)
train_ds = TensorDataset(X[:130], y[:130])
val_ds = TensorDataset(X[130:], y[130:])
train_loader = DataLoader(train_ds, batch_size=16)
val_loader = DataLoader(val_ds, batch_size=64)

model = nn.Sequential(nn.Linear(13, 24), nn.ReLU(), nn.Linear(24, 3))
rng = np.random.default_rng(45)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(rng.normal(0, 0.2, tuple(p.shape)), dtype=torch.float32))

trainer = Trainer(model, nn.CrossEntropyLoss(), torch.optim.RMSprop(model.parameters(), lr=3e-3),
                  metrics={"acc": accuracy, "top2": top2_accuracy})
history = trainer.fit(train_loader, val_loader, epochs=8)
final = trainer.evaluate(val_loader)
probs = trainer.predict(X[:5])

print("RESULT " + json.dumps({"keys": sorted(history), "loss": history["loss"],
                              "val_loss": history["val_loss"], "acc": history["acc"][-1],
                              "val_acc": final["acc"], "probs_sum": probs.sum(dim=1).tolist(),
                              "probs0": probs[0].tolist()}))
