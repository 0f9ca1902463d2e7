"""Mixing NumPy and torch: torch.from_numpy shares memory with its array (a write to the array
shows in the tensor), .numpy() shares the other way, torch.as_tensor, .tolist(), .item();
logistic regression on iris with the weights in plain tensors (requires_grad=True) and a
manual update under torch.no_grad(); a confusion matrix accumulated with
index_put_(..., accumulate=True), and per-class precision through .numpy().

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_iris

arr = np.zeros(3, dtype=np.float32)
t = torch.from_numpy(arr)
arr[0] = 5.0
t[1] = 7.0
shared_from_numpy = [t[0].item(), float(arr[1])]
t2 = torch.ones(2, 2)
view = t2.numpy()
t2.add_(1)
shared_numpy = view.tolist()

iris = load_iris()
rng = np.random.default_rng(43)
perm = rng.permutation(150)
X = torch.as_tensor(iris.data[perm], dtype=torch.float32)
y = torch.as_tensor(iris.target[perm])
X = (X - X.mean(dim=0)) / X.std(dim=0)
X_train, y_train, X_test, y_test = X[:100], y[:100], X[100:], y[100:]

W = torch.tensor(rng.normal(0, 0.1, (4, 3)), dtype=torch.float32, requires_grad=True)
b = torch.zeros(3, requires_grad=True)
lr = 0.5
for epoch in range(100):
    logits = X_train @ W + b
    loss = F.cross_entropy(logits, y_train)
    loss.backward()
    with torch.no_grad():
        W -= lr * W.grad
        b -= lr * b.grad
        W.grad.zero_()
        b.grad.zero_()

with torch.no_grad():
    pred = (X_test @ W + b).argmax(dim=1)
cm = torch.zeros(3, 3, dtype=torch.int64)
cm.index_put_((y_test, pred), torch.ones(len(y_test), dtype=torch.int64), accumulate=True)
cm_np = cm.numpy()
precision = (np.diag(cm_np) / np.maximum(cm_np.sum(axis=0), 1)).tolist()
print(cm)
print("RESULT " + json.dumps({"shared_from_numpy": shared_from_numpy, "shared_numpy": shared_numpy,
                              "loss": loss.item(), "W": W.detach().numpy().round(5).tolist(),
                              "cm": cm.tolist(), "precision": precision,
                              "pred_dtype": str(pred.dtype).replace("torch.", ""),
                              "acc": float((pred == y_test).sum()) / len(y_test)}))
