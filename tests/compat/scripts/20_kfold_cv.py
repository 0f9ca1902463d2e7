"""K-fold cross-validation by hand (d2l 5.7 style): get_k_fold_data slices the tensors, a fresh
model per fold, the average train and validation log-RMSE over k=5 folds.

COMPARE: exact rtol=1e-3 atol=1e-6
"""
import json

import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(20)
n, d = 250, 8
X = torch.tensor(rng.normal(0, 1, (n, d)), dtype=torch.float32)
price = torch.exp(X @ torch.tensor(rng.normal(0, 0.3, (d, 1)), dtype=torch.float32) + 3.0)
y = price * torch.tensor(np.exp(rng.normal(0, 0.05, (n, 1))), dtype=torch.float32)
w_start = rng.normal(0, 0.1, (1, d)).astype(np.float32)

loss = nn.MSELoss()


def get_net():
    net = nn.Sequential(nn.Linear(d, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(w_start))
        net[0].bias.fill_(20.0)
    return net


def log_rmse(net, features, labels):
    clipped_preds = torch.clamp(net(features), 1, float("inf"))
    rmse = torch.sqrt(loss(torch.log(clipped_preds), torch.log(labels)))
    return rmse.item()


def get_k_fold_data(k, i, X, y):
    assert k > 1
    fold_size = X.shape[0] // k
    X_train, y_train = None, None
    for j in range(k):
        idx = slice(j * fold_size, (j + 1) * fold_size)
        X_part, y_part = X[idx, :], y[idx]
        if j == i:
            X_valid, y_valid = X_part, y_part
        elif X_train is None:
            X_train, y_train = X_part, y_part
        else:
            X_train = torch.cat([X_train, X_part], 0)
            y_train = torch.cat([y_train, y_part], 0)
    return X_train, y_train, X_valid, y_valid


def train(net, train_features, train_labels, num_epochs, lr, weight_decay, batch_size):
    optimizer = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    for epoch in range(num_epochs):
        for i in range(0, len(train_features), batch_size):
            optimizer.zero_grad()
            l = loss(net(train_features[i:i + batch_size]), train_labels[i:i + batch_size])
            l.backward()
            optimizer.step()


k = 5
train_l_sum, valid_l_sum = 0.0, 0.0
for i in range(k):
    X_tr, y_tr, X_va, y_va = get_k_fold_data(k, i, X, y)
    net = get_net()
    train(net, X_tr, y_tr, num_epochs=20, lr=0.5, weight_decay=0.0, batch_size=32)
    train_l, valid_l = log_rmse(net, X_tr, y_tr), log_rmse(net, X_va, y_va)
    train_l_sum += train_l
    valid_l_sum += valid_l
    print(f"fold {i + 1}, train log rmse {train_l:f}, valid log rmse {valid_l:f}")
print("RESULT " + json.dumps({"train_log_rmse": train_l_sum / k, "valid_log_rmse": valid_l_sum / k}))
