"""Softmax regression from scratch on the 8x8 digits (d2l 4.4 style).

COMPARE: exact rtol=1e-4 atol=1e-6; test_acc abs=0.006
"""
import json

import numpy as np
import torch
from sklearn.datasets import load_digits

digits = load_digits()
X_all = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y_all = torch.tensor(digits.target)
rng = np.random.default_rng(1)
perm = rng.permutation(len(X_all))
train_idx, test_idx = perm[:1400], perm[1400:]
X_train, y_train = X_all[train_idx], y_all[train_idx]
X_test, y_test = X_all[test_idx], y_all[test_idx]

num_inputs, num_outputs = 64, 10
W = torch.tensor(rng.normal(0, 0.01, (num_inputs, num_outputs)), dtype=torch.float32,
                 requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def updater(batch_size, lr=0.1):
    with torch.no_grad():
        for param in [W, b]:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


batch_size = 64
for epoch in range(10):
    order = rng.permutation(len(X_train))
    total, n = 0.0, 0
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        Xb, yb = X_train[idx], y_train[idx]
        l = cross_entropy(net(Xb), yb)
        l.sum().backward()
        updater(Xb.shape[0])
        total += float(l.sum())
        n += yb.numel()
    print(f"epoch {epoch + 1}: loss {total / n:.4f}")

with torch.no_grad():
    test_acc = accuracy(net(X_test), y_test) / len(y_test)
print("RESULT " + json.dumps({"train_loss": total / n, "test_acc": test_acc}))
