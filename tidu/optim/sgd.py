"""Stochastic gradient descent with momentum and Nesterov momentum."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer


class SGD(Optimizer):
    r"""SGD, PyTorch's formulation (defaults lr=1e-3, momentum=0, dampening=0,
    weight_decay=0, nesterov=False):

        g ← ∇θ + λθ                       (weight_decay λ, coupled L2)
        b ← μ·b + (1 − τ)·g                (momentum μ, dampening τ; b₁ = g)
        g ← g + μ·b  if nesterov  else  b
        θ ← θ − η·g

    Batch GD, mini-batch GD and stochastic GD are this optimizer fed different batch sizes.
    The notes (and Sutskever et al.) write momentum as v ← μv − η∇θ, θ ← θ + v, which is the
    same trajectory for a constant η; Nesterov there evaluates the gradient at the look-ahead
    point θ + μv — PyTorch's form above is its re-parametrisation.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: lr, momentum and weight_decay must be ≥ 0, got lr={lr}, "
                             f"momentum={momentum}, weight_decay={weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def step(self) -> None:
        for group in self.param_groups:
            lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
            for p, grad, state in self._params_with_grad(group):
                if wd:
                    grad = grad + wd * p.data
                if mu:
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = np.array(grad, copy=True)
                    else:
                        buf *= mu
                        buf += (1 - group["dampening"]) * grad
                    grad = grad + mu * buf if group["nesterov"] else buf
                p.data -= lr * grad
