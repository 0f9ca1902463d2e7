"""Differentiable backward rules of the fused layers, activations and losses (see
`tidu.autograd.derivatives`): the gradient each computes in one NumPy step, written as the
composite expression of tidu ops whose derivative is the second derivative."""
from __future__ import annotations

import math

import numpy as np

from ..ops import elementwise as ew
from ..ops import elementwise_more as em
from ..nn.functional import activation as act
from ..nn.functional import loss as ls
from ..nn.functional.dropout import _apply_scale, dropout
from ..nn.functional.linear import linear
from .derivatives import _closure_env, const, mask_like, needs, rule, unsupported


@rule(linear)
def _linear(node, g, env):
    """y = x Wᵀ + b: dx = g W, dW = gᵀ x, db = Σ g."""
    x, weight, bias = env["x"], env["weight"], env.get("bias")
    g2 = g.reshape(-1, g.shape[-1])
    gx = g @ weight if needs(x) else None
    gw = g2.t() @ x.reshape(-1, x.shape[-1]) if needs(weight) else None
    if bias is None:
        return gx, gw
    return gx, gw, (g2.sum(axis=0) if needs(bias) else None)


# --------------------------------------------------------------------------- activations
@rule(act.sigmoid)
def _sigmoid(node, g, env):
    return (g * node * (1 - node),)


@rule(act.tanh)
def _tanh(node, g, env):
    return (g * (1 - node * node),)


@rule(act.relu)
def _relu(node, g, env):
    return (mask_like(g, env["out"] > 0),)


@rule(act.leaky_relu)
def _leaky_relu(node, g, env):
    return (mask_like(g, np.where(env["pos"], 1.0, env["negative_slope"])),)


@rule(act.elu)
def _elu(node, g, env):
    """x > 0: 1; else α eˣ = y + α."""
    return (ew.where(const(env["pos"]), g, g * (node + env["alpha"])),)


@rule(act.softplus)
def _softplus(node, g, env):
    (x,) = node._parents
    return (ew.where(const(env["lin"]), g, g * (x * env["beta"]).sigmoid()),)


@rule(act.logsigmoid)
def _logsigmoid(node, g, env):
    return (g * (-node._parents[0]).sigmoid(),)


@rule(act.silu)
def _silu(node, g, env):
    """σ(x)(1 + x(1 − σ(x)))."""
    (x,) = node._parents
    s = x.sigmoid()
    return (g * (s * (1 + x * (1 - s))),)


@rule(act.gelu)
def _gelu(node, g, env):
    (x,) = node._parents
    if "cdf" in env:  # exact: Φ(x) + x φ(x)
        cdf = 0.5 * (1 + em.erf(x * (1 / math.sqrt(2))))
        return (g * (cdf + x * (-0.5 * x * x).exp() * (1 / math.sqrt(2 * math.pi))),)
    c = math.sqrt(2 / math.pi)
    th = (c * (x + 0.044715 * x * x * x)).tanh()
    return (g * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * (c * (1 + 3 * 0.044715 * x * x))),)


@rule(em.erf)
def _erf(node, g, env):
    x = node._parents[0]
    return (g * (2 / math.sqrt(math.pi)) * (-x * x).exp(),)


@rule(act.softmax)
def _softmax(node, g, env):
    """y ⊙ (g − Σ g y)."""
    return (node * (g - (g * node).sum(axis=env["dim"], keepdims=True)),)


@rule(act.log_softmax)
def _log_softmax(node, g, env):
    """g − softmax · Σ g."""
    return (g - node.exp() * g.sum(axis=env["dim"], keepdims=True),)


@rule(dropout, _apply_scale)
def _scaled(node, g, env):
    return (mask_like(g, env["scale"]),)


# --------------------------------------------------------------------------- losses
@rule(ls._elementwise)
def _elementwise_loss(node, g, env):
    """The element-wise losses: dℓᵢ/dxᵢ (and /dyᵢ) times the reduction's upstream factor."""
    x, t = env["x"], env["t"]
    name = env["dx"].__qualname__.split(".")[0]  # the loss whose closure dx is
    s = g / env["n"] if env["reduction"] == "mean" else g
    grads = _ELEMENTWISE.get(name)
    if grads is None:
        unsupported(name)
    gx, gt = grads(x, t, _closure_env(env["dx"]))
    return ((gx * s if needs(x) else None,) if t is None
            else (gx * s if needs(x) else None, gt * s if needs(t) else None))


def _weighted(gr, w):
    return gr if w is None else gr * const(w)


def _mse(x, t, _):
    return 2 * (x - t), -2 * (x - t)


def _l1(x, t, _):
    sign = const(np.sign(x._data - t._data))
    return sign, -sign


def _bce(x, t, env):
    w = env.get("w")
    gx = (x - t) / (x * (1 - x)).clamp_min(1e-12)
    gt = (1 - x).log().clamp_min(-100.0) - x.log().clamp_min(-100.0)
    return _weighted(gx, w), _weighted(gt, w)


def _bce_logits(x, t, env):
    w, pw = env.get("w"), env.get("pw")
    s = x.sigmoid()
    if pw is None:
        return _weighted(s - t, w), _weighted(-x, w)
    pw = const(pw)
    gx = (1 - t) * s - pw * t * (1 - s)
    gt = (pw - 1) * act.softplus(x) - pw * x
    return _weighted(gx, w), _weighted(gt, w)


_ELEMENTWISE = {"mse_loss": _mse, "l1_loss": _l1, "binary_cross_entropy": _bce,
                "binary_cross_entropy_with_logits": _bce_logits}


def _rows(x):
    """(C,) → (1, C); (N, C) itself; (N, C, d…) → (N·d…, C), as the loss's own `_rows`."""
    if x.ndim == 1:
        return x.unsqueeze(0)
    if x.ndim == 2:
        return x
    return x.movedim(1, -1).reshape(-1, x.shape[1])


def _unrows(g, shape):
    if len(shape) == 1:
        return g[0]
    if len(shape) == 2:
        return g
    return g.reshape((shape[0],) + shape[2:] + (shape[1],)).movedim(-1, 1)


@rule(ls._cross_entropy_index)
def _cross_entropy_index(node, g, env):
    """softmax(x) − target, per row scaled by the class weight and the reduction."""
    x, N, C, eps = env["x"], env["N"], env["C"], env["eps"]
    reduction, valid, wt, w = env["reduction"], env.get("valid"), env.get("wt"), env.get("w")
    if reduction == "none":
        c = g.reshape(-1)
    else:
        c = g / env["denom"] if reduction == "mean" else g
        c = c.reshape(1).expand(N)
    c1 = c if wt is None else c * const(wt)
    c2 = c if valid is None else mask_like(c, valid)
    onehot = np.zeros_like(x._data, shape=(N, C))
    onehot[env["rows"], env["ts_safe"]] = 1
    p = act.softmax(_rows(x), dim=1)
    if eps == 0.0:
        grad = (p - const(onehot)) * c1.unsqueeze(1)
    else:
        c1 = (1.0 - eps) * c1
        c2 = (eps / C) * c2
        grad = p * (c1 + c2 * env["wsum"]).unsqueeze(1) - const(onehot) * c1.unsqueeze(1)
        grad = grad - c2.unsqueeze(1) * (1.0 if w is None else const(w))
    return (_unrows(grad, x.shape),)

