"""Each op's backward written again in tidu's own differentiable ops, for higher-order
gradients (``create_graph=True``), as PyTorch's ``derivatives.yaml`` does for its ops.

tidu's ordinary backward is a closure on NumPy arrays — fast, but it records nothing.  With
``create_graph=True`` the engine asks this module instead: `differentiable_backward(node, g)`
finds the rule registered for the op that made ``node`` (keyed by the code of the op's
backward closure, so the ordinary path pays nothing) and returns the parents' gradients as
tensors built from tidu ops, which record their own graph.  A rule reads the node's parents
(the op's inputs), the node itself (its output, e.g. ``exp``'s gradient g·eˣ reuses it) and
the constants the closure captured (``axes``, a mask, an index).

Fused layers and losses (``linear``, ``mse_loss``, ``cross_entropy``, …) get their rule in
plain ops too: the gradient they compute in one step is written as the composite expression
whose own derivative is the second derivative.  An op without a rule raises one
`GraphError` naming it, rather than returning a gradient whose graph is silently cut.
"""
from __future__ import annotations

import types

import numpy as np

from ..errors import GraphError
from ..ops.elementwise import unbroadcast
from ..tensor import Tensor, _freed_backward, _GradFn

_RULES: dict = {}


def rule(*ops):
    """Register the decorated ``fn(node, g, env) -> parent gradients`` for every backward
    closure defined inside each op in ``ops``; ``env`` maps the closure's captured names to
    their values."""
    def register(fn):
        for op in ops:
            for code in _inner_codes(op.__code__):
                _RULES[code] = fn
        return fn
    return register


def _inner_codes(code):
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield const
            yield from _inner_codes(const)


def _closure_env(fn) -> dict:
    env = {}
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        try:
            env[name] = cell.cell_contents
        except ValueError:  # a cell not yet assigned
            pass
    return env


def differentiable_backward(node: Tensor, g: Tensor) -> tuple:
    """The gradients of ``node``'s parents, as tensors that record a graph."""
    if not _RULES:
        _load_rules()
    fn = node._backward
    fn = getattr(fn, "fn", fn)  # anomaly mode wraps the closure
    if fn is _freed_backward:
        fn(g)  # raises: this part of the graph was freed by an earlier backward
    rule_fn = _RULES.get(getattr(fn, "__code__", None))
    if rule_fn is None:
        raise GraphError(f"create_graph=True: tidu has no differentiable backward for "
                         f"{_GradFn(fn).name()} yet (higher-order gradients cover the "
                         f"element-wise, shape, reduction and matmul ops, linear, the common "
                         f"activations and the mse / cross-entropy losses)")
    return rule_fn(node, g, _closure_env(fn))


def _load_rules() -> None:
    # the rules import the ops they describe; loaded on the first create_graph backward
    from . import derivatives_math, derivatives_nn, derivatives_shape  # noqa: F401 - registers


# --------------------------------------------------------------------------- helpers
def const(arr) -> Tensor:
    """A constant tensor (no graph) around an array (NumPy's or a device's)."""
    is_array = hasattr(arr, "dtype") and not isinstance(arr, np.generic)
    return Tensor._wrap(arr if is_array else np.asarray(arr))


def sum_to(t: Tensor, shape: tuple) -> Tensor:
    """``t`` summed back to ``shape`` over the broadcast axes: `unbroadcast`, whose sums are
    tidu ops when given a tensor (so this gradient records a graph)."""
    return unbroadcast(t, tuple(shape))


def keep_dims(g: Tensor, axes, keepdims: bool) -> Tensor:
    """A reduced gradient with its reduced axes back as size 1."""
    if keepdims:
        return g
    shape = list(g.shape)
    for ax in sorted(axes):
        shape.insert(ax, 1)
    return g.reshape(tuple(shape))


def mask_like(g: Tensor, mask) -> Tensor:
    """``g`` times a constant 0/1 (or weight) array, in ``g``'s dtype."""
    return g * const(mask.astype(g._data.dtype, copy=False))


def unsupported(what: str):
    raise GraphError(f"create_graph=True: tidu has no differentiable backward for {what} yet")


def needs(t) -> bool:
    return isinstance(t, Tensor) and t.requires_grad
