"""Adagrad: a per-coordinate learning rate from the sum of all past squared gradients."""
from __future__ import annotations

import numpy as np

from .optimizer import NON_NEGATIVE, Optimizer, _publish, decayed_grad


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al. 2011), PyTorch's formulation and defaults (lr=1e-2, lr_decay=0,
    weight_decay=0, initial_accumulator_value=0, eps=1e-10; clipnorm / clipvalue as in
    `Optimizer`).  At step t = 1, 2, …::

        g ← ∇f(θ) + λθ                      (weight_decay λ)
        η_t ← η / (1 + (t − 1)·lr_decay)
        r ← r + g²                          (r₀ = initial_accumulator_value)
        θ ← θ − η_t · g / (√r + ε)

    The notes (001, 优化函数) write Δθ = δ/√(r + ε) · g with ε = 1e-8 inside the root
    (Keras's form, whose default eps is 1e-7 and initial_accumulator_value 0.1); PyTorch, and
    tidu, add ε = 1e-10 outside the root.  The sum r only grows, so the step shrinks towards 0
    late in training — the notes' "中后期…训练提前结束".

    State per parameter: ``step`` (int) and ``sum`` (r), created for every parameter when the
    optimizer is built (as PyTorch does).
    """

    hyper_ranges = {**Optimizer.hyper_ranges, "lr": NON_NEGATIVE, "lr_decay": NON_NEGATIVE,
                    "weight_decay": NON_NEGATIVE, "initial_accumulator_value": NON_NEGATIVE,
                    "eps": NON_NEGATIVE}

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *,
                 clipnorm: float | None = None, clipvalue: float | None = None):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, clipnorm=clipnorm, clipvalue=clipvalue))

    def add_param_group(self, group):
        super().add_param_group(group)
        group = self.param_groups[-1]
        for p in group["params"]:
            self.state[p] = _publish(self._init_state(p._data, group))

    def _init_state(self, param, group):
        return {"step": 0, "sum": np.full_like(param, group["initial_accumulator_value"])}

    def _update(self, param, grad, state, group):
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        work = self._work(param, 2)
        state["step"] += 1
        d = decayed_grad(param, grad, wd, work[0])
        clr = lr / (1 + (state["step"] - 1) * group["lr_decay"])
        np.multiply(d, d, out=work[1])
        state["sum"] += work[1]
        np.sqrt(state["sum"], out=work[1])
        work[1] += eps
        np.divide(d, work[1], out=work[1])
        work[1] *= clr
        param -= work[1]
