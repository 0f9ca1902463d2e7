"""Data augmentation without torchvision (a forum answer's hand-written transforms): synthetic
12x12 "glyph" images of four classes (a horizontal bar, a vertical bar, a plus, an L shape)
drawn at random positions with pixel noise; a Dataset subclass applies a transform callable in
__getitem__: reflect-pad by 2 (F.pad), random 12x12 crop (torch.randint offsets), random
horizontal flip (torch.flip) and random erasing of a 3x3 patch.  The same small CNN
(Conv2d-ReLU-MaxPool2d x2, AdaptiveAvgPool2d, Linear) trained on only 60 images with and
without augmentation through a shuffling DataLoader, tested on 400 images placed anywhere.
Data, augmentation and init all come from torch's RNG: metric.
Torch seeds 0-4 (measured): test_acc_aug 0.93-0.99 (spread 0.058), test_acc_plain
0.86-0.95 (0.09), train_acc_plain always 1.0, train_acc_aug 0.95-1.0 (0.05), final_loss_plain
0.0056-0.015 (0.0094).  Tolerances about 2x the spread.

COMPARE: metric test_acc_aug abs=0.12; test_acc_plain abs=0.18; train_acc_plain abs=0.02; train_acc_aug abs=0.1; final_loss_plain abs=0.02
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

SEED = 0
torch.manual_seed(SEED)
SIZE = 12


def glyph(label):
    img = torch.zeros(SIZE, SIZE)
    r, c = torch.randint(1, SIZE - 6, (2,)).tolist()
    if label == 0:
        img[r + 2, c:c + 6] = 1.0
    elif label == 1:
        img[r:r + 6, c + 2] = 1.0
    elif label == 2:
        img[r + 2, c:c + 5] = 1.0
        img[r:r + 5, c + 2] = 1.0
    else:
        img[r:r + 5, c] = 1.0
        img[r + 4, c:c + 5] = 1.0
    return img + 0.25 * torch.randn(SIZE, SIZE)


def make_set(n):
    labels = torch.arange(n) % 4
    images = torch.stack([glyph(int(l)) for l in labels]).unsqueeze(1)
    return images, labels


class GlyphDataset(Dataset):
    def __init__(self, images, labels, transform=None):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        x = self.images[idx]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.labels[idx]


def augment(x):  # x: (1, H, W)
    x = F.pad(x.unsqueeze(0), (2, 2, 2, 2), mode="reflect").squeeze(0)
    i, j = torch.randint(0, 5, (2,)).tolist()
    x = x[:, i:i + SIZE, j:j + SIZE]
    if torch.rand(1).item() < 0.5:
        x = torch.flip(x, dims=[2])
    if torch.rand(1).item() < 0.5:
        a, b = torch.randint(0, SIZE - 3, (2,)).tolist()
        x = x.clone()
        x[:, a:a + 3, b:b + 3] = 0.0
    return x


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.AdaptiveAvgPool2d(1),
        )
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


train_x, train_y = make_set(60)
test_x, test_y = make_set(400)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


res = {}
for name, tf in [("plain", None), ("aug", augment)]:
    model = SmallCNN()
    loader = DataLoader(GlyphDataset(train_x, train_y, tf), batch_size=8, shuffle=True)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(50):
        model.train()
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
    res["train_acc_" + name] = accuracy(model, train_x, train_y)
    res["test_acc_" + name] = accuracy(model, test_x, test_y)
    res["final_loss_" + name] = total / len(train_y)
    print(f"{name:5s}: last epoch loss {total / len(train_y):.4f} train acc "
          f"{res['train_acc_' + name]:.3f} test acc {res['test_acc_' + name]:.3f}")
print("RESULT " + json.dumps(res))
