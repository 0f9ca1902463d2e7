"""Modern activations compared (the "which activation should I use" blog post): values and
derivatives on a grid of F.silu, F.gelu (exact and approximate='tanh'), F.mish, F.elu, F.selu,
F.celu, F.softplus(beta=2), F.hardswish, F.hardsigmoid, F.leaky_relu(0.1), F.logsigmoid,
F.softsign, F.relu6, the derivatives from one backward of the sum; then the same 3-layer MLP
(NumPy weights) trained on make_moons with nn.ReLU / nn.SiLU / nn.GELU / nn.Mish / nn.ELU.
Exact; torch float64 rerun (measured) within 4.5e-4 relative only on
near-zero GELU tails (abs <= 2e-7), else < 1e-4: worst 0.16 of the tolerance, so rtol=1e-4.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons

x = torch.linspace(-4, 4, 17, dtype=torch.float32, requires_grad=True)
acts = {
    "silu": F.silu, "gelu": F.gelu, "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
    "mish": F.mish, "elu": F.elu, "selu": F.selu, "celu": lambda t: F.celu(t, alpha=0.5),
    "softplus": lambda t: F.softplus(t, beta=2), "hardswish": F.hardswish,
    "hardsigmoid": F.hardsigmoid, "leaky": lambda t: F.leaky_relu(t, 0.1),
    "logsigmoid": F.logsigmoid, "softsign": F.softsign, "relu6": F.relu6,
}
res = {}
for name, fn in acts.items():
    out = fn(x)
    (d,) = torch.autograd.grad(out.sum(), x)
    res[name] = out.detach().tolist()
    res["d_" + name] = d.tolist()

Xn, yn = make_moons(200, noise=0.2, random_state=103)
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32).unsqueeze(1)
rng = np.random.default_rng(103)
W = [rng.normal(0, s, shape) for s, shape in [(0.7, (32, 2)), (0.2, (32, 32)), (0.2, (1, 32))]]
for name, Act in [("ReLU", nn.ReLU), ("SiLU", nn.SiLU), ("GELU", nn.GELU), ("Mish", nn.Mish),
                  ("ELU", nn.ELU)]:
    model = nn.Sequential(nn.Linear(2, 32), Act(), nn.Linear(32, 32), Act(), nn.Linear(32, 1))
    with torch.no_grad():
        for lin, w in zip([model[0], model[2], model[4]], W):
            lin.weight.copy_(torch.tensor(w, dtype=torch.float32))
            lin.bias.fill_(0.0)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for step in range(150):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(X), y)
        loss.backward()
        opt.step()
    acc = ((model(X) > 0).float() == y).float().mean().item()
    res["loss_" + name], res["acc_" + name] = loss.item(), acc
    print(f"{name}: loss {loss.item():.4f} acc {acc:.3f}")
print("RESULT " + json.dumps(res))
