"""MLP with nn.Sequential on the 8x8 digits, Adam, evaluation under no_grad.

Weights are copied in from a NumPy RNG; batches are a NumPy permutation.

COMPARE: exact rtol=1e-3 atol=1e-5; val_acc abs=0.006
"""
import json

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

digits = load_digits()
X = torch.from_numpy((digits.data / 16.0).astype(np.float32))
y = torch.from_numpy(digits.target).long()
rng = np.random.default_rng(3)
perm = rng.permutation(len(X))
X_train, y_train = X[perm[:1400]], y[perm[:1400]]
X_val, y_val = X[perm[1400:]], y[perm[1400:]]

model = nn.Sequential(
    nn.Linear(64, 128),
    nn.ReLU(),
    nn.Linear(128, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
)
with torch.no_grad():
    for name, p in model.named_parameters():
        if "weight" in name:
            fan_in = p.shape[1]
            p.copy_(torch.from_numpy(rng.uniform(-1, 1, p.shape).astype(np.float32) / np.sqrt(fan_in)))
        else:
            p.zero_()

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(8):
    model.train()
    order = rng.permutation(len(X_train))
    running = 0.0
    for i in range(0, len(order), 50):
        idx = order[i:i + 50]
        optimizer.zero_grad()
        outputs = model(X_train[idx])
        loss = criterion(outputs, y_train[idx])
        loss.backward()
        optimizer.step()
        running += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        val_logits = model(X_val)
        val_loss = criterion(val_logits, y_val).item()
        val_acc = (val_logits.argmax(dim=1) == y_val).float().mean().item()
    print(f"epoch {epoch}: train {running / len(X_train):.4f} val {val_loss:.4f} acc {val_acc:.3f}")

print("RESULT " + json.dumps({"train_loss": running / len(X_train), "val_loss": val_loss,
                              "val_acc": val_acc}))
