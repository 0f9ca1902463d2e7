"""Losses, each one fused graph node with a hand-written backward pass.

Every loss takes ``reduction`` in ``'none' | 'mean' | 'sum'`` (default ``'mean'``) with
PyTorch's exact semantics, and checks its inputs before computing anything:

* elementwise losses (mse, l1, huber, bce, bce-with-logits) need prediction and target of the
  *same* shape: a prediction of shape (N, 1) against a target of shape (N,) is a `ShapeError`
  (PyTorch would broadcast it to (N, N) with only a warning; tidu never broadcasts a loss);
* their targets must be float (an integer target is a `DTypeError`), of the prediction's dtype;
* class-index targets (cross_entropy, nll, multi_margin) must be integers and in range
  (``0 ≤ y < C``, ``ignore_index`` excepted; a bad label is a `ValueError` naming it and the
  valid range); probability targets (cross_entropy) must be float and of the input's shape.

Class weights, ``weight`` and ``pos_weight`` are constants (no gradient flows to them, as the
derivative for ``weight`` of PyTorch's nll/bce/multi-margin is not implemented either).  Float
targets of the elementwise losses and probability targets of cross_entropy do get a gradient
when they require one (as in PyTorch).
"""
from __future__ import annotations

import math

import numpy as np

from ...backend import like, xp_of
from ...errors import ArgumentError, DTypeError, IndexRangeError, ShapeError, shape_str
from ...tensor import Tensor, _result_array, is_grad_enabled

__all__ = ["mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "multi_margin_loss",
           "triplet_margin_loss", "smooth_l1_loss", "kl_div", "margin_ranking_loss",
           "soft_margin_loss", "cosine_embedding_loss", "gaussian_nll_loss", "poisson_nll_loss"]

_REDUCTIONS = ("none", "mean", "sum")


# --------------------------------------------------------------------------- validation helpers
def _check_reduction(reduction, name: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ArgumentError(f"{name}: reduction must be 'none', 'mean' or 'sum', got {reduction!r}")


def _input(x, name: str, what: str = "input") -> Tensor:
    """The prediction: a float tensor (a float array is wrapped as a constant)."""
    if not isinstance(x, Tensor):
        arr = np.asarray(x)
        if arr.dtype.kind != "f":
            raise DTypeError(f"{name}: {what} must be a float tensor, got dtype {arr.dtype}")
        return Tensor._wrap(arr)
    if x._data.dtype.kind != "f":
        raise DTypeError(f"{name}: {what} must be a float tensor, got dtype {x._data.dtype}")
    return x


def _target(t, x: Tensor) -> Tensor:
    """The target as a tensor on ``x``'s device; a non-tensor float target takes ``x``'s dtype."""
    if isinstance(t, Tensor):
        return t
    arr = np.asarray(t)
    if arr.dtype.kind == "f" and arr.dtype != x._data.dtype:
        arr = arr.astype(x._data.dtype)
    return Tensor._wrap(like(x._data, arr))


def _same_float_dtype(t: Tensor, x: Tensor, name: str, what: str = "target") -> None:
    if t._data.dtype != x._data.dtype:
        raise DTypeError(f"{name}: {what} has dtype {t._data.dtype} but the input has "
                         f"{x._data.dtype}; cast one with .to() (tidu never upcasts silently)")


def _float_target(target, x: Tensor, name: str) -> Tensor:
    """A float target of exactly the input's shape and dtype (elementwise losses)."""
    t = _target(target, x)
    if t._data.dtype.kind != "f":
        raise DTypeError(f"{name}: target must be a float tensor (values, not class indices), "
                         f"got dtype {t._data.dtype}; convert it with .float() or .to(dtype)")
    if t.shape != x.shape:
        raise ShapeError(f"{name}: input of shape {shape_str(x.shape)} and target of shape "
                         f"{shape_str(t.shape)} must have the same shape (losses never broadcast; "
                         f"reshape one of them)")
    _same_float_dtype(t, x, name)
    return t


def _const(w, x: Tensor, name: str, what: str, shape=None, broadcast_to=None) -> np.ndarray | None:
    """A constant weight in ``x``'s dtype, of ``shape`` or broadcasting to ``broadcast_to``."""
    if w is None:
        return None
    arr = w._data if isinstance(w, Tensor) else like(x._data, np.asarray(w))
    if arr.dtype.kind not in "fiub":
        raise DTypeError(f"{name}: {what} must be numeric, got dtype {arr.dtype}")
    if isinstance(w, Tensor) and arr.dtype.kind == "f" and arr.dtype != x._data.dtype:
        _same_float_dtype(w, x, name, what)
    arr = arr.astype(x._data.dtype, copy=False)
    if shape is not None and arr.shape != shape:
        raise ShapeError(f"{name}: {what} must have shape {shape_str(shape)} (one value per "
                         f"class), got {shape_str(arr.shape)}")
    if broadcast_to is not None:
        try:
            ok = np.broadcast_shapes(arr.shape, broadcast_to) == tuple(broadcast_to)
        except ValueError:
            ok = False
        if not ok:
            raise ShapeError(f"{name}: {what} of shape {shape_str(arr.shape)} does not broadcast "
                             f"to the input's shape {shape_str(broadcast_to)}")
    return arr


def _class_target(target, x: Tensor, name: str, expected: tuple) -> np.ndarray:
    t = target._data if isinstance(target, Tensor) else like(x._data, np.asarray(target))
    if t.dtype.kind not in "iu":
        raise DTypeError(f"{name}: target must hold class indices (an integer tensor), got dtype "
                         f"{t.dtype}; convert it with .long()")
    if t.shape != expected:
        raise ShapeError(f"{name}: for input of shape {shape_str(x.shape)} the target must have "
                         f"shape {shape_str(expected)} (one class index per sample), got "
                         f"{shape_str(t.shape)}")
    return t


def _check_labels(t: np.ndarray, n_classes: int, name: str, ignore_index=None) -> np.ndarray | None:
    """Raise on a label outside [0, C) (``ignore_index`` excepted); return the valid mask
    (None when every label counts)."""
    valid = None if ignore_index is None else t != ignore_index
    if valid is not None and valid.all():
        valid = None
    bad = (t < 0) | (t >= n_classes)
    if valid is not None:
        bad &= valid
    if bad.any():
        label = int(t[bad].flat[0])
        extra = f", or ignore_index={ignore_index}" if ignore_index is not None else ""
        raise IndexRangeError(f"{name}: target label {label} is out of range for {n_classes} classes "
                         f"(valid labels are 0…{n_classes - 1}{extra})")
    return valid


def _class_dim_shapes(x: Tensor, name: str):
    """(C, expected class-index target shape) for an input (C,), (N, C) or (N, C, d1, …)."""
    if x.ndim == 0:
        raise ShapeError(f"{name}: input must have a class dimension, as (C,), (N, C) or "
                         f"(N, C, d1, …); got a scalar of shape ()")
    if x.ndim == 1:
        return x.shape[0], ()
    return x.shape[1], x.shape[:1] + x.shape[2:]


def _rows(a: np.ndarray) -> np.ndarray:
    """(C,) → (1, C); (N, C) → itself; (N, C, d…) → (N·d…, C) with the class axis last."""
    if a.ndim == 1:
        return a[None]
    if a.ndim == 2:
        return a
    return np.moveaxis(a, 1, -1).reshape(-1, a.shape[1])


def _unrows(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Inverse of `_rows` for a gradient."""
    if len(shape) == 1:
        return g[0]
    if len(shape) == 2:
        return g
    inner = (shape[0],) + shape[2:] + (shape[1],)
    return xp_of(g).ascontiguousarray(np.moveaxis(g.reshape(inner), -1, 1))


def _scalar(v, dtype) -> np.ndarray:
    return _result_array(v).astype(dtype, copy=False)


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return _result_array(loss)
    if reduction == "sum":
        return _scalar(loss.sum(), loss.dtype)
    if loss.size == 0:
        return xp_of(loss).full((), np.nan, dtype=loss.dtype)
    return _scalar(loss.sum() / loss.size, loss.dtype)


def _upstream(g: np.ndarray, n: int, reduction: str):
    """dOut/dloss_i for each element of an unreduced loss of ``n`` elements."""
    if reduction == "mean":
        return g / n if n else g
    return g


def _elementwise(name, x, t, loss, reduction, dx, dt=None):
    """Record a loss whose value is ``reduce(loss)``; ``dx()``/``dt()`` give d loss_i / d x_i."""
    out = _reduce(loss, reduction)
    n = loss.size
    parents = (x,) if t is None else (x, t)

    def backward(g):
        s = _upstream(g, n, reduction)
        gx = _result_array(dx() * s) if x.requires_grad else None
        if t is None:
            return (gx,)
        gt = _result_array(dt() * s) if (t.requires_grad and dt is not None) else None
        return gx, gt

    return Tensor._op(out, parents, backward)


# --------------------------------------------------------------------------- regression losses
def mse_loss(input, target, reduction: str = "mean") -> Tensor:
    """Mean squared error ℓᵢ = (xᵢ − yᵢ)², reduced by ``reduction`` (default 'mean').

    Gradient 2(xᵢ − yᵢ) (and its negative for the target).  Input and target must have the
    same shape (no broadcasting; Keras' ``MeanSquaredError`` averages over the last axis first,
    which gives the same number for 'mean').
    """
    name = "mse_loss"
    _check_reduction(reduction, name)
    x = _input(input, name)
    t = _float_target(target, x, name)
    d = x._data - t._data
    return _elementwise(name, x, t, d * d, reduction, lambda: 2.0 * d, lambda: -2.0 * d)


def l1_loss(input, target, reduction: str = "mean") -> Tensor:
    """Mean absolute error ℓᵢ = |xᵢ − yᵢ| (default reduction 'mean').

    Gradient sign(xᵢ − yᵢ), 0 where they are equal (as PyTorch).
    """
    name = "l1_loss"
    _check_reduction(reduction, name)
    x = _input(input, name)
    t = _float_target(target, x, name)
    d = x._data - t._data
    return _elementwise(name, x, t, np.abs(d), reduction, lambda: np.sign(d), lambda: -np.sign(d))


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss with d = x − y: ℓ = ½d² where |d| < δ, δ(|d| − ½δ) elsewhere (δ = 1 default).

    Quadratic near zero, linear (gradient ±δ) for outliers: gradient clip(d, −δ, δ).  For δ = 1
    it equals ``smooth_l1_loss``; Keras' ``Huber`` has the same formula and default δ.
    """
    name = "huber_loss"
    _check_reduction(reduction, name)
    if not delta > 0:
        raise ArgumentError(f"{name}: delta must be positive, got {delta}")
    delta = float(delta)
    x = _input(input, name)
    t = _float_target(target, x, name)
    d = x._data - t._data
    a = np.abs(d)
    loss = np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return _elementwise(name, x, t, loss, reduction, lambda: np.clip(d, -delta, delta),
                        lambda: -np.clip(d, -delta, delta))


# --------------------------------------------------------------------------- binary classification
def binary_cross_entropy(input, target, weight=None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = −wᵢ [yᵢ log xᵢ + (1 − yᵢ) log(1 − xᵢ)] for probabilities x ∈ [0, 1].

    Each log is clamped at −100 (as PyTorch), so x = 0 or 1 gives a finite loss.  The gradient
    is wᵢ (xᵢ − yᵢ) / max(xᵢ(1 − xᵢ), 1e−12) (PyTorch's formula).  ``weight`` (a constant)
    broadcasts to the input's shape.  Prefer `binary_cross_entropy_with_logits` on raw scores:
    it is exact where sigmoid saturates.
    """
    name = "binary_cross_entropy"
    _check_reduction(reduction, name)
    x = _input(input, name)
    t = _float_target(target, x, name)
    w = _const(weight, x, name, "weight", broadcast_to=x.shape)
    xd, yd = x._data, t._data
    if xd.size and not ((xd >= 0).all() and (xd <= 1).all()):
        bad = xd[~((xd >= 0) & (xd <= 1))].flat[0]
        raise ArgumentError(f"{name}: input must hold probabilities in [0, 1], got {bad} "
                            f"(apply sigmoid first, or use binary_cross_entropy_with_logits)")
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(xd), -100.0)
        log_1mx = np.maximum(np.log1p(-xd), -100.0)
    loss = -(yd * log_x + (1.0 - yd) * log_1mx)
    if w is not None:
        loss *= w

    def dx():
        gr = (xd - yd) / np.maximum(xd * (1.0 - xd), 1e-12)
        return gr if w is None else gr * w

    def dt():
        gr = log_1mx - log_x
        return gr if w is None else gr * w

    return _elementwise(name, x, t, loss, reduction, dx, dt)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def binary_cross_entropy_with_logits(input, target, weight=None, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:
    """BCE on logits: ℓᵢ = wᵢ [p yᵢ softplus(−xᵢ) + (1 − yᵢ) softplus(xᵢ)].

    Without ``pos_weight`` (p = 1) this is the stable form max(x, 0) − x·y + log(1 + e^(−|x|)),
    finite for logits of any size; its gradient is w(σ(x) − y), with σ computed as
    ½(1 + tanh(x/2)).  ``pos_weight`` (shape broadcastable to the input, typically (C,))
    scales the positive term: gradient w[(1 − y)σ(x) − p y σ(−x)].  ``weight`` broadcasts to
    the input's shape.  Both are constants.
    """
    name = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, name)
    x = _input(input, name)
    t = _float_target(target, x, name)
    w = _const(weight, x, name, "weight", broadcast_to=x.shape)
    pw = _const(pos_weight, x, name, "pos_weight", broadcast_to=x.shape)
    xd, yd = x._data, t._data
    sp = np.maximum(xd, 0.0) + np.log1p(np.exp(-np.abs(xd)))     # softplus(x) = −log(1 − σ(x))
    if pw is None:
        loss = sp - xd * yd
    else:
        # p·y·softplus(−x) + (1 − y)·softplus(x), with softplus(−x) = softplus(x) − x
        loss = (1.0 + (pw - 1.0) * yd) * sp - pw * yd * xd
    if w is not None:
        loss *= w

    def dx():
        s = _sigmoid(xd)
        gr = s - yd if pw is None else (1.0 - yd) * s - pw * yd * (1.0 - s)
        return gr if w is None else gr * w

    def dt():
        gr = -xd if pw is None else (pw - 1.0) * sp - pw * xd
        return gr if w is None else gr * w

    return _elementwise(name, x, t, loss, reduction, dx, dt)


# --------------------------------------------------------------------------- multi-class
def cross_entropy(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy on logits x (class dimension 1, or 0 for an input of shape (C,)).

    One fused node: log pⱼ = xⱼ − max x − log Σₖ e^(xₖ − max x) (stable for logits of ±1e4),
    and the backward pass is softmax(x) − target (scaled by weights and the reduction).

    * Class-index target y (integers, the input's shape without the class dim):
      ℓₙ = −w_{yₙ} log p_{n,yₙ}; samples with yₙ = ``ignore_index`` (default −100) give 0 and
      do not count. 'mean' is the weighted mean Σₙ ℓₙ / Σₙ w_{yₙ} over the counted samples
      (NaN if none is counted, as PyTorch).
    * Probability target Y (floats, the input's shape): ℓₙ = −Σ_c w_c Y_{n,c} log p_{n,c};
      'mean' divides by the number of samples N·d1·… (not by the weights), as PyTorch.
    * ``label_smoothing`` ε (default 0) mixes the target with the uniform distribution:
      y·(1 − ε) + ε/K over K classes; with ε = 0.1, K = 2 a one-hot [0, 1] becomes
      [0.05, 0.95].  For index targets the smoothing term −Σ_c w_c log p_{n,c} is averaged
      with the same denominator as the main term (PyTorch's formula).

    ``weight`` (shape (C,), constant) rescales each class.  Keras' ``CategoricalCrossentropy``
    takes probabilities by default (``from_logits=False``); this takes logits, as PyTorch.
    """
    name = "cross_entropy"
    _check_reduction(reduction, name)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ArgumentError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    x = _input(input, name)
    C, idx_shape = _class_dim_shapes(x, name)
    t = _target(target, x)
    tkind = t._data.dtype.kind
    if t.shape == x.shape:
        if tkind != "f":
            raise DTypeError(
                f"{name}: a target of the input's shape {shape_str(x.shape)} holds class "
                f"probabilities, which must be float; got dtype {t._data.dtype} (for class "
                f"indices give a target of shape {shape_str(idx_shape)})")
        _same_float_dtype(t, x, name)
        w = _const(weight, x, name, "weight", shape=(C,))
        return _cross_entropy_probs(x, t, w, reduction, float(label_smoothing))
    if t.shape == idx_shape:
        if tkind not in "iu":
            raise DTypeError(
                f"{name}: a target of shape {shape_str(idx_shape)} holds class indices, which "
                f"must be integers; got dtype {t._data.dtype} (convert with .long(); float "
                f"class probabilities need the input's shape {shape_str(x.shape)})")
    else:
        raise ShapeError(
            f"{name}: for input of shape {shape_str(x.shape)} the target must have shape "
            f"{shape_str(idx_shape)} (class indices) or {shape_str(x.shape)} (class "
            f"probabilities); got {shape_str(t.shape)}")
    w = _const(weight, x, name, "weight", shape=(C,))
    return _cross_entropy_index(x, t._data, w, int(ignore_index), reduction,
                                float(label_smoothing), name)


def _cross_entropy_index(x, t, w, ignore_index, reduction, eps, name):
    C = x.shape[1] if x.ndim > 1 else x.shape[0]
    ts = t.reshape(-1)
    valid = _check_labels(ts, C, name, ignore_index)
    xs = _rows(x._data)
    N = xs.shape[0]
    rows = xp_of(xs).arange(N)
    ts_safe = ts if valid is None else np.where(valid, ts, 0)
    z = xs - xs.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    lse = np.log(s)[:, 0]
    dtype = x._data.dtype

    # per-sample weight of the main term: w[y] (0 for ignored samples)
    if w is None:
        wt = None if valid is None else valid.astype(dtype)
    else:
        wt = w[ts_safe] if valid is None else w[ts_safe] * valid
    nll = lse - z[rows, ts_safe]                     # −log p[n, y]
    if wt is not None:
        nll = nll * wt
    if eps > 0.0:
        # −Σ_c w_c log p_c = Σ_c w_c (lse − z_c)
        if w is None:
            smooth = C * lse - z.sum(axis=1)
            wsum = float(C)
        else:
            wsum = float(w.sum())
            smooth = wsum * lse - z @ w
        if valid is not None:
            smooth = smooth * valid

    if reduction == "mean":
        denom = float(N if wt is None else wt.sum())
    if reduction == "none":
        out = nll if eps == 0.0 else (1.0 - eps) * nll + (eps / C) * smooth
        out = out.reshape(t.shape)
    else:
        total = nll.sum() if eps == 0.0 else (1.0 - eps) * nll.sum() + (eps / C) * smooth.sum()
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                total = total / denom if denom != 0 else total * np.nan
        out = _scalar(total, dtype)

    if not (x.requires_grad and is_grad_enabled()):
        return Tensor._op(out, (x,), None)
    e /= s                                            # softmax, reused by backward

    def backward(g):
        if reduction == "none":
            c = g.reshape(-1)
        elif reduction == "mean":
            c = g / denom if denom != 0 else g * np.nan
        else:
            c = g
        c = np.broadcast_to(c, (N,)) if np.ndim(c) == 0 else c
        c2 = c if valid is None else c * valid     # smoothing term's per-sample scale
        c1 = c if wt is None else c * wt           # main term's per-sample scale
        if eps == 0.0:
            grad = e * c1[:, None]
            grad[rows, ts_safe] -= c1
        else:
            c1 = (1.0 - eps) * c1
            c2 = (eps / C) * c2
            grad = e * (c1 + c2 * wsum)[:, None]
            grad -= c2[:, None] if w is None else c2[:, None] * w
            grad[rows, ts_safe] -= c1
        return (_unrows(grad, x.shape),)

    return Tensor._op(out, (x,), backward)


def _cross_entropy_probs(x, t, w, reduction, eps):
    ax = 0 if x.ndim == 1 else 1
    C = x.shape[ax]
    xd = x._data
    z = xd - xd.max(axis=ax, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=ax, keepdims=True)
    logp = z - np.log(s)
    yd = t._data if eps == 0.0 else t._data * (1.0 - eps) + eps / C
    wb = None if w is None else w.reshape((C,) + (1,) * (x.ndim - 1 - ax))
    a = yd if wb is None else yd * wb              # coefficient of −log p
    loss = _scalar(-(a * logp).sum(axis=ax), xd.dtype)
    n = loss.size
    out = loss if reduction == "none" else _reduce(loss, reduction)

    def backward(g):
        if reduction == "none":
            sc = np.expand_dims(g, ax)
        elif reduction == "mean":
            sc = g / n if n else g
        else:
            sc = g
        gx = gt = None
        if x.requires_grad:
            gx = (e / s) * (a.sum(axis=ax, keepdims=True) * sc) - a * sc
        if t.requires_grad:
            gt = logp * (-(1.0 - eps) * sc)
            if wb is not None:
                gt *= wb
        return gx, gt

    return Tensor._op(out, (x, t), backward)


def nll_loss(input, target, weight=None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood on log-probabilities: ℓₙ = −w_{yₙ} x_{n,yₙ} (default 'mean').

    Input (C,), (N, C) or (N, C, d1, …) of log-probabilities (e.g. from log_softmax),
    integer target of the input's shape without the class dim.  Samples with yₙ =
    ``ignore_index`` (default −100) give 0 and do not count; 'mean' is the weighted mean
    Σ ℓₙ / Σ w_{yₙ} over the counted samples (NaN if none, as PyTorch).
    ``nll_loss(log_softmax(x), y)`` equals ``cross_entropy(x, y)``.
    """
    name = "nll_loss"
    _check_reduction(reduction, name)
    x = _input(input, name)
    C, idx_shape = _class_dim_shapes(x, name)
    t = _class_target(target, x, name, idx_shape)
    w = _const(weight, x, name, "weight", shape=(C,))
    ts = t.reshape(-1)
    valid = _check_labels(ts, C, name, ignore_index)
    xs = _rows(x._data)
    N = xs.shape[0]
    rows = xp_of(xs).arange(N)
    ts_safe = ts if valid is None else np.where(valid, ts, 0)
    dtype = x._data.dtype
    if w is None:
        wt = None if valid is None else valid.astype(dtype)
    else:
        wt = w[ts_safe] if valid is None else w[ts_safe] * valid
    loss = -xs[rows, ts_safe]
    if wt is not None:
        loss = loss * wt
    if reduction == "none":
        out = loss.reshape(t.shape)
    elif reduction == "sum":
        out = _scalar(loss.sum(), dtype)
    else:
        denom = float(N if wt is None else wt.sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            out = _scalar(loss.sum() / denom if denom else np.nan, dtype)

    def backward(g):
        if reduction == "none":
            c = g.reshape(-1)
        elif reduction == "mean":
            c = np.broadcast_to(g / denom if denom else g * np.nan, (N,))
        else:
            c = np.broadcast_to(g, (N,))
        if wt is not None:
            c = c * wt
        grad = np.zeros_like(xs)
        grad[rows, ts_safe] = -c
        return (_unrows(grad, x.shape),)

    return Tensor._op(out, (x,), backward)


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge (SVM) loss: ℓₙ = Σ_{i≠y} w_y · max(0, margin − x_y + x_i)^p / C.

    Input (N, C) or (C,), integer target (N,) or (); ``p`` is 1 (default, hinge) or 2
    (squared hinge); ``margin`` defaults to 1.  The weight w_y (shape (C,), constant) multiplies
    the hinge *after* the power (PyTorch's implementation; its documentation writes it inside).
    'mean' averages over the N samples.
    """
    name = "multi_margin_loss"
    _check_reduction(reduction, name)
    if p not in (1, 2):
        raise ArgumentError(f"{name}: p must be 1 or 2, got {p!r}")
    x = _input(input, name)
    if x.ndim not in (1, 2):
        raise ShapeError(f"{name}: input must have shape (N, C) or (C,), got {shape_str(x.shape)}")
    C = x.shape[-1]
    t = _class_target(target, x, name, x.shape[:-1])
    w = _const(weight, x, name, "weight", shape=(C,))
    ts = t.reshape(-1)
    _check_labels(ts, C, name)
    xs = _rows(x._data)
    N = xs.shape[0]
    rows = xp_of(xs).arange(N)
    z = xs - xs[rows, ts][:, None]
    z += float(margin)
    z[rows, ts] = 0.0                  # the true class is not a violation
    active = z > 0
    h = np.where(active, z, 0.0)
    if p == 2:
        h = h * h
    wt = None if w is None else w[ts]
    loss = h.sum(axis=1) / C
    if wt is not None:
        loss *= wt
    out = loss.reshape(t.shape) if reduction == "none" else _reduce(loss, reduction)

    def backward(g):
        if reduction == "none":
            c = g.reshape(-1)
        else:
            c = np.broadcast_to(_upstream(g, N, reduction), (N,))
        if wt is not None:
            c = c * wt
        c = c / C
        dh = (2.0 * z * active) if p == 2 else active.astype(xs.dtype)
        grad = dh * c[:, None]
        grad[rows, ts] = -grad.sum(axis=1)
        return (_unrows(grad, x.shape),)

    return Tensor._op(out, (x,), backward)


# --------------------------------------------------------------------------- metric learning
def _pnorm(v: np.ndarray, p: float):
    """‖v‖_p over the last axis and a function giving d‖v‖/dv."""
    if p == 2:
        n = np.sqrt((v * v).sum(axis=-1))
    elif p == 1:
        n = np.abs(v).sum(axis=-1)
    elif math.isinf(p):
        n = np.abs(v).max(axis=-1)
    else:
        n = (np.abs(v) ** p).sum(axis=-1) ** (1.0 / p)
    n = _scalar(n, v.dtype)

    def grad():
        nk = n[..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                gr = v / nk
            elif p == 1:
                return np.sign(v)
            elif math.isinf(p):
                hit = np.abs(v) == nk
                gr = np.sign(v) * hit / hit.sum(axis=-1, keepdims=True)
            else:
                gr = np.sign(v) * np.abs(v) ** (p - 1.0) / nk ** (p - 1.0)
        return np.where(nk == 0, 0.0, gr)

    return n, grad


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, reduction: str = "mean") -> Tensor:
    """Triplet loss ℓₙ = max(d(aₙ, pₙ) − d(aₙ, nₙ) + margin, 0), d(u, v) = ‖u − v + eps‖_p.

    Defaults margin = 1, p = 2, eps = 1e−6 (added to the difference, as PyTorch's
    pairwise_distance).  With ``swap=True`` the negative distance is min(d(a, n), d(p, n))
    (ties share the gradient).  Anchor, positive and negative must have the same shape, (N, D)
    or (D,); the distance runs over the last dimension.
    """
    name = "triplet_margin_loss"
    _check_reduction(reduction, name)
    if not p > 0:
        raise ArgumentError(f"{name}: p must be positive, got {p}")
    a = _input(anchor, name, "anchor")
    pos = _input(positive, name, "positive")
    neg = _input(negative, name, "negative")
    if a.ndim not in (1, 2) or pos.shape != a.shape or neg.shape != a.shape:
        raise ShapeError(f"{name}: anchor, positive and negative must have the same shape, (N, D) "
                         f"or (D,); got {shape_str(a.shape)}, {shape_str(pos.shape)} and "
                         f"{shape_str(neg.shape)}")
    _same_float_dtype(pos, a, name, "positive")
    _same_float_dtype(neg, a, name, "negative")
    p = float(p)
    eps = float(eps)
    ad, pd, nd = a._data, pos._data, neg._data
    d_ap, g_ap = _pnorm(ad - pd + eps, p)
    d_an, g_an = _pnorm(ad - nd + eps, p)
    if swap:
        d_pn, g_pn = _pnorm(pd - nd + eps, p)
        d_neg = np.minimum(d_an, d_pn)
    else:
        d_neg = d_an
    pre = d_ap - d_neg + float(margin)
    loss = _result_array(np.maximum(pre, 0.0))
    n = loss.size
    out = _reduce(loss, reduction)

    def backward(g):
        gate = (pre >= 0) * _upstream(g, n, reduction)   # clamp_min passes at 0, as PyTorch
        gap = gate[..., None] * g_ap()
        if swap:
            share = np.where(d_an == d_pn, 0.5, (d_an < d_pn).astype(ad.dtype))
            gan = (gate * share)[..., None] * g_an()
            gpn = (gate * (1.0 - share))[..., None] * g_pn()
        else:
            gan = gate[..., None] * g_an()
            gpn = None
        gap, gan = _result_array(gap), _result_array(gan)
        gpn = None if gpn is None else _result_array(gpn)
        ga = (gap - gan) if a.requires_grad else None
        gp = None
        if pos.requires_grad:
            gp = -gap if gpn is None else -gap - gpn
        gn = None
        if neg.requires_grad:
            gn = gan if gpn is None else gan + gpn
        return ga, gp, gn

    return Tensor._op(out, (a, pos, neg), backward)


# --------------------------------------------------------------------------- more losses
# These take PyTorch's full signatures, deprecated ``size_average``/``reduce`` included (mapped
# onto ``reduction`` as PyTorch does), so positional calls line up with torch's.
def _legacy(size_average, reduce, reduction: str) -> str:
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _fused(loss: np.ndarray, reduction: str, grads) -> Tensor:
    """Record ``reduce(loss)``; ``grads`` pairs each parent with a function giving
    d lossᵢ/d parent as an array broadcastable to ``loss`` (summed back to the parent's shape)."""
    from ...ops.elementwise import unbroadcast  # noqa: PLC0415 - ops sit below nn
    out = _reduce(loss, reduction)
    n = loss.size
    parents = tuple(t for t, _ in grads)

    def backward(g):
        s = _upstream(g, n, reduction)
        res = []
        for t, d in grads:
            if not t.requires_grad:
                res.append(None)
                continue
            full = np.broadcast_to(d() * s, loss.shape)
            res.append(_result_array(unbroadcast(full, t._data.shape)))
        return tuple(res)

    return Tensor._op(out, parents, backward)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Smooth L1 (Girshick 2015, Fast R-CNN) with d = x − y: ℓ = ½d²/β where |d| < β,
    |d| − ½β elsewhere (default β = 1; β = 0 is the L1 loss).  Gradient d/β inside, sign(d)
    outside.  smooth_l1(β) = huber(δ = β)/β."""
    name = "smooth_l1_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, name)
    if beta < 0:
        raise ArgumentError(f"{name}: beta must be non-negative, got {beta}")
    beta = float(beta)
    x = _input(input, name)
    t = _float_target(target, x, name)
    d = x._data - t._data
    a = np.abs(d)
    if beta == 0:
        loss, grad = a, lambda: np.sign(d)
    else:
        inside = a < beta
        loss = np.where(inside, (0.5 / beta) * d * d, a - 0.5 * beta)
        grad = lambda: np.where(inside, d / beta, np.sign(d))  # noqa: E731
    return _elementwise(name, x, t, loss, reduction, grad, lambda: -grad())


def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Kullback–Leibler divergence with the *input in log-space* (log q) and the target p:
    ℓᵢ = pᵢ (log pᵢ − xᵢ) (0 where pᵢ = 0), or with ``log_target=True`` (target log p)
    ℓᵢ = e^{tᵢ} (tᵢ − xᵢ).  Reductions as PyTorch: 'mean' averages over *every element*
    (PyTorch's default, which warns because it is not the KL divergence); 'batchmean' sums and
    divides by the batch size input.size(0) — the true KL for a batch of distributions;
    'sum', 'none'.  Gradients: −p (−e^t) for the input; log p + 1 − x (e^t (t + 1 − x)) for
    the target (NaN where p = 0, as PyTorch)."""
    name = "kl_div"
    reduction = _legacy(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ArgumentError(f"{name}: reduction must be 'none', 'mean', 'batchmean' or 'sum', "
                            f"got {reduction!r}")
    x = _input(input, name)
    t = _float_target(target, x, name)
    xd, td = x._data, t._data
    if log_target:
        et = np.exp(td)
        loss = et * (td - xd)
        dx = lambda: -et  # noqa: E731
        dt = lambda: et * (td + 1.0 - xd)  # noqa: E731
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            logt = np.log(td)
            loss = np.where(td == 0, 0.0, td * logt) - td * xd
        dx = lambda: -td  # noqa: E731

        def dt():
            with np.errstate(invalid="ignore"):
                return np.where(td == 0, np.nan, logt + 1.0) - xd
    loss = loss.astype(xd.dtype, copy=False)
    if reduction != "batchmean":
        return _elementwise(name, x, t, loss, reduction, dx, dt)
    batch = xd.shape[0] if xd.ndim else 1
    out = _elementwise(name, x, t, loss, "sum", dx, dt)
    return out / batch


def _same_shapes(name: str, what: tuple, tensors: tuple) -> None:
    shape = tensors[0].shape
    if any(t.shape != shape for t in tensors[1:]):
        got = ", ".join(f"{w} {shape_str(t.shape)}" for w, t in zip(what, tensors))
        raise ShapeError(f"{name}: {', '.join(what)} must have the same shape, got {got}")


def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = max(0, −yᵢ(x1ᵢ − x2ᵢ) + margin) with yᵢ = ±1 saying which input should rank
    higher (default margin 0).  Gradient −y, y for the inputs and −(x1 − x2) for a float
    target, where the hinge is active (≥ 0, as PyTorch's clamp_min).  Inputs and target must
    have the same shape (tidu does not broadcast losses)."""
    name = "margin_ranking_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, name)
    x1 = _input(input1, name, "input1")
    x2 = _input(input2, name, "input2")
    y = _target(target, x1)
    _same_shapes(name, ("input1", "input2", "target"), (x1, x2, y))
    _same_float_dtype(x2, x1, name, "input2")
    yd = y._data.astype(x1._data.dtype, copy=False)
    diff = x1._data - x2._data
    z = -yd * diff + float(margin)
    active = z >= 0
    loss = np.where(active, z, 0.0).astype(diff.dtype, copy=False)
    return _fused(loss, reduction, [(x1, lambda: -yd * active), (x2, lambda: yd * active),
                                    (y, lambda: -diff * active)])


def soft_margin_loss(input, target, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Two-class logistic loss ℓᵢ = log(1 + e^{−yᵢxᵢ}) for targets yᵢ = ±1 (computed as
    softplus(−yx), finite for any x, where PyTorch's literal formula overflows to inf for
    −yx ≳ 710).  Gradient −y σ(−yx), and −x σ(−yx) for a target that
    requires grad (PyTorch refuses such a target)."""
    name = "soft_margin_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, name)
    x = _input(input, name)
    t = _float_target(target, x, name)
    z = -t._data * x._data
    loss = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    s = _sigmoid(z)
    return _elementwise(name, x, t, loss, reduction, lambda: -t._data * s, lambda: -x._data * s)


def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = 1 − cos(x1ᵢ, x2ᵢ) for yᵢ = 1, max(0, cos(x1ᵢ, x2ᵢ) − margin) for yᵢ = −1 (0 for
    any other label), over the last dim of (N, D) or (D,) inputs; cos = x1·x2 /
    √((‖x1‖² + 1e−12)(‖x2‖² + 1e−12)) (PyTorch's ε).  Default margin 0.  Gradient through
    cos: dcos/dx1 = x2/√(m1 m2) − cos·x1/m1 (mₖ = ‖xₖ‖² + ε)."""
    name = "cosine_embedding_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, name)
    x1 = _input(input1, name, "input1")
    x2 = _input(input2, name, "input2")
    _same_float_dtype(x2, x1, name, "input2")
    if x1.ndim not in (1, 2) or x2.shape != x1.shape:
        raise ShapeError(f"{name}: input1 and input2 must have the same shape, (N, D) or (D,); "
                         f"got {shape_str(x1.shape)} and {shape_str(x2.shape)}")
    yd = target._data if isinstance(target, Tensor) else like(x1._data, np.asarray(target))
    if yd.shape != x1.shape[:-1]:
        raise ShapeError(f"{name}: for inputs of shape {shape_str(x1.shape)} the target must "
                         f"have shape {shape_str(x1.shape[:-1])}, got {shape_str(yd.shape)}")
    a, b = x1._data, x2._data
    m1 = (a * a).sum(axis=-1) + 1e-12
    m2 = (b * b).sum(axis=-1) + 1e-12
    den = np.sqrt(m1 * m2)
    cos = (a * b).sum(axis=-1) / den
    pos, neg = yd == 1, yd == -1
    hinge = cos - float(margin)
    neg_on = neg & (hinge >= 0)
    loss = _result_array(np.where(pos, 1.0 - cos, np.where(neg_on, hinge, 0.0)).astype(a.dtype))
    n = loss.size
    out = _reduce(loss, reduction)

    def backward(g):
        c = _upstream(g, n, reduction) * (neg_on.astype(a.dtype) - pos)   # d loss / d cos
        ga = gb = None
        if x1.requires_grad:
            ga = _result_array(c[..., None] * (b / den[..., None] - (cos / m1)[..., None] * a))
        if x2.requires_grad:
            gb = _result_array(c[..., None] * (a / den[..., None] - (cos / m2)[..., None] * b))
        return ga, gb

    return Tensor._op(out, (x1, x2), backward)


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """Gaussian negative log-likelihood of ``target`` under N(input, var):
    ℓᵢ = ½(log v + (xᵢ − yᵢ)²/v) (+ ½ log 2π with ``full=True``), v = max(var, eps) (the clamp
    passes no gradient change, as PyTorch's no-grad clamp).  ``var`` has the input's shape,
    or the input's shape without its last dim, or with last dim 1 (one variance per sample),
    or is a float.  Negative variances are refused.  Gradients (x − y)/v for the input,
    its negative for the target, ½(1/v − (x − y)²/v²) for the variance."""
    name = "gaussian_nll_loss"
    _check_reduction(reduction, name)
    x = _input(input, name)
    t = _float_target(target, x, name)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        v = Tensor._wrap(like(x._data, np.full((), float(var), dtype=x._data.dtype)))
    else:
        v = _input(var, name, "var")
        _same_float_dtype(v, x, name, "var")
        if v.shape != x.shape:
            if x.ndim and v.shape == x.shape[:-1]:
                v = v.unsqueeze(-1)
            elif not (x.ndim and v.shape[:-1] == x.shape[:-1] and v.shape[-1:] == (1,)):
                raise ShapeError(f"{name}: var of shape {shape_str(v.shape)} does not fit the "
                                 f"input's shape {shape_str(x.shape)} (expected the same shape, "
                                 f"that shape without its last dim, or with last dim 1)")
    if bool((v._data < 0).any()):
        raise ArgumentError(f"{name}: var has negative entries")
    vd = np.maximum(v._data, float(eps))
    d = x._data - t._data
    loss = 0.5 * (np.log(vd) + d * d / vd)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _fused(loss.astype(x._data.dtype, copy=False), reduction,
                  [(x, lambda: d / vd), (t, lambda: -d / vd),
                   (v, lambda: 0.5 * (1.0 / vd - d * d / (vd * vd)))])


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood (up to log y!): with ``log_input=True`` (default) the
    input is the log-rate, ℓᵢ = e^{xᵢ} − yᵢxᵢ; otherwise the rate, ℓᵢ = xᵢ − yᵢ log(xᵢ + eps).
    ``full=True`` adds Stirling's y log y − y + ½ log(2πy) where y > 1.  Gradients e^x − y
    (or 1 − y/(x + eps)) for the input; −x (or −log(x + eps)), plus log y + 1/(2y) from the
    Stirling term, for the target."""
    name = "poisson_nll_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, name)
    x = _input(input, name)
    t = _float_target(target, x, name)
    xd, yd = x._data, t._data
    if log_input:
        ex = np.exp(xd)
        loss = ex - yd * xd
        dx, dt = (lambda: ex - yd), (lambda: -xd)
    else:
        lx = np.log(xd + eps)
        loss = xd - yd * lx
        dx, dt = (lambda: 1.0 - yd / (xd + eps)), (lambda: -lx)
    if full:
        big = yd > 1
        ys = np.where(big, yd, 1.0)
        loss = loss + np.where(big, ys * np.log(ys) - ys + 0.5 * np.log(2 * math.pi * ys), 0.0)
        base_dt = dt
        dt = lambda: base_dt() + np.where(big, np.log(ys) + 0.5 / ys, 0.0)  # noqa: E731
    return _elementwise(name, x, t, loss.astype(xd.dtype, copy=False), reduction, dx, dt)
