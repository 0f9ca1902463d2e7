"""Adamax: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

import numpy as np

from .adam import _ADAM_RANGES, _as_pair
from .optimizer import Optimizer, decayed_grad, lerp_


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba 2015, §7.1), PyTorch's formulation and defaults (lr=2e-3,
    betas=(0.9, 0.999), eps=1e-8, weight_decay=0; clipnorm / clipvalue as in `Optimizer`).
    At step t = 1, 2, …::

        g ← ∇f(θ) + λθ                 (weight_decay λ, coupled L2)
        m ← β1·m + (1 − β1)·g          (first moment)
        u ← max(β2·u, |g| + ε)         (exponentially weighted infinity norm)
        θ ← θ − η/(1 − β1ᵗ) · m / u

    As in PyTorch ε is added to |g| inside the max (the paper has no ε); u needs no bias
    correction.  State per parameter: ``step`` (int), ``exp_avg`` (m), ``exp_inf`` (u).
    """

    hyper_ranges = _ADAM_RANGES

    def __init__(self, params, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, *, clipnorm: float | None = None,
                 clipvalue: float | None = None):
        super().__init__(params, dict(lr=lr, betas=_as_pair(betas), eps=eps,
                                      weight_decay=weight_decay, clipnorm=clipnorm,
                                      clipvalue=clipvalue))

    def _init_state(self, param, group):
        return {"step": 0, "exp_avg": np.zeros_like(param), "exp_inf": np.zeros_like(param)}

    def _update(self, param, grad, state, group):
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        work = self._work(param, 2)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        state["step"] += 1
        d = decayed_grad(param, grad, wd, work[0])
        lerp_(exp_avg, d, 1 - beta1, work[1])
        exp_inf *= beta2
        np.abs(d, out=work[1])
        work[1] += eps
        np.maximum(exp_inf, work[1], out=exp_inf)
        np.divide(exp_avg, exp_inf, out=work[1])
        work[1] *= lr / (1 - beta1 ** state["step"])
        param -= work[1]
