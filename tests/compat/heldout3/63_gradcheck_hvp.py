"""Gradient checking by finite differences (course-notebook style) in float64: a small MLP's
loss, the analytic gradient from torch.autograd.grad, a central-difference estimate by
perturbing each parameter entry in place under torch.no_grad(), the relative error
||g - g_num|| / (||g|| + ||g_num||); then a Hessian-vector product with
torch.autograd.grad(..., create_graph=True) checked against finite differences of the gradient.

COMPARE: exact rtol=1e-6 atol=1e-9; rel_err abs=1e-6; hvp_rel_err abs=1e-5
"""
import json

import numpy as np
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(63)
X = torch.tensor(rng.normal(size=(10, 3)))
y = torch.tensor(rng.normal(size=(10, 1)))

net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.tensor(rng.normal(0, 0.5, p.shape)))
params = list(net.parameters())


def loss_fn():
    return ((net(X) - y) ** 2).mean()


grads = torch.autograd.grad(loss_fn(), params)
eps = 1e-6
num_grads = []
with torch.no_grad():
    for p in params:
        g = torch.zeros_like(p)
        flat = p.view(-1)
        for i in range(flat.numel()):
            old = flat[i].item()
            flat[i] = old + eps
            plus = loss_fn().item()
            flat[i] = old - eps
            minus = loss_fn().item()
            flat[i] = old
            g.view(-1)[i] = (plus - minus) / (2 * eps)
        num_grads.append(g)

g = torch.cat([t.flatten() for t in grads])
gn = torch.cat([t.flatten() for t in num_grads])
rel_err = ((g - gn).norm() / (g.norm() + gn.norm())).item()
print(f"gradient check relative error: {rel_err:.2e}")

# Hessian-vector product
v = [torch.tensor(rng.normal(size=p.shape)) for p in params]
grads_cg = torch.autograd.grad(loss_fn(), params, create_graph=True)
dot = sum((gi * vi).sum() for gi, vi in zip(grads_cg, v))
hvp = torch.autograd.grad(dot, params)
h = 1e-5
with torch.no_grad():
    for p, vi in zip(params, v):
        p.add_(vi, alpha=h)
g_plus = torch.autograd.grad(loss_fn(), params)
with torch.no_grad():
    for p, vi in zip(params, v):
        p.sub_(2 * h * vi)
g_minus = torch.autograd.grad(loss_fn(), params)
with torch.no_grad():
    for p, vi in zip(params, v):
        p.add_(vi, alpha=h)
hv = torch.cat([t.flatten() for t in hvp])
hv_num = torch.cat([((a - b) / (2 * h)).flatten() for a, b in zip(g_plus, g_minus)])
hvp_rel_err = ((hv - hv_num).norm() / (hv.norm() + hv_num.norm())).item()
print(f"HVP relative error: {hvp_rel_err:.2e}")
res = {"grad": g.tolist(), "rel_err": rel_err, "hvp": hv.tolist(), "hvp_rel_err": hvp_rel_err,
       "loss": loss_fn().item(), "dtype": str(loss_fn().dtype)}
print("RESULT " + json.dumps(res))
