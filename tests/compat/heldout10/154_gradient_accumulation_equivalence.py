"""Gradient accumulation: 4 micro-batches of 32 with loss/4 should give the same update as
one batch of 128 (plain MLP), a forgotten division acts like a 4x learning rate, and BatchNorm
breaks the equivalence because its statistics are computed per micro-batch.
Measured (torch 2.13 CPU): float32 vs float64 max rel diff 2e-7 (abs 1.7e-7); one-ulp
perturbation of the NumPy weights/data max rel diff 7e-7 (abs 1.8e-7); the accum-vs-full
parameter difference is pure rounding (~7e-8), hence its absolute bound; accuracies are on 512 samples.
COMPARE: exact rtol=2e-5 atol=1e-6; accum_vs_full_param_diff abs=2e-6; full_acc abs=0.004; accum_acc abs=0.004; nodiv_acc abs=0.004
"""
import json
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPE = torch.float32
rng = np.random.default_rng(154)
N, D, C = 512, 20, 3
X_np = rng.standard_normal((N, D))
W_true = rng.standard_normal((D, C))
y_np = np.argmax(X_np @ W_true + 0.5 * rng.standard_normal((N, C)), axis=1)
X = torch.tensor(X_np, dtype=DTYPE)
y = torch.tensor(y_np, dtype=torch.long)


def make_model(bn=False):
    layers = [nn.Linear(D, 32)] + ([nn.BatchNorm1d(32)] if bn else []) + [nn.ReLU(), nn.Linear(32, C)]
    model = nn.Sequential(*layers).to(DTYPE)
    r = np.random.default_rng(7)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2:
                p.copy_(torch.tensor(r.normal(0, 1 / np.sqrt(p.shape[1]), p.shape), dtype=DTYPE))
            elif "weight" in name:   # BN gamma
                p.fill_(1.0)
            else:
                p.copy_(torch.tensor(r.normal(0, 0.1, p.shape), dtype=DTYPE))
    return model


def train(model, big_batch=128, accum=1, divide=True, epochs=5, lr=0.1):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    micro = big_batch // accum
    for epoch in range(epochs):
        for start in range(0, N, big_batch):
            opt.zero_grad()
            for k in range(accum):
                s = start + k * micro
                loss = F.cross_entropy(model(X[s:s + micro]), y[s:s + micro])
                (loss / accum if divide else loss).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        out = model(X)
        return F.cross_entropy(out, y).item(), (out.argmax(1) == y).float().mean().item()


def max_param_diff(a, b):
    return max((p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters()))


# one step: compare gradients directly
m_full, m_acc = make_model(), make_model()
F.cross_entropy(m_full(X[:128]), y[:128]).backward()
for k in range(4):
    (F.cross_entropy(m_acc(X[32 * k:32 * k + 32]), y[32 * k:32 * k + 32]) / 4).backward()
grad_diff = max((p.grad - q.grad).abs().max().item() for p, q in zip(m_full.parameters(), m_acc.parameters()))
grad_norm = torch.sqrt(sum((p.grad ** 2).sum() for p in m_full.parameters())).item()
print(f"one-step grad diff {grad_diff:.2e} (grad norm {grad_norm:.4f})")

results = {"grad_norm": grad_norm}
for tag, kw in [("full", dict(accum=1)), ("accum", dict(accum=4)), ("nodiv", dict(accum=4, divide=False))]:
    model = make_model()
    loss, acc = train(model, **kw)
    results[f"{tag}_loss"], results[f"{tag}_acc"] = loss, acc
    results.setdefault("_models", {})[tag] = model
    print(f"{tag:6s} loss {loss:.5f} acc {acc:.4f}")
models = results.pop("_models")
results["accum_vs_full_param_diff"] = max_param_diff(models["full"], models["accum"])
results["nodiv_vs_full_param_diff"] = max_param_diff(models["full"], models["nodiv"])

bn_full, bn_acc = make_model(bn=True), make_model(bn=True)
results["bn_full_loss"], _ = train(bn_full, accum=1)
results["bn_accum_loss"], _ = train(bn_acc, accum=4)
results["bn_param_diff"] = max_param_diff(bn_full, bn_acc)
results["bn_running_var_diff"] = (bn_full[1].running_var - bn_acc[1].running_var).abs().max().item()
print(f"BN: full {results['bn_full_loss']:.5f} accum {results['bn_accum_loss']:.5f} "
      f"param diff {results['bn_param_diff']:.4f}")
print("RESULT " + json.dumps(results))
