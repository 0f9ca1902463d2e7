"""Next-value prediction on a noisy sine with nn.RNN (batch_first=True) and a Linear head;
warm-up windows of length 20, Adam, MSELoss.

COMPARE: exact rtol=1e-3 atol=1e-5
"""
import json

import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(13)
T = 400
time = np.arange(T, dtype=np.float32)
x = np.sin(0.05 * time) + rng.normal(0, 0.05, T).astype(np.float32)
tau = 20
windows = np.stack([x[i:i + tau] for i in range(T - tau)])
features = torch.tensor(windows[:, :, None])            # (N, tau, 1)
labels = torch.tensor(x[tau:]).reshape(-1, 1)


class SeqModel(nn.Module):
    def __init__(self, hidden_size=16):
        super().__init__()
        self.rnn = nn.RNN(input_size=1, hidden_size=hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x, h0=None):
        out, h = self.rnn(x, h0)
        return self.head(out[:, -1, :])


model = SeqModel()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.25, 0.25, p.shape).astype(np.float32)))

optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
criterion = nn.MSELoss()
n_train = 300
for epoch in range(5):
    order = rng.permutation(n_train)
    for i in range(0, n_train, 32):
        idx = order[i:i + 32]
        optimizer.zero_grad()
        loss = criterion(model(features[idx]), labels[idx])
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        test_loss = criterion(model(features[n_train:]), labels[n_train:]).item()
    print(f"epoch {epoch + 1}: {loss.item():.5f} {test_loss:.5f}")

print("RESULT " + json.dumps({"train_loss": loss.item(), "test_loss": test_loss}))
