"""The demo: a small MLP on scikit-learn's bundled 8×8 digits (no download)."""
from __future__ import annotations

import time

import numpy as np

import tidu
from tidu import nn
from tidu.nn import functional as F
from tidu.optim import SGD


def load_digits_split(seed: int = 0, test_fraction: float = 0.25):
    """Digits scaled to [0, 1], split into stratified train and test parts."""
    from .data import load_digits
    from .model_selection import train_test_split

    X, y = load_digits()
    return train_test_split(X / 16.0, y, test_size=test_fraction, seed=seed, stratify=y)


def run_digits_mlp(epochs: int = 30, batch_size: int = 32, lr: float = 0.05, seed: int = 0,
                   log=None) -> dict:
    tidu.manual_seed(seed)
    X_train, X_test, y_train, y_test = load_digits_split(seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = SGD(model.parameters(), lr=lr, momentum=0.9)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for epoch in range(epochs):
        order = rng.permutation(len(X_train))
        total = 0.0
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            loss = F.cross_entropy(model(tidu.Tensor(X_train[idx])), tidu.Tensor(y_train[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if log and (epoch + 1) % 10 == 0:
            log(f"epoch {epoch + 1:3d}  train loss {total / len(order):.4f}")
    model.eval()
    with tidu.no_grad():
        pred = model(tidu.Tensor(X_test))._data.argmax(axis=1)
    return {"test_accuracy": float((pred == y_test).mean()), "n_test": len(y_test),
            "seconds": time.perf_counter() - start}
