"""A 2-layer bidirectional GRU regressor with gradient clipping (clip_grad_norm_): predict the
mean of each sequence's maximum and minimum.  Reports the pre-clipping gradient norms.

COMPARE: exact rtol=1e-3 atol=1e-5
"""
import json

import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(15)
X = torch.from_numpy(rng.normal(0, 1, (256, 10, 3)).astype(np.float32))
y = (X.amax(dim=(1, 2)) + X.amin(dim=(1, 2))).unsqueeze(1) / 2


class BiGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 16, num_layers=2, batch_first=True, bidirectional=True)
        self.out = nn.Linear(32, 1)

    def forward(self, x):
        output, h_n = self.gru(x)
        return self.out(output[:, -1])


model = BiGRU()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.25, 0.25, p.shape).astype(np.float32)))

opt = torch.optim.RMSprop(model.parameters(), lr=0.005)
norms = []
for epoch in range(4):
    for i in range(0, 256, 32):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X[i:i + 32]), y[i:i + 32])
        loss.backward()
        norms.append(float(nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)))
        opt.step()
    print(epoch, loss.item())

print("RESULT " + json.dumps({"loss": loss.item(), "first_norm": norms[0],
                              "mean_norm": sum(norms) / len(norms),
                              "n_params": sum(p.numel() for p in model.parameters())}))
