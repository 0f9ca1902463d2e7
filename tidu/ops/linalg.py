"""Matrix product (batched, NumPy's matmul rules, 1-D operands included)."""
from __future__ import annotations

import numpy as np

from .. import backend
from ..errors import ShapeError, shape_str
from ..tensor import Tensor
from .elementwise import lift, unbroadcast


def matmul(a, b) -> Tensor:
    """a @ b.  d/da = g @ bᵀ, d/db = aᵀ @ g, batch dims summed back to each operand."""
    if not isinstance(a, Tensor):
        a = lift(a, b, "matmul")
    b = lift(b, a, "matmul")
    x, w = a._data, b._data
    if x.ndim == 0 or w.ndim == 0:
        raise ShapeError("matmul: operands must have at least one dimension, got "
                         f"{shape_str(x.shape)} and {shape_str(w.shape)}")
    inner_w = w.shape[0] if w.ndim == 1 else w.shape[-2]
    if x.shape[-1] != inner_w:
        raise ShapeError(f"matmul: {shape_str(x.shape)} @ {shape_str(w.shape)}: inner dimensions "
                         f"{x.shape[-1]} and {inner_w} differ")
    out = x @ w

    def backward(g):
        x2 = x[None, :] if x.ndim == 1 else x
        w2 = w[:, None] if w.ndim == 1 else w
        g2 = g
        if w.ndim == 1:
            g2 = g2[..., None]
        if x.ndim == 1:
            g2 = g2[..., None, :]
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(g2 @ np.swapaxes(w2, -1, -2), x2.shape)
            ga = ga.reshape(x.shape)
        if b.requires_grad:
            gb = np.swapaxes(x2, -1, -2) @ g2
            gb = unbroadcast(gb, w2.shape).reshape(w.shape)
        return ga, gb

    return Tensor._op(out, (a, b), backward)


def mm(a, b) -> Tensor:
    """Matrix product of two 2-D tensors, (n, m) @ (m, p) → (n, p), as torch.mm (no
    broadcasting, no 1-D operands); gradients as `matmul`."""
    for name, x in (("self", a), ("mat2", b)):
        if not isinstance(x, Tensor) or x.ndim != 2:
            shape = shape_str(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise ShapeError(f"mm: {name} must be a 2-D tensor (a matrix), got {shape}")
    return matmul(a, b)


def bmm(a, b) -> Tensor:
    """Batched matrix product of two 3-D tensors, (B, n, m) @ (B, m, p) → (B, n, p), as
    torch.bmm (one batch size, no broadcasting); gradients as `matmul`."""
    for name, x in (("batch1", a), ("batch2", b)):
        if not isinstance(x, Tensor) or x.ndim != 3:
            shape = shape_str(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise ShapeError(f"bmm: {name} must be a 3-D tensor, got {shape}")
    if a.shape[0] != b.shape[0]:
        raise ShapeError(f"bmm: batch sizes differ: {shape_str(a.shape)} and {shape_str(b.shape)}")
    return matmul(a, b)


# --------------------------------------------------------------------------- PyTorch's others
def _need(x, ndim, op, name):
    if not isinstance(x, Tensor) or x.ndim != ndim:
        shape = shape_str(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise ShapeError(f"{op}: {name} must be a {ndim}-D tensor, got {shape}")


def dot(a, b) -> Tensor:
    """Σᵢ aᵢbᵢ of two 1-D tensors of one length (as torch.dot); gradients g·b and g·a."""
    _need(a, 1, "dot", "input")
    _need(b, 1, "dot", "tensor")
    if a.shape != b.shape:
        raise ShapeError(f"dot: 1-D tensors of different lengths {a.shape[0]} and {b.shape[0]}")
    return matmul(a, b)


def outer(a, b) -> Tensor:
    """out[i, j] = aᵢ·bⱼ of two 1-D tensors (as torch.outer); gradients g·b and gᵀ·a."""
    _need(a, 1, "outer", "input")
    _need(b, 1, "outer", "vec2")
    b = lift(b, a, "outer")
    x, y = a._data, b._data
    return Tensor._op(x[:, None] * y[None, :], (a, b),
                      lambda g: (g @ y if a.requires_grad else None,
                                 x @ g if b.requires_grad else None))


def mv(a, b) -> Tensor:
    """(n, m) matrix times length-m vector → length n (as torch.mv)."""
    _need(a, 2, "mv", "input")
    _need(b, 1, "mv", "vec")
    return matmul(a, b)


def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002 - torch's names
    """beta·input + alpha·(mat1 @ mat2), ``input`` broadcast to the product's shape (as
    torch.addmm, defaults beta=1, alpha=1)."""
    from .elementwise import add, mul
    prod = mm(mat1, mat2)
    return add(input if beta == 1 else mul(input, beta), prod if alpha == 1 else mul(prod, alpha))


def diag(a: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor → the square matrix with it on diagonal ``diagonal``; a 2-D tensor → its
    diagonal ``diagonal`` as a 1-D tensor (as torch.diag).  Gradients read or write the
    same diagonal."""
    if not isinstance(a, Tensor) or a.ndim not in (1, 2):
        raise ShapeError(f"diag: expects a 1-D or 2-D tensor, got "
                         f"{shape_str(a.shape) if isinstance(a, Tensor) else type(a).__name__}")
    k = int(diagonal)
    x = a._data
    if x.ndim == 1:
        return Tensor._op(np.diag(x, k), (a,), lambda g: (np.diagonal(g, k).copy(),))
    shape = x.shape

    def backward(g):
        full = np.zeros_like(g, shape=shape)
        n = g.shape[0]
        if n:
            rows = np.arange(n) + (0 if k >= 0 else -k)
            xp_rows = backend.like(g, rows)
            full[xp_rows, xp_rows + k] = g
        return (full,)

    return Tensor._op(np.diagonal(x, k).copy(), (a,), backward)


def trace(a: Tensor) -> Tensor:
    """Σᵢ aᵢᵢ of a 2-D tensor (as torch.trace); the gradient is g on the diagonal."""
    _need(a, 2, "trace", "input")
    x = a._data
    eye = backend.xp_of(x).eye(x.shape[0], x.shape[1], dtype=x.dtype)
    return Tensor._op(_scalar(np.trace(x)), (a,), lambda g: (g * eye,))


def _scalar(out):
    return np.asarray(out) if isinstance(out, np.generic) else out


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation, arrays):
    """Explicit subscripts (no '...', output given) for ``equation`` on ``arrays``."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(arrays):
        raise ShapeError(f"einsum: '{equation}' names {len(terms)} operands, got {len(arrays)}")
    free = [c for c in _LETTERS if c not in eq]
    ell_n = 0
    for t, x in zip(terms, arrays):
        if "..." in t:
            ell_n = max(ell_n, x.ndim - (len(t) - 3))
    ell = "".join(free[:ell_n])
    out_terms = []
    for t, x in zip(terms, arrays):
        if "..." in t:
            n = x.ndim - (len(t) - 3)
            t = t.replace("...", ell[ell_n - n:] if n else "")
        if len(t) != x.ndim:
            raise ShapeError(f"einsum: subscripts '{t}' for an operand of shape "
                             f"{shape_str(x.shape)}")
        out_terms.append(t)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        letters = "".join(out_terms)
        out = ell + "".join(sorted(c for c in set(letters) - set(ell) if letters.count(c) == 1))
    return out_terms, out


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation (NumPy's einsum, torch.einsum's signature: operands as arguments
    or one list).  The gradient of each operand is the einsum of the incoming gradient with
    the other operands onto that operand's subscripts (summed over the labels only it has,
    and over the dims it broadcast).  An operand that repeats a label ('ii->i') may not
    require grad in tidu."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands or not all(isinstance(t, Tensor) for t in operands):
        raise TypeError("einsum: expects tensors as operands")
    first = operands[0]
    operands = tuple(lift(t, first, "einsum") for t in operands)
    arrays = [t._data for t in operands]
    terms, out_sub = _parse_einsum(equation, arrays)
    sizes = {}
    for t, x in zip(terms, arrays):
        for c, n in zip(t, x.shape):
            sizes[c] = max(sizes.get(c, 1), n)
    spec = ",".join(terms) + "->" + out_sub
    try:
        out = np.einsum(spec, *arrays)
    except ValueError as err:
        raise ShapeError(f"einsum '{equation}': {err}") from None
    for t, op in zip(terms, operands):
        if op.requires_grad and len(set(t)) != len(t):
            raise ShapeError(f"einsum: gradient through the repeated subscripts '{t}' of one "
                             f"operand is not implemented in tidu")

    def grad_for(k, g):
        t, x = terms[k], arrays[k]
        others = [s for i, s in enumerate(terms) if i != k]
        known = set(out_sub).union(*others) if others else set(out_sub)
        kept = "".join(c for c, n in zip(t, x.shape) if c in known and not (n == 1 and sizes[c] > 1))
        gk = np.einsum(",".join([out_sub] + others) + "->" + kept, g,
                       *[a for i, a in enumerate(arrays) if i != k])
        # put back the labels left out: size-1 (broadcast) dims and labels only k has
        dims = iter(gk.shape)
        gk = gk.reshape([next(dims) if c in kept else 1 for c in t])
        return np.broadcast_to(gk, x.shape).astype(x.dtype, copy=True)

    def backward(g):
        return tuple(grad_for(k, g) if op.requires_grad else None for k, op in enumerate(operands))

    return Tensor._op(_scalar(out), operands, backward)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode=None) -> Tensor:
    """Pairwise p-norm distances between the rows of ``x1`` (…, P, M) and ``x2`` (…, R, M):
    out[…, i, j] = ‖x1[…, i] − x2[…, j]‖_p, as torch.cdist (batch dims broadcast; p ≥ 0,
    p = inf the largest |difference|).  Computed from the differences (exact; ``compute_mode``
    is accepted and changes nothing).  d/dx1 = Σ_j g·sign(d)|d|^(p−1) / out^(p−1); a zero
    distance gets a zero gradient, as torch."""
    for name, t in (("x1", x1), ("x2", x2)):
        if not isinstance(t, Tensor) or t.ndim < 2:
            raise ShapeError(f"cdist: {name} must be a tensor of at least 2 dims (…, rows, "
                             f"features), got {getattr(t, 'shape', type(t).__name__)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(f"cdist: x1 {shape_str(x1.shape)} and x2 {shape_str(x2.shape)} must "
                         f"have the same number of features (last dim)")
    p = float(p)
    if not p >= 0:
        raise ShapeError(f"cdist: p must be ≥ 0, got {p}")
    a, b = x1._data, x2._data
    d = a[..., :, None, :] - b[..., None, :, :]              # (…, P, R, M)
    ad = abs(d)
    if p == float("inf"):
        out = ad.max(axis=-1)
    elif p == 0:
        out = (ad != 0).sum(axis=-1).astype(a.dtype)
    elif p == 2:
        out = (d * d).sum(axis=-1) ** 0.5
    else:
        out = (ad ** p).sum(axis=-1) ** (1.0 / p)

    def backward(g):
        xp = backend.xp_of(g)
        if p == 0:
            dd = xp.zeros_like(d)
        elif p == float("inf"):
            hit = ad == out[..., None]
            dd = xp.sign(d) * hit / xp.maximum(hit.sum(axis=-1, keepdims=True), 1)
        else:
            safe = xp.where(out > 0, out, 1)[..., None]
            dd = d / safe if p == 2 else xp.sign(d) * (ad / safe) ** (p - 1)
            dd = xp.where(out[..., None] > 0, dd, 0)
        gd = g[..., None] * dd                                # (…, P, R, M)
        return (unbroadcast(gd.sum(axis=-2), x1.shape) if x1.requires_grad else None,
                unbroadcast(-gd.sum(axis=-3), x2.shape) if x2.requires_grad else None)

    return Tensor._op(out, (x1, x2), backward)
