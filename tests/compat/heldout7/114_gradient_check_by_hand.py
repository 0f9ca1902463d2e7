"""Gradient checking, the way the deep-learning course teaches it: a two-layer ReLU + softmax
classifier with its backward pass written by hand (CS231n style: dscores = probs - onehot,
dW2 = h.T @ dscores, relu mask ...), compared with loss.backward() on the same leaf tensors,
then a two-sided finite-difference check J(theta +- eps) over every entry of the flattened
parameter vector (nn.utils.parameters_to_vector / vector_to_parameters) in float64, reporting
||g - g_approx|| / (||g|| + ||g_approx||); a deliberately wrong backward (a missing factor 1/N)
must fail the check.  Finally 60 steps of plain gradient descent with the hand-written
gradients (in-place p -= lr * g under no_grad) on a float32 copy.
Exact: NumPy data and weights; torch float64 rerun (measured): the check errors are at the
1e-10 level (within atol), the training loss/weights agree to 2e-6 relative (abs <= 6.4e-7),
so rtol=1e-4 atol=1e-6; train_acc may flip one of 40 samples.

COMPARE: exact rtol=1e-4 atol=1e-6; train_acc abs=0.026
"""
import json

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.utils import parameters_to_vector, vector_to_parameters

rng = np.random.default_rng(114)
N, D, H, C = 40, 5, 8, 3
Xn = rng.normal(size=(N, D))
yn = rng.integers(0, C, size=N)
init = [rng.normal(0, 0.5, (D, H)), np.zeros(H) + 0.1, rng.normal(0, 0.5, (H, C)), np.zeros(C)]


def make_params(dtype):
    return [torch.tensor(a, dtype=dtype, requires_grad=True) for a in init]


def forward(params, X, y):
    W1, b1, W2, b2 = params
    h = torch.relu(X @ W1 + b1)
    scores = h @ W2 + b2
    return F.cross_entropy(scores, y), h, scores


def manual_backward(params, X, y, bug=False):
    W1, b1, W2, b2 = params
    with torch.no_grad():
        h = torch.clamp(X @ W1 + b1, min=0)
        scores = h @ W2 + b2
        probs = torch.softmax(scores, dim=1)
        dscores = probs.clone()
        dscores[torch.arange(len(y)), y] -= 1
        if not bug:
            dscores /= len(y)
        dW2 = h.t() @ dscores
        db2 = dscores.sum(0)
        dh = dscores @ W2.t()
        dh[h <= 0] = 0
        dW1 = X.t() @ dh
        db1 = dh.sum(0)
    return [dW1, db1, dW2, db2]


def rel_error(a, b):
    return ((a - b).norm() / (a.norm() + b.norm())).item()


res = {}
X64, y = torch.tensor(Xn), torch.tensor(yn)
params = make_params(torch.float64)
loss, _, _ = forward(params, X64, y)
loss.backward()
auto = [p.grad.clone() for p in params]
mine = manual_backward(params, X64, y)
for name, a, m in zip(["W1", "b1", "W2", "b2"], auto, mine):
    res["manual_vs_autograd_" + name] = rel_error(a, m)

# two-sided numerical gradient over the flattened parameter vector
theta = parameters_to_vector(params).detach().clone()
eps = 1e-6
num = torch.zeros_like(theta)
probe = [p.detach().clone() for p in params]
for i in range(theta.numel()):
    tp, tm = theta.clone(), theta.clone()
    tp[i] += eps
    tm[i] -= eps
    vector_to_parameters(tp, probe)
    jp = forward(probe, X64, y)[0].item()
    vector_to_parameters(tm, probe)
    jm = forward(probe, X64, y)[0].item()
    num[i] = (jp - jm) / (2 * eps)
grad_vec = parameters_to_vector(auto)
bug_vec = parameters_to_vector(manual_backward(params, X64, y, bug=True))
res["gradcheck_difference"] = rel_error(grad_vec, num)
res["gradcheck_difference_buggy"] = rel_error(bug_vec, num)
res["gradcheck_passed"] = res["gradcheck_difference"] < 1e-7
res["buggy_passed"] = res["gradcheck_difference_buggy"] < 1e-7
res["n_params"] = theta.numel()
print("numerical check:", res["gradcheck_difference"], "buggy:", res["gradcheck_difference_buggy"])

# now train in float32 with the hand-written backward pass
X32 = torch.tensor(Xn, dtype=torch.float32)
params = make_params(torch.float32)
lr = 0.5
losses = []
for step in range(60):
    grads = manual_backward(params, X32, y)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p -= lr * g
    if step % 10 == 0 or step == 59:
        losses.append(forward(params, X32, y)[0].item())
with torch.no_grad():
    _, _, scores = forward(params, X32, y)
res["losses"] = losses
res["train_acc"] = (scores.argmax(1) == y).float().mean().item()
res["W2_final"] = params[2].detach().flatten().tolist()
print(losses)
print("RESULT " + json.dumps(res))
