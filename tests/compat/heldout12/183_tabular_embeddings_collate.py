"""Kaggle-notebook style tabular model: categorical embeddings + numeric features, imbalanced target.

Synthetic "customer churn" table (3 categorical columns, 5 numeric), ~10% positives. A Dataset
returns dict rows, a custom collate_fn stacks them into tensors; the MLP concatenates
nn.Embedding outputs with standardised numerics. Trained with BCEWithLogitsLoss(pos_weight)
and compared to an unweighted run; reports ROC-AUC, balanced accuracy and recall.
Seeds 0-4 (torch): AUC 0.803-0.812 both runs (spread 0.009); weighted balanced acc spread 0.024,
weighted recall 0.034, weighted predicted-positive rate 0.029, unweighted balanced acc 0.036
(unweighted recall is too noisy to compare). The table itself is seed-independent.
COMPARE: metric pos_rate abs=1e-6; neg_pos_ratio rel=1e-6; plain_auc abs=0.02; weighted_auc abs=0.02; plain_bal_acc abs=0.07; weighted_bal_acc abs=0.05; weighted_recall abs=0.07; weighted_pred_pos_rate abs=0.06
"""
import json
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader
from sklearn.metrics import roc_auc_score, balanced_accuracy_score, recall_score

SEED = 0
CARDS = {"plan": 4, "region": 7, "channel": 3}

# ---- synthetic table (fixed NumPy seed, so the data is identical for every SEED) --------
data_rng = np.random.default_rng(183)
N = 3000
cats = {c: data_rng.integers(0, k, N) for c, k in CARDS.items()}
num = data_rng.normal(size=(N, 5)) * np.array([1.0, 5.0, 0.5, 2.0, 10.0]) + np.array([0, 20, 1, 0, 50])
plan_eff = np.array([-1.0, 0.0, 0.5, 1.5])[cats["plan"]]
region_eff = data_rng.normal(0, 0.7, CARDS["region"])[cats["region"]]
logit = -3.2 + plan_eff + region_eff + 0.8 * (num[:, 0]) - 0.15 * (num[:, 1] - 20) + 0.5 * (cats["channel"] == 2)
target = (data_rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.float32)
print(f"positive rate {target.mean():.3f}")
idx = data_rng.permutation(N)
tr, te = idx[:2200], idx[2200:]
mu, sd = num[tr].mean(0), num[tr].std(0)
num = (num - mu) / sd


class ChurnDataset(Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        r = self.rows[i]
        return {"cat": [int(cats[c][r]) for c in CARDS], "num": num[r].astype(np.float32), "y": float(target[r])}


def collate(batch):
    return {"cat": torch.tensor([b["cat"] for b in batch], dtype=torch.long),
            "num": torch.from_numpy(np.stack([b["num"] for b in batch])),
            "y": torch.tensor([b["y"] for b in batch])}


class TabularNet(nn.Module):
    def __init__(self, cards, n_num, emb_dim=4, hidden=32):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(k, emb_dim) for k in cards.values())
        self.mlp = nn.Sequential(nn.Linear(emb_dim * len(cards) + n_num, hidden), nn.ReLU(),
                                 nn.Dropout(0.1), nn.Linear(hidden, 1))

    def forward(self, cat, num):
        e = [emb(cat[:, i]) for i, emb in enumerate(self.embs)]
        return self.mlp(torch.cat(e + [num], dim=1)).squeeze(1)


def fit(pos_weight):
    torch.manual_seed(SEED)
    model = TabularNet(CARDS, 5)
    loader = DataLoader(ChurnDataset(tr), batch_size=64, shuffle=True, collate_fn=collate)
    crit = nn.BCEWithLogitsLoss(pos_weight=None if pos_weight is None else torch.tensor(pos_weight))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    for epoch in range(12):
        model.train()
        for b in loader:
            opt.zero_grad()
            loss = crit(model(b["cat"], b["num"]), b["y"])
            loss.backward()
            opt.step()
    model.eval()
    test_b = collate([ChurnDataset(te)[i] for i in range(len(te))])
    with torch.no_grad():
        prob = torch.sigmoid(model(test_b["cat"], test_b["num"])).numpy()
    yt = test_b["y"].numpy()
    pred = (prob > 0.5).astype(int)
    return {"auc": roc_auc_score(yt, prob), "bal_acc": balanced_accuracy_score(yt, pred),
            "recall": recall_score(yt, pred), "pred_pos_rate": float(pred.mean())}


neg_pos = float((1 - target[tr]).sum() / target[tr].sum())
plain = fit(None)
weighted = fit(neg_pos)
for name, r in (("unweighted", plain), ("pos_weight", weighted)):
    print(f"{name:10s} AUC {r['auc']:.3f}  balanced acc {r['bal_acc']:.3f}  recall {r['recall']:.3f}  "
          f"predicted positive rate {r['pred_pos_rate']:.3f}")
result = {"pos_rate": float(target.mean()), "neg_pos_ratio": neg_pos}
result.update({f"plain_{k}": v for k, v in plain.items()})
result.update({f"weighted_{k}": v for k, v in weighted.items()})
print("RESULT " + json.dumps(result))
