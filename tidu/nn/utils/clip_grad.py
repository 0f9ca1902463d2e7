r"""Gradient clipping over all parameters at once, with PyTorch's semantics
(``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_``).

Call between ``loss.backward()`` and ``optimizer.step()``; the gradients are changed in place.
Against exploding gradients (the notes, 004: 梯度剪切) clipping by the global norm keeps the
direction of the whole update and only shortens it; clipping by value changes the direction.
For Keras's per-tensor ``clipnorm`` / ``clipvalue`` pass them to the optimizer instead.
"""
from __future__ import annotations

import math

import numpy as np

from ..._checks import check_number
from ...errors import HyperParameterError
from ...tensor import Tensor, _result_array


def _tensors(parameters) -> list:
    if isinstance(parameters, Tensor):
        return [parameters]
    params = list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"gradient clipping: expected tidu tensors (e.g. model.parameters()), "
                            f"got {type(p).__name__}")
    return params


def _norm_type(norm_type, owner: str) -> float:
    """The order p of the norm: a number > 0, or inf (the max-norm; ``"inf"`` too, as
    PyTorch).  Checked here rather than by `check_number` because of that string."""
    try:
        p = float(norm_type)
    except (TypeError, ValueError):
        p = math.nan
    if isinstance(norm_type, bool) or not (p > 0 and (math.isfinite(p) or p == math.inf)):
        raise HyperParameterError(f"{owner}: norm_type must be a number in (0, inf) or inf, "
                                  f"got {norm_type!r}")
    return p


def _vector_norm(g: np.ndarray, p: float):
    """‖g‖_p of all elements, as a 0-d array of g's dtype."""
    if p == math.inf:
        return np.max(np.abs(g), initial=0).astype(g.dtype)
    if p == 1:
        return np.sum(np.abs(g), dtype=g.dtype)
    if p == 2:
        flat = g.reshape(-1)
        return np.sqrt(np.dot(flat, flat))
    return np.sum(np.abs(g) ** p, dtype=g.dtype) ** (1.0 / p)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    r"""The p-norm of all ``tensors`` (tidu tensors or arrays) as if concatenated into one
    vector: the p-norm of their p-norms, ‖(‖g₁‖_p, ‖g₂‖_p, …)‖_p (p = inf: the largest |gᵢ|).
    A 0-d tensor; 0.0 for no tensors.  Raises RuntimeError if it is nan or inf and
    ``error_if_nonfinite``."""
    if isinstance(tensors, (Tensor, np.ndarray)):
        tensors = [tensors]
    arrays = [t._data if isinstance(t, Tensor) else np.asarray(t) for t in tensors]
    return _total_norm(arrays, _norm_type(norm_type, "get_total_norm"), error_if_nonfinite)


def _total_norm(arrays: list, p: float, error_if_nonfinite: bool) -> Tensor:
    """`get_total_norm` of arrays, with the order ``p`` already checked."""
    if not arrays:
        return Tensor(np.asarray(0.0, dtype=np.float32))
    norms = np.stack([_vector_norm(a, p) for a in arrays])
    total = _result_array(_vector_norm(norms, p))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {p} of the gradients is "
                           f"{float(total)}, non-finite, so it cannot be clipped; pass "
                           f"error_if_nonfinite=False to scale the gradients by it anyway")
    return Tensor._wrap(total)


def clip_grads_with_norm_(parameters, max_norm: float, total_norm, foreach=None) -> None:
    r"""Scale every gradient in place by min(max_norm / (total_norm + 1e-6), 1)."""
    params = _tensors(parameters)
    max_norm = check_number(max_norm, "max_norm", "clip_grads_with_norm_", allow_inf=True)
    grads = [p.grad._data for p in params if p.grad is not None]
    if not grads:
        return
    total = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coef = np.minimum(float(max_norm) / (total + 1e-6), 1.0)
    if coef != 1.0:  # nan included: a nan norm makes nan gradients, as in PyTorch
        with np.errstate(invalid="ignore"):  # inf · 0 → nan, as in PyTorch, without a warning
            for g in grads:
                g *= coef


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    r"""Clip the gradients of ``parameters`` (an iterable of tensors, or one tensor) by their
    global norm, in place::

        N = ‖(‖g₁‖_p, ‖g₂‖_p, …)‖_p           (p = norm_type, default 2; 'inf' allowed)
        gᵢ ← gᵢ · min(max_norm / (N + 1e-6), 1)

    Parameters without a gradient are skipped.  Returns N (before clipping) as a 0-d tensor.
    With ``error_if_nonfinite`` a nan or inf N raises RuntimeError (naming the norm) instead of
    scaling the gradients to nan / 0.  ``foreach`` (PyTorch's choice of kernel) is accepted
    and changes nothing here.
    """
    params = _tensors(parameters)
    max_norm = check_number(max_norm, "max_norm", "clip_grad_norm_", allow_inf=True)  # named as called
    p = _norm_type(norm_type, "clip_grad_norm_")
    total = _total_norm([g.grad._data for g in params if g.grad is not None], p,
                        error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    r"""Clip every gradient elementwise into [−clip_value, clip_value], in place."""
    params = _tensors(parameters)
    clip_value = check_number(clip_value, "clip_value", "clip_grad_value_", allow_inf=True)
    for p in params:
        if p.grad is not None:
            np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)
