"""Blog post: data augmentation fixes a train/test distribution shift in object position.

Synthetic 14x14 images of 4 shapes (horizontal bar, vertical bar, cross, hollow square) plus
noise. In the training set the shapes only appear in the top-left region; in the test set
they appear anywhere. A small CNN is trained without augmentation and with on-the-fly random
translations (torch.roll by torch.randint offsets) + Gaussian noise inside a Dataset.
Seeds 0-4 (torch): without augmentation train acc 1.0 but shifted-test acc 0.48-0.61 (spread 0.13,
loss spread 0.50); with augmentation test acc 0.978-1.0 (spread 0.023), train acc spread 0.026,
test loss 0.046-0.111 (0.064); gain 0.39-0.52.
COMPARE: metric aug_test_acc abs=0.05; aug_train_acc abs=0.05; aug_test_loss abs=0.13; noaug_train_acc abs=0.01; noaug_test_acc abs=0.27; aug_gain abs=0.27
"""
import json
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

SEED = 0
S = 14


def draw(shape, r, c):
    img = np.zeros((S, S), dtype=np.float32)
    if shape == 0:
        img[r + 2, c:c + 5] = 1
    elif shape == 1:
        img[r:r + 5, c + 2] = 1
    elif shape == 2:
        img[r + 2, c:c + 5] = 1
        img[r:r + 5, c + 2] = 1
    else:
        img[r:r + 5, c] = img[r:r + 5, c + 4] = 1
        img[r, c:c + 5] = img[r + 4, c:c + 5] = 1
    return img


def make_set(n, max_pos, rng):
    labels = rng.integers(0, 4, n)
    pos = rng.integers(0, max_pos + 1, (n, 2))
    imgs = np.stack([draw(l, r, c) for l, (r, c) in zip(labels, pos)])
    imgs += 0.15 * rng.standard_normal(imgs.shape).astype(np.float32)
    return torch.from_numpy(imgs).unsqueeze(1), torch.from_numpy(labels)


data_rng = np.random.default_rng(188)
X_tr, y_tr = make_set(800, 4, data_rng)        # shapes only in the top-left corner
X_te, y_te = make_set(400, S - 5, data_rng)    # anywhere


class ShapeDataset(Dataset):
    def __init__(self, X, y, augment=False):
        self.X, self.y, self.augment = X, y, augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        img = self.X[i]
        if self.augment:
            dr, dc = torch.randint(0, S - 4, (2,)).tolist()
            img = torch.roll(img, shifts=(dr, dc), dims=(1, 2))
            img = img + 0.1 * torch.randn_like(img)
        return img, self.y[i]


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 12, 3, padding=1)
        self.c2 = nn.Conv2d(12, 24, 3, padding=1)
        self.fc = nn.Linear(24 * 3 * 3, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.fc(x.flatten(1))


def run(augment, epochs=10):
    torch.manual_seed(SEED)
    model = SmallCNN()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loader = DataLoader(ShapeDataset(X_tr, y_tr, augment), batch_size=32, shuffle=True)
    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        train_acc = (model(X_tr).argmax(1) == y_tr).float().mean().item()
        test_logits = model(X_te)
        test_acc = (test_logits.argmax(1) == y_te).float().mean().item()
        test_loss = F.cross_entropy(test_logits, y_te).item()
    return train_acc, test_acc, test_loss


result = {}
for augment in (False, True):
    tr_acc, te_acc, te_loss = run(augment)
    tag = "aug" if augment else "noaug"
    print(f"{tag:6s}: train acc {tr_acc:.3f}  shifted-test acc {te_acc:.3f}  test loss {te_loss:.3f}")
    result.update({f"{tag}_train_acc": tr_acc, f"{tag}_test_acc": te_acc, f"{tag}_test_loss": te_loss})
result["aug_gain"] = result["aug_test_acc"] - result["noaug_test_acc"]
print("RESULT " + json.dumps(result))
