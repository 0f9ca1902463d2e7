"""A map-style Dataset subclass with a transform callable (a small Compose of ToTensor and
Standardize classes) and a custom collate_fn that pads variable-length sequences with
pad_sequence and returns lengths; a masked mean-pool classifier.  No shuffling, weights from
a NumPy RNG.

COMPARE: exact rtol=1e-4 atol=1e-6; acc abs=0.01
"""
import json

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset

rng = np.random.default_rng(30)


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x


class ToTensor:
    def __call__(self, x):
        return torch.as_tensor(x, dtype=torch.float32)


class Standardize:
    def __init__(self, mean, std):
        self.mean, self.std = mean, std

    def __call__(self, x):
        return (x - self.mean) / self.std


class SequenceDataset(Dataset):
    """Sequences of 3-d points of length 3..11; label 1 when feature 0 averages above zero."""

    def __init__(self, n, transform=None):
        lengths = rng.integers(3, 12, size=n)
        self.seqs = [rng.normal(0, 1, (L, 3)) + rng.normal(0, 0.5) for L in lengths]
        self.labels = [int(s[:, 0].mean() > 0) for s in self.seqs]
        self.transform = transform

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, idx):
        x = self.seqs[idx]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.labels[idx]


def pad_collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    padded = pad_sequence(seqs, batch_first=True)          # (B, T_max, 3), zero padded
    return padded, lengths, torch.tensor(labels)


class MeanPoolNet(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.proj = nn.Linear(3, hidden)
        self.out = nn.Linear(hidden, 2)

    def forward(self, x, lengths):
        h = torch.relu(self.proj(x))
        mask = (torch.arange(x.size(1))[None, :] < lengths[:, None]).unsqueeze(-1)
        h = (h * mask).sum(dim=1) / lengths.unsqueeze(1).float()
        return self.out(h)


transform = Compose([ToTensor(), Standardize(0.1, 1.2)])
train_ds = SequenceDataset(400, transform=transform)
test_ds = SequenceDataset(200, transform=transform)
train_loader = DataLoader(train_ds, batch_size=16, shuffle=False, collate_fn=pad_collate)
test_loader = DataLoader(test_ds, batch_size=50, collate_fn=pad_collate)

model = MeanPoolNet()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.normal(0, 0.3, tuple(p.shape)).astype(np.float32)))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
criterion = nn.CrossEntropyLoss()

first_x, first_len, first_y = next(iter(train_loader))
for epoch in range(8):
    running = 0.0
    for x, lengths, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x, lengths), y)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(y)
    print(f"epoch {epoch}: loss {running / len(train_ds):.4f}")

correct = 0
model.eval()
with torch.no_grad():
    for x, lengths, y in test_loader:
        correct += (model(x, lengths).argmax(1) == y).sum().item()
print("RESULT " + json.dumps({
    "batch_shape": list(first_x.shape), "first_lengths": first_len.tolist()[:5],
    "pad_is_zero": bool((first_x[0, first_len[0]:] == 0).all()),
    "n_batches": len(train_loader), "train_loss": running / len(train_ds),
    "acc": correct / len(test_ds)}))
