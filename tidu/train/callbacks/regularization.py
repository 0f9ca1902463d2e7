"""Regularizers for `fit`: a penalty added to the loss, and constraints applied after each step.

``fit(..., callbacks=[Regularizer("l2", lam=1e-4)])`` adds λ·½‖w‖² to every batch's loss
(gradients included, logged as ``l2_penalty``); ``MaxNorm(3.0)`` and ``ProximalL1(1e-3)``
act on the weights right after every ``optimizer.step()``.  By default all three act on
`tidu.regularization.regularized_parameters` (weights; not biases, not normalization
parameters).  The formulas are in `tidu.regularization`.  Decoupled weight decay is the
optimizer's: ``tidu.optim.AdamW``.
"""
from __future__ import annotations

from ... import regularization as R
from .base import Callback

__all__ = ["Regularizer", "MaxNorm", "ProximalL1"]

_PENALTIES = ("l1", "l2", "elastic_net")


def _lam(owner: str, lam) -> float:
    """The penalty's coefficient λ: a finite number ≥ 0 (`HyperParameterError` otherwise)."""
    return R._number(owner, "lam", lam)


class _OnParameters(Callback):
    def __init__(self, params, include_bias: bool, include_norm: bool):
        # params: None (the model's regularized_parameters), an iterable of parameters, or a
        # Module (its regularized_parameters)
        self._given = None if params is None else R._params(params, type(self).__name__)
        self.include_bias = include_bias
        self.include_norm = include_norm
        self.params = None

    def on_train_begin(self, logs=None):
        if self._given is not None:
            self.params = self._given
        else:
            self.params = R.regularized_parameters(self.model, self.include_bias,
                                                   self.include_norm)


class Regularizer(_OnParameters):
    """``Regularizer(penalty="l2", lam=1e-4, l1_ratio=0.5, params=None, include_bias=False,
    include_norm=False, name=None)`` adds ``lam · penalty(params)`` to the training loss.

    ``penalty``: ``"l1"`` (‖w‖₁), ``"l2"`` (½‖w‖², so λ is PyTorch's ``weight_decay``),
    ``"elastic_net"`` (ρ‖w‖₁ + ½(1−ρ)‖w‖², ρ = ``l1_ratio``), or a function
    ``params -> scalar tensor``.  Logged per batch and per epoch under ``name`` (default
    ``"<penalty>_penalty"``), apart from ``loss``."""

    def __init__(self, penalty="l2", lam: float = 1e-4, l1_ratio: float = 0.5, params=None,
                 include_bias: bool = False, include_norm: bool = False, name: str | None = None):
        super().__init__(params, include_bias, include_norm)
        self.lam = _lam("Regularizer", lam)
        if isinstance(penalty, str):
            if penalty not in _PENALTIES:
                raise ValueError(f"Regularizer: penalty must be one of {_PENALTIES} or a "
                                 f"function, got penalty={penalty!r}")
            if penalty == "elastic_net":  # l1_ratio is used (and checked) for it alone
                l1_ratio = R._l1_ratio(l1_ratio, "Regularizer")
            self._fn = lambda ps: R.scaled_penalty(penalty, ps, self.lam, l1_ratio)
            default_name = f"{penalty}_penalty"
        elif callable(penalty):
            self._fn = lambda ps: penalty(ps) * self.lam
            default_name = getattr(penalty, "__name__", "penalty")
        else:
            raise TypeError(f"Regularizer: penalty must be 'l1', 'l2', 'elastic_net' or a "
                            f"function, got {type(penalty).__name__}")
        self.kind = penalty
        self.l1_ratio = l1_ratio
        self.name = name or default_name

    def penalty(self):
        return self._fn(self.params)


class MaxNorm(_OnParameters):
    """``MaxNorm(max_norm, dim=0, params=None, include_bias=False)``: after every step,
    rescale each slice along ``dim`` (a unit's incoming weights, a conv filter) whose L2
    norm exceeds ``max_norm`` back to it (`tidu.regularization.max_norm_`; often paired with
    dropout, max_norm ≈ 3–4)."""

    def __init__(self, max_norm: float, dim: int | None = 0, params=None,
                 include_bias: bool = False):
        super().__init__(params, include_bias, False)
        self.max_norm = R._number("MaxNorm", "max_norm", max_norm, low_open=True)
        self.dim = dim

    def on_batch_end(self, batch, logs=None):
        R.max_norm_(self.params, self.max_norm, self.dim)


class ProximalL1(_OnParameters):
    """``ProximalL1(lam, params=None, include_bias=False)``: after every step, soft-threshold
    the weights, θ ← sign(θ)·max(|θ| − η·λ, 0), with η the learning rate of the parameter's
    group for that step (`tidu.regularization.proximal_l1_`).  With plain SGD this is
    proximal gradient descent on loss + λ‖w‖₁ (ISTA, the Lasso for a linear model) and gives
    exact zeros; do not also add an L1 `Regularizer`.  With momentum or adaptive optimizers
    the threshold η·λ ignores their per-coordinate step sizes — a common heuristic."""

    def __init__(self, lam: float, params=None, include_bias: bool = False):
        super().__init__(params, include_bias, False)
        self.lam = _lam("ProximalL1", lam)

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        groups = self.trainer.optimizer.param_groups
        where = {id(p): i for i, g in enumerate(groups) for p in g["params"]}
        names = {id(p): n for n, p in self.model.named_parameters()}
        self._by_group: dict[int, list] = {}
        for p in self.params:
            if id(p) not in where:
                raise ValueError(f"ProximalL1: parameter {names.get(id(p), '?')!r} is not "
                                 f"optimized by the optimizer")
            self._by_group.setdefault(where[id(p)], []).append(p)
        self._lrs = {}

    def on_after_backward(self, batch, logs=None):
        groups = self.trainer.optimizer.param_groups
        self._lrs = {i: float(groups[i]["lr"]) for i in self._by_group}  # the lr of this step

    def on_batch_end(self, batch, logs=None):
        for i, params in self._by_group.items():
            R.proximal_l1_(params, self._lrs[i], self.lam)
