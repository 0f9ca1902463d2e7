"""A sequence classifier built on the library's nn.TransformerEncoderLayer /
nn.TransformerEncoder (batch_first=True, dropout=0.0, norm_first=False) with a learned [CLS]
token (nn.Parameter, expand + torch.cat), a learned positional nn.Embedding, a
src_key_padding_mask for the padded positions and a Linear head on the CLS output.  Task:
is the sequence sorted ascending?  Weights from a NumPy RNG in parameters() order; Adam with
a LambdaLR warm-up and clip_grad_norm_.

COMPARE: exact rtol=2e-3 atol=2e-5; acc abs=0.01
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(60)
N, T, V, D = 512, 8, 12, 32
lengths = rng.integers(4, T + 1, size=N)
seqs = rng.integers(1, V, size=(N, T))
sorted_mask = rng.random(N) < 0.5
seqs[sorted_mask] = np.sort(seqs[sorted_mask], axis=1)
pad = np.arange(T)[None, :] >= lengths[:, None]
seqs[pad] = 0
labels = np.array([int(np.all(np.diff(s[:l]) >= 0)) for s, l in zip(seqs, lengths)])


class SortedClassifier(nn.Module):
    def __init__(self, vocab, d_model, nhead=4, num_layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model, padding_idx=0)
        self.pos = nn.Embedding(T + 1, d_model)
        self.cls = nn.Parameter(torch.zeros(1, 1, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=64, dropout=0.0,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=num_layers)
        self.head = nn.Linear(d_model, 2)

    def forward(self, x):
        pad_mask = x == 0
        h = self.tok(x)
        h = torch.cat([self.cls.expand(x.size(0), -1, -1), h], dim=1)
        h = h + self.pos(torch.arange(h.size(1)))
        mask = torch.cat([torch.zeros(x.size(0), 1, dtype=torch.bool), pad_mask], dim=1)
        h = self.encoder(h, src_key_padding_mask=mask)
        return self.head(h[:, 0])


model = SortedClassifier(V, D)
n_params = sum(p.numel() for p in model.parameters())
with torch.no_grad():
    for name, p in model.named_parameters():
        if "norm" in name:
            continue
        p.copy_(torch.from_numpy(rng.normal(0, 0.1, p.shape).astype(np.float32)))

X, y = torch.tensor(seqs), torch.tensor(labels)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: min(1.0, (step + 1) / 20))
loss_fn = nn.CrossEntropyLoss()
losses = []
for epoch in range(8):
    model.train()
    for i in range(0, 448, 32):
        opt.zero_grad()
        loss = loss_fn(model(X[i:i + 32]), y[i:i + 32])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    losses.append(loss.item())
    print(f"epoch {epoch}: loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    acc = (model(X[448:]).argmax(-1) == y[448:]).float().mean().item()
print("RESULT " + json.dumps({"n_params": n_params, "n_layers": len(model.encoder.layers),
                              "losses": losses, "acc": acc, "lr": sched.get_last_lr()[0]}))
