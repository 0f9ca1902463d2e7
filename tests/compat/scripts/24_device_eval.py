"""The device idiom and an evaluate() helper: device = torch.device("cuda" if
torch.cuda.is_available() else "cpu"), model.to(device), batches .to(device), torch.manual_seed,
evaluation under torch.no_grad() with .item(), argmax(dim=1), (pred == y).float().mean().

COMPARE: exact rtol=1e-3 atol=1e-5; test_acc abs=0.006
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(42)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(8 * 8, 96), nn.ReLU(),
            nn.Linear(96, 96), nn.ReLU(),
            nn.Linear(96, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
rng = np.random.default_rng(24)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.normal(0, 0.1, p.shape).astype(np.float32)))

digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32)
labels = torch.tensor(digits.target, dtype=torch.long)
perm = rng.permutation(len(images))
train_idx, test_idx = perm[:1300], perm[1300:]


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = F.cross_entropy(pred, y).item()
        acc = (pred.argmax(dim=1) == y).float().mean().item()
    return loss, acc


loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)
for t in range(6):
    model.train()
    order = rng.permutation(train_idx)
    for batch, i in enumerate(range(0, len(order), 64)):
        idx = order[i:i + 64]
        X, y = images[idx].to(device), labels[idx].to(device)
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    test_loss, test_acc = evaluate(model, images[test_idx], labels[test_idx])
    print(f"Epoch {t + 1}: loss {loss.item():>7f}  test loss {test_loss:>8f}  accuracy {100 * test_acc:>0.1f}%")
print("RESULT " + json.dumps({"train_loss": loss.item(), "test_loss": test_loss, "test_acc": test_acc,
                              "device": str(device)}))
