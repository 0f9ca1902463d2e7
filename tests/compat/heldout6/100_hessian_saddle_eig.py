"""Is a stationary point a minimum, a maximum or a saddle? (course-notebook style, float64):
torch.autograd.functional.hessian of f(x, y) = x^3 - 3x + y^2 - ... at its critical points,
torch.linalg.eigvalsh of the Hessian to classify them; the Hessian of a logistic-regression
loss built row by row with double backward (torch.autograd.grad(create_graph=True)) checked
against autograd.functional.hessian; torch.autograd.functional.hvp; power iteration with hvp
for the top eigenvalue; torch.autograd.gradcheck on the loss.
Exact: everything is float64 from NumPy data; nothing here depends on float32 (measured
torch rerun differences 0), so rtol=1e-8.

COMPARE: exact rtol=1e-8 atol=1e-10
"""
import json

import numpy as np
import torch
from torch.autograd.functional import hessian, hvp


def f(v):
    x, y = v[0], v[1]
    return x ** 3 - 3 * x + y ** 2 + 0.5 * x * y


def grad_f(v):
    v = v.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(v), v)
    return g


# critical points found by Newton's method from a few starts
res = {"points": [], "kinds": [], "eigs": []}
for start in ([1.0, 0.0], [-1.0, 0.0]):
    v = torch.tensor(start, dtype=torch.float64)
    for _ in range(20):
        H = hessian(f, v)
        v = v - torch.linalg.solve(H, grad_f(v))
    H = hessian(f, v)
    ev = torch.linalg.eigvalsh(H)
    kind = "minimum" if (ev > 0).all() else "maximum" if (ev < 0).all() else "saddle"
    res["points"].append([round(float(c), 10) for c in v])
    res["kinds"].append(kind)
    res["eigs"].append(ev.tolist())
    print(start, "->", v.tolist(), kind, ev.tolist())

rng = np.random.default_rng(100)
X = torch.tensor(rng.normal(size=(40, 3)), dtype=torch.float64)
y = torch.tensor((rng.random(40) < 0.5).astype(np.float64))
w0 = torch.tensor(rng.normal(size=3), dtype=torch.float64)


def loss_fn(w):
    return torch.nn.functional.binary_cross_entropy_with_logits(X @ w, y) + 0.05 * (w ** 2).sum()


w = w0.clone().requires_grad_(True)
g = torch.autograd.grad(loss_fn(w), w, create_graph=True)[0]
rows = [torch.autograd.grad(g[i], w, retain_graph=True)[0] for i in range(3)]
H_db = torch.stack(rows)
H_fn = hessian(loss_fn, w0)
res["H_double_backward"] = H_db.flatten().tolist()
res["H_max_diff"] = (H_db - H_fn).abs().max().item() < 1e-12
v = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
_, Hv = hvp(loss_fn, w0, v)
res["hvp"] = Hv.tolist()
q = torch.ones(3, dtype=torch.float64)
for _ in range(50):
    _, q = hvp(loss_fn, w0, q)
    q = q / q.norm()
res["top_eig_power"] = torch.dot(q, hvp(loss_fn, w0, q)[1]).item()
res["top_eig_eigvalsh"] = torch.linalg.eigvalsh(H_fn)[-1].item()
res["gradcheck"] = bool(torch.autograd.gradcheck(loss_fn, (w0.clone().requires_grad_(True),)))
print("RESULT " + json.dumps(res))
