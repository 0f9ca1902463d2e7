"""The "Learn the Basics" optimization-loop layout on tabular data: a custom Dataset
subclass holding NumPy arrays (__len__/__getitem__ returning (tensor, int label)), a
DataLoader with batch_size=32 and shuffle=False, train_loop(dataloader, model, loss_fn,
optimizer) and test_loop(dataloader, model, loss_fn) functions with size/num_batches
bookkeeping, model.train()/model.eval(), torch.no_grad(), .argmax(1) == y summed with
.type(torch.float).sum().item().  Weights from a NumPy RNG, batching deterministic, no
dropout: exact.  Torch float64 rerun (measured) differs from float32 by <= 2e-7 relative;
accuracies are identical.

COMPARE: exact rtol=1e-4 atol=1e-6; test_acc abs=0.01
"""
import json

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

rng = np.random.default_rng(73)
centers = rng.normal(0, 2, (3, 5))
labels = rng.integers(0, 3, 600)
feats = (centers[labels] + rng.normal(0, 1.2, (600, 5))).astype(np.float32)


class BlobDataset(Dataset):
    def __init__(self, X, y, transform=None):
        self.X = X
        self.y = y
        self.transform = transform

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        x = torch.from_numpy(self.X[idx])
        if self.transform:
            x = self.transform(x)
        return x, int(self.y[idx])


training_data = BlobDataset(feats[:480], labels[:480])
test_data = BlobDataset(feats[480:], labels[480:], transform=lambda t: t * 1.0)
train_dataloader = DataLoader(training_data, batch_size=32)
test_dataloader = DataLoader(test_data, batch_size=32)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 3))

    def forward(self, x):
        x = self.flatten(x)
        return self.linear_relu_stack(x)


model = NeuralNetwork()
with torch.no_grad():
    for layer in model.linear_relu_stack:
        if isinstance(layer, nn.Linear):
            layer.weight.copy_(torch.tensor(rng.normal(0, 0.3, layer.weight.shape), dtype=torch.float32))
            layer.bias.fill_(0.01)

learning_rate, epochs = 1e-2, 5
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)


def train_loop(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    last = None
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 5 == 0:
            loss, current = loss.item(), batch * 32 + len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")
        last = float(loss)
    return last


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return test_loss, correct


train_losses, test_losses = [], []
for t in range(epochs):
    print(f"Epoch {t+1}\n-------------------------------")
    train_losses.append(train_loop(train_dataloader, model, loss_fn, optimizer))
    test_loss, test_acc = test_loop(test_dataloader, model, loss_fn)
    test_losses.append(test_loss)
print("Done!")
res = {"train_losses": train_losses, "test_losses": test_losses, "test_acc": test_acc,
       "n_batches": len(train_dataloader)}
print("RESULT " + json.dumps(res))
