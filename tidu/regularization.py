r"""Regularization: penalties added to the loss, and constraints applied after each step.

Penalties (differentiable tidu scalars — add ``λ · penalty`` to the loss before ``backward``)::

    l1_penalty(w)          = Σ |wᵢ|                                  (‖w‖₁, Lasso)
    l2_penalty(w)          = ½ Σ wᵢ²                                 (½‖w‖², Ridge)
    elastic_net_penalty(w) = ρ Σ |wᵢ| + ½ (1 − ρ) Σ wᵢ²              (ρ = l1_ratio)

summed over every given parameter.  The L2 penalty carries the ½ of the notes (001, 正则化:
the objective E(w) + λ/2·wᵀw), so its gradient is λw and ``loss + λ·l2_penalty(w)`` with
plain SGD takes exactly the step of PyTorch's ``SGD(weight_decay=λ)`` (tests check it); the
elastic net is scikit-learn's ``ElasticNet`` penalty (α·ρ‖w‖₁ + ½α(1−ρ)‖w‖², α = λ).
Keras writes L2 without the ½: ``keras.regularizers.L2(l2=c)`` adds c·Σw², i.e.
λ = 2c here.  The notes' general form λ/2·Σ|w|^q with q = 1 has a ½ on L1 as well; tidu's
L1 is the plain ‖w‖₁ (PyTorch's and Keras's), so the notes' λ is twice tidu's.
The L1 gradient at exactly 0 is the subgradient 0 (as ``torch.abs``).

Which parameters: `regularized_parameters(model)` picks the weights — not biases (parameters
named ``bias*``, e.g. RNN's ``bias_ih_l0``) and not the parameters of normalization layers
(BatchNorm/LayerNorm ``weight`` and ``bias``), which set a scale and a shift rather than a
connection: penalizing them fights the normalization.  ``include_bias`` / ``include_norm``
bring them back.  Every penalty and constraint here accepts either an iterable of
parameters or a `Module` (meaning ``regularized_parameters(module)``).

Decoupled weight decay, θ ← θ − ηλθ applied apart from the gradient (Loshchilov & Hutter),
is not a loss term — with Adam it differs from an L2 penalty, whose gradient Adam rescales —
and lives in the optimizer: ``tidu.optim.AdamW`` (or ``Adam(..., decoupled_weight_decay=
True)``).

Constraints, applied in place after each optimizer step (`tidu.train` callbacks `MaxNorm`
and `ProximalL1` do it in ``fit``):

* `max_norm_` — max-norm (Srivastava et al. 2014): every slice along ``dim`` (for a
  ``Linear`` weight (out, in), ``dim=0``: each unit's incoming weights; for a ``Conv2d``
  weight, each filter) whose L2 norm exceeds c is scaled back to norm c, as
  ``torch.renorm(w, 2, dim, c)``: w ← w · c / (‖w‖ + 1e-7) where ‖w‖ > c.
* `proximal_l1_` — the proximal step of the L1 penalty (soft-thresholding, ISTA):
  θ ← sign(θ) · max(|θ| − ηλ, 0).  Unlike the L1 subgradient, which makes weights oscillate
  around 0, it sets small weights exactly to zero; after plain (full-batch) gradient steps it
  is proximal gradient descent and converges to the Lasso solution (tests compare with
  scikit-learn's ``Lasso``).
"""
from __future__ import annotations

import math
import re

import numpy as np

from ._checks import check_number
from .backend import like
from .tensor import Tensor, get_default_dtype

__all__ = ["l1_penalty", "l2_penalty", "elastic_net_penalty", "scaled_penalty",
           "regularized_parameters",
           "named_regularized_parameters", "max_norm_", "proximal_l1_"]

# --------------------------------------------------------------------------- selection
_NORM_NAME = re.compile(r"(Batch|Layer|Group|Instance|RMS)Norm")


def _is_normalization(module) -> bool:
    from .nn.modules.normalization import LayerNorm, _BatchNorm
    return isinstance(module, (_BatchNorm, LayerNorm)) or bool(
        _NORM_NAME.search(type(module).__name__))


def named_regularized_parameters(model, include_bias: bool = False,
                                 include_norm: bool = False) -> list:
    """``(name, parameter)`` pairs of `regularized_parameters`, by state_dict name."""
    from .nn.modules.module import Module
    if not isinstance(model, Module):
        raise TypeError(f"regularized_parameters: expected a tidu.nn.Module, got "
                        f"{type(model).__name__}")
    out, seen = [], set()
    for mod_name, mod in model.named_modules():
        norm = _is_normalization(mod)
        for name, p in mod._parameters.items():
            if p is None or id(p) in seen or not p.requires_grad:
                continue
            seen.add(id(p))
            if norm and not include_norm:
                continue
            if not norm and name.startswith("bias") and not include_bias:
                continue
            out.append((f"{mod_name}.{name}" if mod_name else name, p))
    return out


def regularized_parameters(model, include_bias: bool = False, include_norm: bool = False) -> list:
    """The parameters a weight penalty or constraint should act on: every trainable
    parameter of ``model`` except biases (names starting with ``bias``) and the parameters of
    normalization layers (BatchNorm/LayerNorm ``weight`` and ``bias``), unless
    ``include_bias`` / ``include_norm`` ask for them (``include_norm`` brings a norm layer's
    weight and bias both).  A list, in ``named_parameters()`` order."""
    return [p for _, p in named_regularized_parameters(model, include_bias, include_norm)]


def _params(params, owner: str) -> list:
    from .nn.modules.module import Module
    if isinstance(params, Module):
        return regularized_parameters(params)
    if isinstance(params, Tensor):
        params = [params]
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"{owner}: params must be an iterable of tensors or a Module, got "
                        f"{type(params).__name__}") from None
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{owner}: params[{i}] must be a tidu Tensor, got "
                            f"{type(p).__name__}")
        if p._data.dtype.kind != "f":
            raise TypeError(f"{owner}: params[{i}] must be a float tensor, got dtype {p.dtype}")
    return params


def _number(owner: str, name: str, value, **valid_range) -> float:
    """A finite number in ``valid_range`` (`check_number`'s; default [0, inf)) as a float, or
    a `HyperParameterError` naming ``owner``, the argument, the range and the value."""
    return float(check_number(value, name, owner, **valid_range))


# --------------------------------------------------------------------------- penalties
def _penalty(params: list, value_fn, grad_fn, scale: float = 1.0) -> Tensor:
    """One graph node for the whole sum: value scale·Σ value_fn(w), gradient
    scale·grad_fn(w)·g (``scale`` fused in, so ``lam·penalty`` costs no extra node)."""
    if not params:
        return Tensor(np.zeros((), dtype=get_default_dtype()))
    dtype = np.result_type(*[p._data.dtype for p in params])
    value = like(params[0]._data, np.asarray(scale * sum(value_fn(p._data) for p in params),
                                           dtype=dtype))

    def backward(g):
        g = (g * scale).astype(dtype)
        return tuple(grad_fn(p._data, g.astype(p._data.dtype)) for p in params)

    return Tensor._op(value, tuple(params), backward)


def _sum_abs(w: np.ndarray) -> float:
    return float(np.abs(w).sum(dtype=np.float64))


def _half_sum_sq(w: np.ndarray) -> float:
    flat = w.reshape(-1)
    return 0.5 * float(np.dot(flat, flat))


def _l1_grad(w, g):
    out = np.sign(w)
    out *= g
    return out


def _l2_grad(w, g):
    return w * g


def _elastic_net(rho: float):
    def value(w):
        return rho * _sum_abs(w) + (1.0 - rho) * _half_sum_sq(w)

    def grad(w, g):
        out = np.sign(w)
        out *= rho
        out += (1.0 - rho) * w
        out *= g
        return out

    return value, grad


def l1_penalty(params) -> Tensor:
    """Σ |w| over every element of every parameter (‖w‖₁); gradient sign(w) (0 at 0)."""
    return _penalty(_params(params, "l1_penalty"), _sum_abs, _l1_grad)


def l2_penalty(params) -> Tensor:
    """½ Σ w² over every element of every parameter (½‖w‖²₂); gradient w.

    λ·l2_penalty is PyTorch's ``weight_decay=λ`` written as a loss term (and Keras's
    ``L2(l2=λ/2)``)."""
    return _penalty(_params(params, "l2_penalty"), _half_sum_sq, _l2_grad)


def _l1_ratio(l1_ratio, owner: str = "elastic_net_penalty") -> float:
    return _number(owner, "l1_ratio", l1_ratio, high=1.0)


def elastic_net_penalty(params, l1_ratio: float = 0.5) -> Tensor:
    """ρ‖w‖₁ + ½(1 − ρ)‖w‖²₂ with ρ = ``l1_ratio`` in [0, 1] (scikit-learn's ElasticNet
    penalty: ρ = 1 is `l1_penalty`, ρ = 0 `l2_penalty`); gradient ρ·sign(w) + (1 − ρ)·w."""
    value, grad = _elastic_net(_l1_ratio(l1_ratio))
    return _penalty(_params(params, "elastic_net_penalty"), value, grad)


def scaled_penalty(kind: str, params, scale: float, l1_ratio: float = 0.5) -> Tensor:
    """``scale · <kind>_penalty(params)`` as one graph node (what the `fit` regularizer
    adds to every batch's loss); ``kind`` is ``"l1"``, ``"l2"`` or ``"elastic_net"``."""
    owner = f"{kind}_penalty"
    fns = {"l1": (_sum_abs, _l1_grad), "l2": (_half_sum_sq, _l2_grad)}
    value, grad = fns[kind] if kind in fns else _elastic_net(_l1_ratio(l1_ratio))
    return _penalty(_params(params, owner), value, grad, _number(owner, "scale", scale))


# --------------------------------------------------------------------------- constraints
def max_norm_(params, max_norm: float, dim: int | None = 0) -> None:
    """Max-norm constraint, in place: each slice ``w[i]`` along ``dim`` (the norm is taken
    over all other axes) whose L2 norm exceeds ``max_norm`` is scaled by
    max_norm / (‖w[i]‖ + 1e-7), as ``torch.renorm(w, p=2, dim=dim, maxnorm=max_norm)``.
    ``dim=0`` (default) constrains a ``Linear`` unit's incoming weights (a row of the
    (out, in) weight) or a ``Conv2d`` filter; ``dim=None`` the whole tensor's norm.
    Keras's ``MaxNorm(max_value, axis=0)`` on a (in, out) Dense kernel is the same
    constraint, but scales every column by c'/(ε + ‖w‖) with c' = min(‖w‖, c), shrinking
    unconstrained columns by a factor 1/(1 + ε/‖w‖) too."""
    owner = "max_norm_"
    c = _number(owner, "max_norm", max_norm, low_open=True)
    for i, p in enumerate(_params(params, owner)):
        w = p._data
        if w.ndim == 0 or dim is None:
            norm = math.sqrt(float(np.dot(w.reshape(-1), w.reshape(-1))))
            if norm > c:
                w *= c / (norm + 1e-7)
            continue
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) \
                or not -w.ndim <= dim < w.ndim:
            raise ValueError(f"{owner}: dim must be None or an axis of params[{i}] (shape "
                             f"{w.shape}), got dim={dim!r}")
        axes = tuple(a for a in range(w.ndim) if a != dim % w.ndim)
        norms = np.sqrt(np.square(w).sum(axis=axes, keepdims=True)) if axes else np.abs(w)
        over = norms > c
        if over.any():
            w *= np.where(over, c / (norms + 1e-7), 1.0).astype(w.dtype)


def proximal_l1_(params, lr: float, lam: float) -> None:
    """Soft-thresholding, in place: θ ← sign(θ) · max(|θ| − lr·lam, 0) — the proximal
    operator of lr·lam·‖θ‖₁.  Applied after each gradient step it yields exact zeros
    (ISTA); the zeros are +0.0."""
    owner = "proximal_l1_"
    lr = _number(owner, "lr", lr)
    lam = _number(owner, "lam", lam)
    threshold = lr * lam
    if threshold == 0:
        return
    for p in _params(params, owner):
        w = p._data
        shrunk = np.abs(w)
        shrunk -= threshold
        np.maximum(shrunk, 0, out=shrunk)
        np.copysign(shrunk, w, out=w)
        w += 0.0  # −0.0 → +0.0
