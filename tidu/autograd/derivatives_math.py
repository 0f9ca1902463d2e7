"""Differentiable backward rules of the element-wise ops, reductions and matmul (see
`tidu.autograd.derivatives`).  Each states the first derivative it writes as tidu ops."""
from __future__ import annotations

import numpy as np

from ..ops import elementwise as ew
from ..ops import linalg, reduction
from ..ops import reduction_more
from .derivatives import const, keep_dims, mask_like, needs, rule, sum_to, unsupported


# --------------------------------------------------------------------------- binary
@rule(ew.add)
def _add(node, g, env):
    a, b = node._parents
    return sum_to(g, a.shape), sum_to(g, b.shape)


@rule(ew.sub)
def _sub(node, g, env):
    a, b = node._parents
    return sum_to(g, a.shape), (sum_to(-g, b.shape) if needs(b) else None)


@rule(ew.mul)
def _mul(node, g, env):
    """d(ab) = b da + a db."""
    a, b = node._parents
    return (sum_to(g * b, a.shape) if needs(a) else None,
            sum_to(g * a, b.shape) if needs(b) else None)


@rule(ew.div)
def _div(node, g, env):
    """d(a/b) = da/b − (a/b) db/b."""
    a, b = node._parents
    ga = g / b
    return (sum_to(ga, a.shape) if needs(a) else None,
            sum_to(-ga * node, b.shape) if needs(b) else None)


@rule(ew.pow)
def _pow(node, g, env):
    """d xᵖ = p x^(p−1) dx; for a tensor exponent also d aᵇ/db = aᵇ ln a."""
    if "b" not in env:  # a number exponent (the p = 2 closure captures only x)
        (x,) = node._parents
        p = env.get("p", 2.0)
        return (g * (2.0 * x) if p == 2.0 else g * (p * x ** (p - 1.0)),)
    a, b = node._parents
    return (sum_to(g * b * a ** (b - 1), a.shape) if needs(a) else None,
            sum_to(g * node * a.log(), b.shape) if needs(b) else None)


@rule(ew._extremum)
def _extremum(node, g, env):
    """maximum/minimum: the gradient goes to the winner (split evenly at ties)."""
    a, b = node._parents
    share = np.where(a._data == b._data, 0.5, env["wins"](a._data, b._data))
    return (sum_to(mask_like(g, share), a.shape) if needs(a) else None,
            sum_to(mask_like(g, 1 - share), b.shape) if needs(b) else None)


@rule(ew.where)
def _where(node, g, env):
    a, b = node._parents
    cond = env["cond"]
    return (sum_to(mask_like(g, cond), a.shape) if needs(a) else None,
            sum_to(mask_like(g, ~cond), b.shape) if needs(b) else None)


# --------------------------------------------------------------------------- unary
@rule(ew.neg)
def _neg(node, g, env):
    return (-g,)


@rule(ew.exp)
def _exp(node, g, env):
    return (g * node,)


@rule(ew.expm1)
def _expm1(node, g, env):
    return (g * (node + 1),)


@rule(ew.log)
def _log(node, g, env):
    return (g / node._parents[0],)


@rule(ew.log1p)
def _log1p(node, g, env):
    return (g / (node._parents[0] + 1),)


@rule(ew.sqrt)
def _sqrt(node, g, env):
    return (g / (2 * node),)


@rule(ew.rsqrt)
def _rsqrt(node, g, env):
    return (g * (-0.5 * node * node * node),)


@rule(ew.square)
def _square(node, g, env):
    return (g * (2 * node._parents[0]),)


@rule(ew.sin)
def _sin(node, g, env):
    return (g * node._parents[0].cos(),)


@rule(ew.cos)
def _cos(node, g, env):
    return (-g * node._parents[0].sin(),)


@rule(ew.abs)
def _abs(node, g, env):
    return (mask_like(g, np.sign(env["x"])),)


@rule(ew.clip)
def _clip(node, g, env):
    x, lo, hi = env["x"], env.get("min"), env.get("max")
    inside = np.ones_like(x, dtype=bool)
    if lo is not None:
        inside &= x >= lo
    if hi is not None:
        inside &= x <= hi
    return (mask_like(g, inside),)


@rule(ew._step)
def _step(node, g, env):
    """sign, floor, ceil, round: zero almost everywhere."""
    return (const(np.zeros_like(g._data)),)


# --------------------------------------------------------------------------- reductions
@rule(reduction.sum)
def _sum(node, g, env):
    return (keep_dims(g, env["axes"], env["keepdims"]).expand(env["shape"]),)


@rule(reduction.mean)
def _mean(node, g, env):
    return ((keep_dims(g, env["axes"], env["keepdims"]) * env["scale"]).expand(env["shape"]),)


@rule(reduction._extreme)
def _extreme(node, g, env):
    """max/min/amax over axes: ties share the gradient evenly."""
    x, axes = env["x"], env["axes"]
    hit = x == env["out_kd"]
    share = hit / hit.sum(axis=axes, keepdims=True)
    return (mask_like(keep_dims(g, axes, env["keepdims"]).expand(x.shape), share),)


@rule(reduction._max_or_min)
def _max_or_min_dim(node, g, env):
    """max/min along one dim: the gradient goes to the index picked."""
    x, dim = env["x"], env["dim"]
    if not x.ndim:
        return (g.reshape(x.shape),)
    picked = np.zeros_like(x, dtype=bool)
    np.put_along_axis(picked, env["indices"], True, dim)
    return (mask_like(keep_dims(g, (dim,), env["keepdim"]).expand(x.shape), picked),)


@rule(reduction_more.vector_norm)
def _vector_norm(node, g, env):
    """‖x‖₂: x/‖x‖ (0 where the norm is 0); ‖x‖₁: sign x."""
    p, axes = env["p"], env["axes"]
    (a,) = node._parents
    gk = keep_dims(g, axes, env["keepdim"])
    if p == 1:
        return (mask_like(gk.expand(a.shape), np.sign(env["x"])),)
    if p != 2:
        unsupported(f"vector_norm with ord={p:g}")
    norm = keep_dims(node, axes, env["keepdim"])
    zero = env["out_kd"] == 0
    safe = norm + const(zero.astype(norm._data.dtype))   # x is 0 wherever the norm is
    return (gk * a / safe,)


@rule(reduction_more.prod)
def _prod(node, g, env):
    """Π x over all elements or along one dim: ∂/∂xᵢ = Π / xᵢ (no rule yet for inputs
    holding a zero, where that quotient is undefined)."""
    (a,) = node._parents
    if "x" not in env:  # a 0-d input along a dim: the identity
        return (g,)
    if not bool((env["x"] != 0).all()):
        unsupported("prod of a tensor holding zeros")
    if "flat" in env:
        return (g * node / a,)
    d, keepdim = env["d"], env["keepdim"]
    return (keep_dims(g, (d,), keepdim) * keep_dims(node, (d,), keepdim) / a,)


# --------------------------------------------------------------------------- matmul
@rule(linalg.matmul)
def _matmul(node, g, env):
    """d(AB) = dA B + A dB, with 1-D operands promoted and batch dims summed back."""
    a, b = node._parents
    x2 = a.unsqueeze(0) if a.ndim == 1 else a
    w2 = b.unsqueeze(1) if b.ndim == 1 else b
    g2 = g
    if b.ndim == 1:
        g2 = g2.unsqueeze(-1)
    if a.ndim == 1:
        g2 = g2.unsqueeze(-2)
    ga = gb = None
    if needs(a):
        ga = sum_to(g2 @ w2.transpose(-1, -2), x2.shape).reshape(a.shape)
    if needs(b):
        gb = sum_to(x2.transpose(-1, -2) @ g2, w2.shape).reshape(b.shape)
    return ga, gb
