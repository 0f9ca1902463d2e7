"""An MLP on tabular data with categorical columns: each categorical column gets an nn.Embedding
(sizes from the rule of thumb min(50, (n + 1) // 2)) held in an nn.ModuleList, the embeddings
are torch.cat'ed with the standardized numeric columns, BatchNorm1d + Dropout(0) + Linear
layers, and a regression target trained with MSE; a Dataset subclass returns
(x_cat, x_num, y) and the DataLoader collates the three.  Weights from a NumPy RNG.

COMPARE: exact rtol=1e-3 atol=1e-5
"""
import json

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

rng = np.random.default_rng(51)
n = 800
cardinalities = [7, 4, 12]
cats = np.stack([rng.integers(0, c, size=n) for c in cardinalities], axis=1)
nums = rng.normal(size=(n, 3)).astype(np.float32)
effects = [rng.normal(0, 1, c) for c in cardinalities]
target = (sum(e[cats[:, j]] for j, e in enumerate(effects)) + nums @ np.array([0.5, -1.0, 0.25])
          + 0.1 * rng.normal(size=n)).astype(np.float32)


class TabularDataset(Dataset):
    def __init__(self, cats, nums, y):
        self.cats = torch.as_tensor(cats, dtype=torch.long)
        self.nums = torch.as_tensor(nums, dtype=torch.float32)
        self.y = torch.as_tensor(y, dtype=torch.float32).unsqueeze(1)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        return self.cats[idx], self.nums[idx], self.y[idx]


class TabularModel(nn.Module):
    def __init__(self, emb_szs, n_cont, hidden=(32, 16)):
        super().__init__()
        self.embeds = nn.ModuleList([nn.Embedding(ni, nf) for ni, nf in emb_szs])
        self.emb_drop = nn.Dropout(0.0)
        self.bn_cont = nn.BatchNorm1d(n_cont)
        n_emb = sum(e.embedding_dim for e in self.embeds)
        layers, n_in = [], n_emb + n_cont
        for h in hidden:
            layers += [nn.Linear(n_in, h), nn.ReLU(inplace=True), nn.BatchNorm1d(h)]
            n_in = h
        layers.append(nn.Linear(n_in, 1))
        self.layers = nn.Sequential(*layers)

    def forward(self, x_cat, x_cont):
        x = [e(x_cat[:, i]) for i, e in enumerate(self.embeds)]
        x = self.emb_drop(torch.cat(x, 1))
        x = torch.cat([x, self.bn_cont(x_cont)], 1)
        return self.layers(x)


emb_szs = [(c, min(50, (c + 1) // 2)) for c in cardinalities]
train_ds = TabularDataset(cats[:640], nums[:640], target[:640])
valid_ds = TabularDataset(cats[640:], nums[640:], target[640:])
train_dl = DataLoader(train_ds, batch_size=64, shuffle=False)
valid_dl = DataLoader(valid_ds, batch_size=256)

model = TabularModel(emb_szs, n_cont=3)
with torch.no_grad():
    for name, p in model.named_parameters():
        if "bn" in name or name.startswith("layers.2") or name.startswith("layers.5"):
            continue  # batch-norm weights stay 1, biases 0
        p.copy_(torch.from_numpy(rng.normal(0, 0.3, size=tuple(p.shape)).astype(np.float32)))
n_params = sum(p.numel() for p in model.parameters())

opt = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.MSELoss()
history = []
for epoch in range(12):
    model.train()
    for xc, xn, yb in train_dl:
        opt.zero_grad()
        loss = loss_fn(model(xc, xn), yb)
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        val = sum(loss_fn(model(xc, xn), yb).item() * len(yb) for xc, xn, yb in valid_dl) / len(valid_ds)
    history.append(val)
    print(f"epoch {epoch}: val mse {val:.4f}")

xc0, xn0, y0 = train_ds[3]
print("RESULT " + json.dumps({"emb_szs": emb_szs, "n_params": n_params, "val_mse": history,
                              "item_shapes": [list(xc0.shape), list(xn0.shape), list(y0.shape)],
                              "running_mean": model.bn_cont.running_mean.tolist()}))
