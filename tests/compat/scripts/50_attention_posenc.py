"""A tiny self-attention classifier written by hand: sinusoidal positional encodings built with
torch.arange, torch.exp(-log(10000) * 2i/d), sin/cos into even/odd columns and register_buffer;
scaled dot-product attention softmax(Q K^T / sqrt(d)) V with a padding mask applied by
masked_fill(mask, float("-inf")); mean pooling over the non-padded positions.  Task: does the
token 7 occur before the token 3 in a variable-length sequence?  Weights from a NumPy RNG,
fixed batches; also checks the hand-written attention against F.scaled_dot_product_attention
when the installed library has it.

COMPARE: exact rtol=1e-3 atol=1e-5; acc abs=0.01
"""
import json
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

rng = np.random.default_rng(50)
N, T, V, D = 600, 12, 10, 16
lengths = rng.integers(5, T + 1, size=N)
tokens = rng.integers(1, V, size=(N, T))
tokens[np.arange(T)[None, :] >= lengths[:, None]] = 0          # 0 = padding
labels = np.zeros(N, dtype=np.int64)
for i in range(N):
    seq = list(tokens[i, :lengths[i]])
    labels[i] = int(7 in seq and 3 in seq and seq.index(7) < seq.index(3))


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=64):
        super().__init__()
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0))

    def forward(self, x):
        return x + self.pe[:, :x.size(1)]


def attention(q, k, v, pad_mask):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    scores = scores.masked_fill(pad_mask[:, None, :], float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


class TinyAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, D, padding_idx=0)
        self.pos = PositionalEncoding(D)
        self.qkv = nn.Linear(D, 3 * D)
        self.out = nn.Linear(D, 2)

    def forward(self, tokens):
        pad_mask = tokens == 0
        x = self.pos(self.embed(tokens))
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        h, self.last_weights = attention(q, k, v, pad_mask)
        keep = (~pad_mask).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1)
        return self.out(pooled)


model = TinyAttention()
with torch.no_grad():
    for name, p in model.named_parameters():
        p.copy_(torch.tensor(rng.normal(0, 0.3, p.shape), dtype=torch.float32))
    model.embed.weight[0].zero_()

X = torch.tensor(tokens)
y = torch.tensor(labels)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
losses = []
for epoch in range(25):
    for i in range(0, 500, 50):
        opt.zero_grad()
        loss = F.cross_entropy(model(X[i:i + 50]), y[i:i + 50])
        loss.backward()
        opt.step()
    losses.append(loss.item())

model.eval()
with torch.no_grad():
    logits = model(X[500:])
    acc = (logits.argmax(-1) == y[500:]).float().mean().item()
    w = model.last_weights
    rows_sum_to_one = torch.allclose(w.sum(-1), torch.ones_like(w.sum(-1)))
    pad_weight = w.masked_select((X[500:] == 0)[:, None, :].expand_as(w)).abs().max().item()
    q = torch.randn(2, 5, 8)
    pm = torch.zeros(2, 5, dtype=torch.bool)
    pm[1, 3:] = True
    mine, _ = attention(q, q, q, pm)
    sdpa_ok = True
    if hasattr(F, "scaled_dot_product_attention"):
        ref = F.scaled_dot_product_attention(q, q, q, attn_mask=~pm[:, None, :])
        sdpa_ok = torch.allclose(mine, ref, atol=1e-5)

print("RESULT " + json.dumps({"pe_row1": model.pos.pe[0, 1, :6].tolist(), "losses": losses, "acc": acc,
                              "rows_sum_to_one": rows_sum_to_one, "pad_weight": pad_weight,
                              "sdpa_ok": sdpa_ok, "pos_rate": float(labels.mean())}))
