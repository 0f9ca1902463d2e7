"""Sequence classification with nn.LSTM (batch_first): is the running sum of the sequence
positive at the end?  Uses the final hidden state h_n[-1], 2 layers, CrossEntropyLoss, Adam.

COMPARE: exact rtol=1e-3 atol=1e-5; acc abs=0.01
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(14)
N, L = 512, 12
seqs = rng.normal(0, 1, (N, L, 2)).astype(np.float32)
target = ((seqs[:, :, 0] * seqs[:, :, 1]).sum(axis=1) > 0).astype(np.int64)
X = torch.from_numpy(seqs)
y = torch.from_numpy(target)


class LSTMClassifier(nn.Module):
    def __init__(self, input_dim, hidden_dim, num_layers, num_classes):
        super().__init__()
        self.lstm = nn.LSTM(input_dim, hidden_dim, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_dim, num_classes)

    def forward(self, x):
        h0 = torch.zeros(self.lstm.num_layers, x.size(0), self.lstm.hidden_size)
        c0 = torch.zeros(self.lstm.num_layers, x.size(0), self.lstm.hidden_size)
        out, (hn, cn) = self.lstm(x, (h0, c0))
        return self.fc(hn[-1])


model = LSTMClassifier(2, 24, 2, 2)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.2, 0.2, size=tuple(p.shape)).astype(np.float32)))

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(6):
    model.train()
    perm = torch.from_numpy(rng.permutation(400))
    for i in range(0, 400, 40):
        idx = perm[i:i + 40]
        optimizer.zero_grad()
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()

model.eval()
with torch.no_grad():
    logits = model(X[400:])
    _, predicted = torch.max(logits, 1)
    acc = (predicted == y[400:]).sum().item() / y[400:].size(0)
print("RESULT " + json.dumps({"train_loss": loss.item(), "acc": acc}))
