"""Rprop: resilient back-propagation, a per-coordinate step size steered by the sign of the
gradient alone."""
from __future__ import annotations

import numpy as np

from ..errors import HyperParameterError
from .optimizer import NON_NEGATIVE, POSITIVE, Optimizer


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun 1993; the iRprop⁻ variant, as PyTorch), PyTorch's defaults
    (lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50); clipnorm / clipvalue as in
    `Optimizer`).  Each coordinate has its own step size Δ (Δ₀ = lr) and remembers its last
    gradient g′ (g′₀ = 0).  At each step::

        Δ ← clip(Δ·η⁺, Δmin, Δmax)   where g·g′ > 0   (same sign: speed up; etas = (η⁻, η⁺))
        Δ ← clip(Δ·η⁻, Δmin, Δmax)   where g·g′ < 0   (sign flip: slow down …
        g ← 0                        there            … and skip this coordinate once)
        θ ← θ − sign(g)·Δ;   g′ ← g

    The gradient's size is never used, so Rprop suits full-batch training (it misbehaves
    with noisy mini-batch gradients).  Needs 0 < η⁻ < 1 < η⁺ (as PyTorch); tidu also refuses
    Δmin > Δmax, which PyTorch accepts (every step size then clamps to Δmax).  No weight
    decay, as PyTorch's.  State per parameter: ``step`` (int), ``prev`` (g′), ``step_size`` (Δ).
    """

    hyper_ranges = {**Optimizer.hyper_ranges, "lr": NON_NEGATIVE, "etas": (POSITIVE, POSITIVE),
                    "step_sizes": (NON_NEGATIVE, NON_NEGATIVE)}

    def __init__(self, params, lr: float = 1e-2, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50), *, clipnorm: float | None = None,
                 clipvalue: float | None = None):
        super().__init__(params, dict(lr=lr, etas=_pair(etas), step_sizes=_pair(step_sizes),
                                      clipnorm=clipnorm, clipvalue=clipvalue))

    def _check_options(self, group):
        minus, plus = group["etas"]
        if not minus < 1.0 < plus:
            raise HyperParameterError(f"Rprop: etas must be (η⁻, η⁺) with 0 < η⁻ < 1 < η⁺, got "
                                      f"etas={group['etas']!r}")
        low, high = group["step_sizes"]
        if low > high:
            raise HyperParameterError(f"Rprop: step_sizes must be (min, max) with min ≤ max, got "
                                      f"step_sizes={group['step_sizes']!r}")

    def _init_state(self, param, group):
        return {"step": 0, "prev": np.zeros_like(param),
                "step_size": np.full_like(param, group["lr"])}

    def _update(self, param, grad, state, group):
        minus, plus = group["etas"]
        low, high = group["step_sizes"]
        prev, step_size = state["prev"], state["step_size"]
        state["step"] += 1
        work = self._work(param, 2)
        np.multiply(grad, prev, out=work[0])
        np.sign(work[0], out=work[0])                # +1 same sign, −1 flipped, 0 either is 0
        np.copyto(work[1], 1.0)
        np.copyto(work[1], plus, where=work[0] > 0)
        flipped = work[0] < 0
        np.copyto(work[1], minus, where=flipped)
        step_size *= work[1]
        np.clip(step_size, low, high, out=step_size)
        np.copyto(prev, grad)
        prev[flipped] = 0                            # g ← 0 where the sign flipped
        np.sign(prev, out=work[0])
        work[0] *= step_size
        param -= work[0]


def _pair(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value
