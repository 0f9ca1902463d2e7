"""Curvature of a small network's loss and the largest stable learning rate (Hessian notes +
the "lr < 2 / lambda_max" rule from the optimization notes).  A 1-16-1 tanh MLP, written
functionally on one flat parameter vector, is fitted to a 1-D curve with full-batch gradient
descent.  At the start and at the end: the full 49x49 Hessian from
torch.autograd.functional.hessian and its spectrum (torch.linalg.eigvalsh: largest eigenvalue,
count of negative eigenvalues), and the top eigenvalue again by power iteration on
Hessian-vector products (double backward, torch.autograd.grad(create_graph=True)).  Then from
the trained point, kicked by 0.01 along the top eigenvector, 40 more GD steps are taken with
lr = 1.8 / lambda_max (stays put) and lr = 2.5 / lambda_max (the loss jumps ~170x along the top
eigenvector, then settles in a flatter region: the "catapult").  NumPy data and weights: exact.
Measured: the float64 rerun moves values by <= 6.9e-7 relative where |value| > 0.1 (trained
lambda_min ~ -0.017: 4.1e-6 relative, 7.0e-8 abs), one-ulp perturbed weights/data by <= 4.0e-7
relative; the lr = 2.5/lambda run amplifies round-off to 1.0e-5 relative (2.6e-5 abs at loss 2.6),
so rel=2.5e-5 there.  The symmetry and power-vs-eigvalsh gaps are round-off sized (2.4e-7,
1.7e-7); the first is one ulp of the largest Hessian entry (2.0), so abs=1e-6 (4 ulps), the
second abs=4e-7.  The count of negative eigenvalues does not move.
rtol=2e-6 atol=2e-7; but a float32 eigensolver's backward error is eps*||H|| ~ 2.7e-6, more
than was measured, so the eigenvalue lists get abs=1e-5 / the smallest eigenvalues abs=5e-6.

COMPARE: exact rtol=2e-6 atol=2e-7; lr_2.5_over_lambda_loss_0_10_20_39 rel=2.5e-5; hessian_symmetry_gap abs=1e-6; power_vs_eigvalsh_rel_gap abs=4e-7; trained_top_eigs abs=1e-5; trained_lambda_min abs=5e-6; init_lambda_min abs=5e-6
"""
import json

import numpy as np
import torch
from torch.autograd.functional import hessian

rng = np.random.default_rng(140)
H = 16
x = torch.tensor(np.linspace(-2, 2, 64).reshape(-1, 1), dtype=torch.float32)
y = torch.tensor(np.sin(2 * np.linspace(-2, 2, 64)).reshape(-1, 1) + 0.05 * rng.normal(size=(64, 1)),
                 dtype=torch.float32)
shapes = [(H, 1), (H,), (1, H), (1,)]
sizes = [int(np.prod(s)) for s in shapes]
n_params = sum(sizes)


def unpack(theta):
    parts, i = [], 0
    for shape, size in zip(shapes, sizes):
        parts.append(theta[i:i + size].view(shape))
        i += size
    return parts


def loss_fn(theta):
    W1, b1, W2, b2 = unpack(theta)
    pred = torch.tanh(x @ W1.T + b1) @ W2.T + b2
    return ((pred - y) ** 2).mean()


def top_eig_power(theta, iters=100):
    v = torch.tensor(rng.normal(size=n_params), dtype=torch.float32)
    v = v / v.norm()
    theta = theta.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_fn(theta), theta, create_graph=True)
    lam = torch.tensor(0.0)
    for _ in range(iters):
        (hv,) = torch.autograd.grad(g @ v, theta, retain_graph=True)
        lam = v @ hv
        v = hv / hv.norm()
    return lam.item(), v


def spectrum(theta):
    Hm = hessian(loss_fn, theta.detach())
    sym_gap = (Hm - Hm.T).abs().max().item()
    eig = torch.linalg.eigvalsh((Hm + Hm.T) / 2)
    return eig, sym_gap


init = np.concatenate([rng.normal(0, 1.0, size=H), np.zeros(H), rng.normal(0, 0.3, size=H), [0.0]])
theta = torch.tensor(init, dtype=torch.float32)
res = {}
eig0, gap0 = spectrum(theta)
res["init_loss"] = loss_fn(theta).item()
res["init_lambda_max"] = eig0[-1].item()
res["init_lambda_min"] = eig0[0].item()
res["init_n_negative"] = int((eig0 < -1e-4).sum())
res["hessian_symmetry_gap"] = gap0

theta = theta.clone().requires_grad_(True)
lr = 0.05
losses = []
for step in range(1500):
    loss = loss_fn(theta)
    (g,) = torch.autograd.grad(loss, theta)
    with torch.no_grad():
        theta -= lr * g
    if step % 500 == 0:
        losses.append(loss.item())
res["gd_losses"] = losses
res["trained_loss"] = loss_fn(theta).item()
res["trained_grad_norm"] = torch.autograd.grad(loss_fn(theta), theta)[0].norm().item()

eig1, _ = spectrum(theta)
lam_power, top_vec = top_eig_power(theta)
res["trained_top_eigs"] = eig1[-3:].tolist()
res["trained_lambda_min"] = eig1[0].item()
res["power_iteration_lambda"] = lam_power
res["power_vs_eigvalsh_rel_gap"] = abs(lam_power - eig1[-1].item()) / eig1[-1].item()
res["lr_times_lambda_during_training"] = lr * eig1[-1].item()
print(f"init: loss {res['init_loss']:.4f} lambda_max {res['init_lambda_max']:.3f} "
      f"negative eigs {res['init_n_negative']}")
print(f"trained: loss {res['trained_loss']:.5f} lambda_max {eig1[-1]:.4f} (power it. {lam_power:.4f}), "
      f"lambda_min {eig1[0]:.2e}")

for factor in (1.8, 2.5):
    # start slightly off the minimum along the sharpest direction, so the instability
    # grows from a known kick rather than from round-off
    th = (theta.detach() + 0.01 * top_vec).requires_grad_(True)
    step_lr = factor / eig1[-1].item()
    traj = []
    for step in range(40):
        loss = loss_fn(th)
        (g,) = torch.autograd.grad(loss, th)
        with torch.no_grad():
            th -= step_lr * g
        traj.append(loss.item())
    res[f"lr_{factor}_over_lambda_loss_0_10_20_39"] = [traj[0], traj[10], traj[20], traj[39]]
    print(f"lr = {factor}/lambda_max: loss {traj[0]:.5f} -> {traj[10]:.5f} -> {traj[39]:.5f}")
print("RESULT " + json.dumps(res))
