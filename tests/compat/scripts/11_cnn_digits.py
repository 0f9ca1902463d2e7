"""A small CNN (Conv2d, ReLU, MaxPool2d, Flatten, Linear) on the 8x8 digits as 1x8x8 images,
SGD with momentum, pytorch/examples mnist style train()/test() functions.

COMPARE: exact rtol=1e-3 atol=1e-5; test_acc abs=0.006
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from sklearn.datasets import load_digits


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1, 1)
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = self.flatten(x)
        return F.log_softmax(self.fc(x), dim=1)


def train(model, data, target, optimizer, rng, batch_size=64):
    model.train()
    order = rng.permutation(len(data))
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        optimizer.zero_grad()
        output = model(data[idx])
        loss = F.nll_loss(output, target[idx])
        loss.backward()
        optimizer.step()
    return loss.item()


def test(model, data, target):
    model.eval()
    with torch.no_grad():
        output = model(data)
        test_loss = F.nll_loss(output, target, reduction="sum").item() / len(data)
        pred = output.argmax(dim=1, keepdim=True)
        correct = pred.eq(target.view_as(pred)).sum().item()
    return test_loss, correct / len(data)


digits = load_digits()
images = torch.tensor(digits.images[:, None, :, :] / 16.0, dtype=torch.float32)
labels = torch.tensor(digits.target)
rng = np.random.default_rng(11)
perm = rng.permutation(len(images))
tr, te = perm[:1400], perm[1400:]

model = Net()
with torch.no_grad():
    for name, p in model.named_parameters():
        if p.dim() > 1:
            fan_in = int(np.prod(p.shape[1:]))
            p.copy_(torch.from_numpy(rng.normal(0, np.sqrt(2.0 / fan_in), p.shape).astype(np.float32)))
        else:
            p.zero_()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(1, 5):
    train_loss = train(model, images[tr], labels[tr], optimizer, rng)
    test_loss, test_acc = test(model, images[te], labels[te])
    print(f"epoch {epoch}: train {train_loss:.4f} test {test_loss:.4f} acc {test_acc:.3f}")
print("RESULT " + json.dumps({"train_loss": train_loss, "test_loss": test_loss, "test_acc": test_acc}))
