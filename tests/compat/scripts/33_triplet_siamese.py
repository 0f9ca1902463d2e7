"""A siamese embedding network trained with nn.TripletMarginLoss on the 8x8 digits: anchors,
positives and negatives drawn by index from a NumPy RNG, F.normalize'd embeddings; evaluated
by nearest class centroid (torch.cdist) and by a pairwise-distance margin check.

COMPARE: exact rtol=1e-3 atol=1e-5; centroid_acc abs=0.006
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
rng = np.random.default_rng(33)
perm = rng.permutation(len(X))
train_idx, test_idx = perm[:1300], perm[1300:]
y_train_np = digits.target[train_idx]
by_class = [train_idx[y_train_np == c] for c in range(10)]


class EmbeddingNet(nn.Module):
    def __init__(self, dim=8):
        super().__init__()
        self.fc1 = nn.Linear(64, 64)
        self.fc2 = nn.Linear(64, dim)

    def forward(self, x):
        return F.normalize(self.fc2(F.relu(self.fc1(x))), p=2, dim=1)


def sample_triplets(n):
    cls = rng.integers(0, 10, size=n)
    other = (cls + rng.integers(1, 10, size=n)) % 10
    a = np.array([rng.choice(by_class[c]) for c in cls])
    p = np.array([rng.choice(by_class[c]) for c in cls])
    neg = np.array([rng.choice(by_class[c]) for c in other])
    return torch.from_numpy(a), torch.from_numpy(p), torch.from_numpy(neg)


net = EmbeddingNet()
with torch.no_grad():
    for name, param in net.named_parameters():
        if "weight" in name:
            param.copy_(torch.from_numpy(rng.normal(0, 1 / np.sqrt(param.shape[1]), param.shape)
                                         .astype(np.float32)))
        else:
            param.zero_()
criterion = nn.TripletMarginLoss(margin=0.5, p=2)
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

losses = []
for it in range(150):
    a, p, n = sample_triplets(64)
    loss = criterion(net(X[a]), net(X[p]), net(X[n]))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if it % 50 == 0:
        print(f"iter {it}: triplet loss {loss.item():.4f}")

net.eval()
with torch.no_grad():
    emb_train = net(X[train_idx])
    centroids = torch.stack([emb_train[torch.from_numpy(y_train_np == c)].mean(0) for c in range(10)])
    emb_test = net(X[test_idx])
    dists = torch.cdist(emb_test, centroids)
    centroid_acc = (dists.argmin(dim=1) == y[test_idx]).float().mean().item()
    a, p, n = sample_triplets(300)
    d_ap = F.pairwise_distance(net(X[a]), net(X[p]))
    d_an = F.pairwise_distance(net(X[a]), net(X[n]))
    margin_ok = (d_an > d_ap).float().mean().item()
print("RESULT " + json.dumps({"final_loss": float(np.mean(losses[-10:])), "first_loss": losses[0],
                              "centroid_acc": centroid_acc, "margin_ok": margin_ok,
                              "emb_norm": emb_test.norm(dim=1).mean().item()}))
