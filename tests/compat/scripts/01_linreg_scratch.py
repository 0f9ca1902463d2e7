"""Linear regression from scratch (d2l 3.4 style): manual SGD on w and b.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch

rng = np.random.default_rng(0)
true_w = torch.tensor([2.0, -3.4])
true_b = 4.2
X = torch.from_numpy(rng.normal(0, 1, (1000, 2)).astype(np.float32))
y = X @ true_w + true_b + torch.from_numpy(rng.normal(0, 0.01, 1000).astype(np.float32))
y = y.reshape((-1, 1))

w = torch.from_numpy(rng.normal(0, 0.01, (2, 1)).astype(np.float32)).requires_grad_(True)
b = torch.zeros(1, requires_grad=True)


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


lr, num_epochs, batch_size = 0.03, 3, 10
for epoch in range(num_epochs):
    order = rng.permutation(len(X))
    for i in range(0, len(X), batch_size):
        idx = torch.tensor(order[i:i + batch_size])
        l = squared_loss(linreg(X[idx], w, b), y[idx])
        l.sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = squared_loss(linreg(X, w, b), y)
        print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")

print("RESULT " + json.dumps({
    "loss": float(train_l.mean()),
    "w0": w[0].item(), "w1": w[1].item(), "b": b.item(),
    "w_err": (true_w - w.reshape(true_w.shape)).abs().max().item(),
}))
