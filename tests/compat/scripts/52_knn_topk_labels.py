"""k-nearest neighbours without training: string labels encoded with
torch.unique(return_inverse=True, return_counts=True) (after mapping the strings to ids through a
dict), squared Euclidean distances by the expansion |a|^2 - 2 a.b + |b|^2, the k nearest by
torch.topk(largest=False), a majority vote with torch.mode and a distance-weighted vote with
scatter_add_; accuracy for k = 1, 3, 5, 9, and a check against torch.cdist.

COMPARE: exact rtol=1e-4 atol=1e-5
"""
import json

import numpy as np
import torch
from sklearn.datasets import load_iris

iris = load_iris()
names = [iris.target_names[t] for t in iris.target]       # string labels, as from a CSV
perm = np.random.default_rng(52).permutation(len(names))
X = torch.tensor(iris.data[perm], dtype=torch.float32)
names = [names[i] for i in perm]

name_to_id = {name: i for i, name in enumerate(sorted(set(names)))}
raw = torch.tensor([name_to_id[s] * 10 + 5 for s in names])      # arbitrary codes
classes, y, counts = torch.unique(raw, return_inverse=True, return_counts=True)
n_classes = len(classes)

mean, std = X[:100].mean(0), X[:100].std(0)
X = (X - mean) / std
X_train, y_train, X_test, y_test = X[:100], y[:100], X[100:], y[100:]

d2 = (X_test ** 2).sum(1, keepdim=True) - 2 * X_test @ X_train.T + (X_train ** 2).sum(1)
d2 = d2.clamp_min(0)
cdist_ok = torch.allclose(d2.sqrt(), torch.cdist(X_test, X_train), atol=1e-4)

results = {}
for k in (1, 3, 5, 9):
    dist, idx = torch.topk(d2, k, dim=1, largest=False)
    neighbours = y_train[idx]
    vote = torch.mode(neighbours, dim=1).values
    weights = 1.0 / (dist.sqrt() + 1e-6)
    scores = torch.zeros(len(X_test), n_classes).scatter_add_(1, neighbours, weights)
    wvote = scores.argmax(1)
    results[f"acc_k{k}"] = (vote == y_test).float().mean().item()
    results[f"wacc_k{k}"] = (wvote == y_test).float().mean().item()
    print(k, results[f"acc_k{k}"], results[f"wacc_k{k}"])

dist3, idx3 = torch.topk(d2, 3, dim=1, largest=False)
results.update({"classes": classes.tolist(), "counts": counts.tolist(), "y_head": y[:10].tolist(),
                "cdist_ok": cdist_ok, "idx3_head": idx3[:4].tolist(),
                "dist3_head": dist3[:4].tolist(), "sorted_ok": bool((dist3[:, 1:] >= dist3[:, :-1]).all())})
print("RESULT " + json.dumps(results))
