"""Adaptive per-parameter learning rates on sparse features (the "why AdaGrad helps rare
features" lecture example): logistic regression on 400 samples x 40 binary features where
features 0-9 are common (fire 50% of the time) and 30-39 are rare (fire 3%) but carry the same
signal.  The same model is trained full-batch for 150 steps with plain SGD, a hand-written
AdaGrad (G += g^2; w -= lr g / (sqrt(G) + eps)), torch.optim.Adagrad, a hand-written Adadelta
(no learning rate: accumulates E[g^2] and E[dx^2]) against torch.optim.Adadelta(lr=1.0) and
RMSprop(centered=True); reports losses, the mean |weight| on the common and rare groups, and the
hand-vs-torch gaps.  NumPy data and initial weights, deterministic full-batch steps: exact.
Measured: the float64 rerun moves values by <= 3.9e-7 relative (9.6e-7 abs); one-ulp perturbed
weights/data move them by <= 2.3e-7 relative (4.8e-7 abs); accuracies do not move.  The
hand-vs-torch gaps are round-off sized (4.8e-7 / 1.2e-7), so they get an absolute tolerance
(2x the largest gap seen).  rtol=1e-6 atol=2e-6, gaps abs=1e-6.

COMPARE: exact rtol=1e-6 atol=2e-6; adagrad_gap abs=1e-6; adadelta_gap abs=1e-6
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(128)
n, d = 400, 40
rates = np.full(d, 0.15)
rates[:10], rates[30:] = 0.5, 0.03
X_np = (rng.random((n, d)) < rates).astype(np.float32)
true_w = np.where(np.arange(d) % 2 == 0, 1.5, -1.5)
logits = X_np @ true_w + 0.3 * rng.normal(size=n)
y_np = (logits > np.median(logits)).astype(np.float32)
w_init = rng.normal(0, 0.01, size=d)

X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np, dtype=torch.float32)


def loss_fn(w, b):
    return F.binary_cross_entropy_with_logits(X @ w + b, y)


def fresh():
    w = torch.tensor(w_init, dtype=torch.float32).requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    return w, b


def train_with(make_opt, steps=150):
    w, b = fresh()
    opt = make_opt([w, b])
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(w, b)
        loss.backward()
        opt.step()
    return w.detach(), b.detach()


def adagrad_by_hand(lr, eps=1e-10, steps=150):
    w, b = fresh()
    G_w, G_b = torch.zeros_like(w), torch.zeros_like(b)
    for _ in range(steps):
        loss = loss_fn(w, b)
        gw, gb = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            G_w += gw * gw
            G_b += gb * gb
            w -= lr * gw / (G_w.sqrt() + eps)
            b -= lr * gb / (G_b.sqrt() + eps)
    return w.detach(), b.detach()


def adadelta_by_hand(rho=0.9, eps=1e-6, steps=150):
    w, b = fresh()
    params = [w, b]
    Eg = [torch.zeros_like(p) for p in params]
    Edx = [torch.zeros_like(p) for p in params]
    for _ in range(steps):
        grads = torch.autograd.grad(loss_fn(w, b), params)
        with torch.no_grad():
            for p, g, eg, edx in zip(params, grads, Eg, Edx):
                eg.mul_(rho).add_((1 - rho) * g * g)
                dx = -torch.sqrt(edx + eps) / torch.sqrt(eg + eps) * g
                edx.mul_(rho).add_((1 - rho) * dx * dx)
                p.add_(dx)
    return w.detach(), b.detach()


results = {
    "sgd": train_with(lambda ps: torch.optim.SGD(ps, lr=0.5)),
    "adagrad_hand": adagrad_by_hand(lr=0.5),
    "adagrad_torch": train_with(lambda ps: torch.optim.Adagrad(ps, lr=0.5)),
    "adadelta_hand": adadelta_by_hand(),
    "adadelta_torch": train_with(lambda ps: torch.optim.Adadelta(ps, lr=1.0, rho=0.9, eps=1e-6)),
    "rmsprop_centered": train_with(lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, centered=True)),
}

res = {}
for name, (w, b) in results.items():
    with torch.no_grad():
        loss = loss_fn(w, b).item()
        acc = (((X @ w + b) > 0).float() == y).float().mean().item()
    res[f"{name}_loss"] = loss
    res[f"{name}_acc"] = acc
    res[f"{name}_common_absw"] = w[:10].abs().mean().item()
    res[f"{name}_rare_absw"] = w[30:].abs().mean().item()
    print(f"{name:17s} loss {loss:.4f} acc {acc:.3f} |w| common {w[:10].abs().mean():.3f} "
          f"rare {w[30:].abs().mean():.3f}")
res["adagrad_gap"] = (results["adagrad_hand"][0] - results["adagrad_torch"][0]).abs().max().item()
res["adadelta_gap"] = (results["adadelta_hand"][0] - results["adadelta_torch"][0]).abs().max().item()
res["rare_to_common_sgd"] = res["sgd_rare_absw"] / res["sgd_common_absw"]
res["rare_to_common_adagrad"] = res["adagrad_torch_rare_absw"] / res["adagrad_torch_common_absw"]
print("RESULT " + json.dumps(res))
