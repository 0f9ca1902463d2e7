"""Custom autograd Functions (the "Learning PyTorch with Examples" style): a
torch.autograd.Function subclass with @staticmethod forward(ctx, ...) / backward(ctx, grad),
ctx.save_for_backward and ctx.saved_tensors, called through .apply: the Legendre polynomial
P3 fitted to sin(x) by hand-written gradient descent, a straight-through sign estimator,
and a clamp with a custom gradient; checked with
torch.autograd.gradcheck in float64.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json
import math

import numpy as np
import torch


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class SignSTE(torch.autograd.Function):
    """sign() forward, identity gradient inside [-1, 1] (straight-through estimator)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sign(x)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * (x.abs() <= 1).to(grad_output.dtype)


class ScaledClamp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(x)
        return x.clamp(lo, hi)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        inside = (x >= ctx.lo) & (x <= ctx.hi)
        return torch.where(inside, grad, 0.1 * grad), None, None


dtype = torch.float
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)
a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
learning_rate = 5e-6
losses = []
for t in range(400):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 50 == 49:
        losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

inp = torch.randn(6, dtype=torch.double, requires_grad=True)
gc_legendre = torch.autograd.gradcheck(LegendrePolynomial3.apply, (inp,), eps=1e-6, atol=1e-4)

# straight-through sign on a tiny binarised linear model
rng = np.random.default_rng(58)
Xb = torch.tensor(rng.normal(size=(200, 5)), dtype=torch.float32)
w_true = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0])
yb = Xb @ w_true
w = torch.tensor(rng.normal(0, 0.5, size=5), dtype=torch.float32, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.01)
for step in range(100):
    opt.zero_grad()
    loss_b = ((Xb @ SignSTE.apply(w) - yb) ** 2).mean() + 0.01 * (w ** 2).sum()
    loss_b.backward()
    opt.step()

xc = torch.tensor([-2.0, -0.5, 0.5, 2.0], requires_grad=True)
ScaledClamp.apply(xc, -1.0, 1.0).sum().backward()
print("RESULT " + json.dumps({"abcd": [a.item(), b.item(), c.item(), d.item()], "losses": losses,
                              "gradcheck": gc_legendre, "sign_w": torch.sign(w).tolist(),
                              "ste_loss": loss_b.item(), "clamp_grad": xc.grad.tolist()}))
