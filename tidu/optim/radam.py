"""RAdam: Adam whose adaptive step is switched on only once the variance of the adaptive
learning rate is tractable, and then rectified."""
from __future__ import annotations

import math

import numpy as np

from .adam import _ADAM_RANGES, _as_pair, adam_moments
from .optimizer import Optimizer


class RAdam(Optimizer):
    r"""RAdam (Liu et al. 2020), PyTorch's formulation and defaults (lr=1e-3,
    betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False; clipnorm /
    clipvalue as in `Optimizer`).  At step t = 1, 2, …::

        g ← ∇f(θ) + λθ                 (weight_decay λ; or, decoupled: θ ← θ − ηλθ first)
        m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
        m̂ ← m / (1 − β1ᵗ)
        ρ∞ ← 2/(1 − β2) − 1;   ρ_t ← ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ)
        if ρ_t > 5:   r ← √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
                      θ ← θ − η · m̂ · r · √(1 − β2ᵗ) / (√v + ε)
        else:         θ ← θ − η · m̂                (plain momentum SGD for the first steps)

    With the default β2 = 0.999 the first 5 steps are the un-adapted ones.  State per
    parameter: ``step`` (int), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    hyper_ranges = _ADAM_RANGES

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
                 clipnorm: float | None = None, clipvalue: float | None = None):
        super().__init__(params, dict(lr=lr, betas=_as_pair(betas), eps=eps,
                                      weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      clipnorm=clipnorm, clipvalue=clipvalue))

    def _init_state(self, param, group):
        return {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}

    def _update(self, param, grad, state, group):
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        work = self._work(param, 2)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        step = adam_moments(param, grad, state, group, work)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        np.divide(exp_avg, bias_correction1, out=work[1])      # m̂
        work[1] *= lr
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            np.sqrt(exp_avg_sq, out=work[0])
            work[0] += eps
            np.divide(bias_correction2 ** 0.5, work[0], out=work[0])
            work[1] *= work[0]
            work[1] *= rect
        param -= work[1]
