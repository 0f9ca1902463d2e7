"""A character-level bigram language model (makemore style): counts in a (27, 27) int32 tensor
filled with N[ix1, ix2] += 1, normalized rows, the negative log-likelihood; then the same model
as a one-hot neural net trained by hand with ``W.data += -lr * W.grad``.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(28)
syllables = ["ka", "ri", "mo", "an", "el", "to", "su", "na", "le", "ji", "ben", "ora", "ix"]
words = ["".join(rng.choice(syllables, size=rng.integers(1, 4))) for _ in range(300)]
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
V = len(stoi)

N = torch.zeros((V, V), dtype=torch.int32)
xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1, ix2 = stoi[ch1], stoi[ch2]
        N[ix1, ix2] += 1
        xs.append(ix1)
        ys.append(ix2)

P = (N + 1).float()
P /= P.sum(1, keepdims=True)
log_likelihood = 0.0
n = 0
for ix1, ix2 in zip(xs, ys):
    log_likelihood += torch.log(P[ix1, ix2])
    n += 1
count_nll = (-log_likelihood / n).item()

xs = torch.tensor(xs)
ys = torch.tensor(ys)
W = torch.tensor(rng.normal(0, 1, (V, V)), dtype=torch.float32, requires_grad=True)
for k in range(60):
    xenc = F.one_hot(xs, num_classes=V).float()
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(len(xs)), ys].log().mean() + 0.01 * (W ** 2).mean()
    W.grad = None
    loss.backward()
    W.data += -20 * W.grad

print("RESULT " + json.dumps({"vocab": V, "pairs": int(N.sum()), "count_nll": count_nll,
                              "nn_loss": loss.item(), "top_pair": int(N.argmax())}))
