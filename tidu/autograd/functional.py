"""Derivatives of whole functions, as `torch.autograd.functional`: `jacobian`, `hessian`,
`vjp`, `jvp`, `vhp`, `hvp`.

For f: inputs → outputs (each a tensor or a tuple of tensors):

* ``vjp(f, x, v)`` = (f(x), vᵀ J) and ``jvp(f, x, v)`` = (f(x), J v), J = ∂f/∂x;
* ``jacobian(f, x)``: J with shape ``out.shape + in.shape`` (a tuple over inputs, and a tuple
  of those over outputs, when f takes or gives tuples);
* for a scalar f, ``hessian(f, x)`` = ∂²f/∂x² with shape ``in.shape + in.shape``,
  ``vhp(f, x, v)`` = (f(x), vᵀ H) and ``hvp(f, x, v)`` = (f(x), H v).

Built on `tidu.autograd.grad` with ``create_graph=True`` (one reverse pass per output
element for the Jacobian, as PyTorch's default ``vectorize=False``; ``jvp`` and ``hvp`` use
the double-backward trick: differentiate a vector-Jacobian product with respect to its
vector).  ``vectorize`` is accepted and changes nothing; only the ``'reverse-mode'``
strategy exists.  The outputs returned alongside are detached unless ``create_graph``.
"""
from __future__ import annotations

from ..errors import ArgumentError, GraphError, shape_str
from ..tensor import Tensor, enable_grad, grad

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _as_tuple(x, what: str, fn: str):
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}: {what} must be a Tensor or a tuple of Tensors, got "
                            f"{type(t).__name__} at position {i}")
    return items, is_tuple


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs that require grad: fresh leaves, or (with create_graph) views that keep the
    caller's graph so the result can be differentiated further."""
    if create_graph:
        return tuple(t.view_as(t) if t.requires_grad else t.detach().requires_grad_()
                     for t in inputs)
    return tuple(t.detach().requires_grad_() for t in inputs)


def _grads(outputs, inputs, grad_outputs, create_graph: bool, strict: bool, fn: str) -> tuple:
    """∂(Σ outputs·grad_outputs)/∂inputs, zeros for an input the outputs do not use
    (strict=True raises instead, as PyTorch)."""
    live = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not live:
        if strict:
            raise GraphError(f"{fn}: the output does not depend on the inputs (strict=True)")
        return tuple(t.detach() * 0 for t in inputs)
    got = grad([o for o, _ in live], inputs, [g for _, g in live], retain_graph=True,
               create_graph=create_graph, allow_unused=True)
    result = []
    for i, (t, g) in enumerate(zip(inputs, got)):
        if g is None:
            if strict:
                raise GraphError(f"{fn}: output does not depend on input {i} (strict=True)")
            g = t.detach() * 0
        result.append(g)
    return tuple(result)


def _check_v(v, like: tuple, fn: str, what: str) -> tuple:
    vs, _ = _as_tuple(v, "v", fn)
    if len(vs) != len(like):
        raise ArgumentError(f"{fn}: v has {len(vs)} tensors, the {what} has {len(like)}")
    for i, (a, b) in enumerate(zip(vs, like)):
        if a.shape != b.shape:
            raise ArgumentError(f"{fn}: v[{i}] has shape {shape_str(a.shape)}, the {what} "
                                f"{shape_str(b.shape)}")
    return vs


def _default_v(v, outputs: tuple, fn: str) -> tuple:
    if v is not None:
        return _check_v(v, outputs, fn, "output")
    if len(outputs) != 1 or outputs[0]._data.size != 1:
        raise ArgumentError(f"{fn}: v may be omitted only when the function returns a single "
                            f"one-element tensor")
    return (outputs[0].detach() * 0 + 1,)


def _finish(values: tuple, is_tuple: bool, create_graph: bool):
    values = values if create_graph else tuple(t.detach() for t in values)
    return values if is_tuple else values[0]


def _scalar_output(out, fn: str) -> Tensor:
    outs, is_tuple = _as_tuple(out, "the function's output", fn)
    if is_tuple or outs[0]._data.size != 1:
        raise ArgumentError(f"{fn}: the function must return a single tensor with one element, "
                            f"got {len(outs)} tensor(s) of shape(s) "
                            f"{', '.join(shape_str(o.shape) for o in outs)}")
    return outs[0]


# --------------------------------------------------------------------------- products
def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), vᵀ·J): the vector-Jacobian product (one reverse pass)."""
    ins, in_tuple = _as_tuple(inputs, "inputs", "vjp")
    with enable_grad():
        ins = _prepare(ins, create_graph)
        outs, out_tuple = _as_tuple(func(*ins), "the function's output", "vjp")
        vs = _default_v(v, outs, "vjp")
        res = _grads(outs, ins, vs, create_graph, strict, "vjp")
    return _finish(outs, out_tuple, create_graph), _finish(res, in_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J·v): the Jacobian-vector product, by differentiating the
    vector-Jacobian product uᵀJ with respect to u (the double-backward trick)."""
    ins, in_tuple = _as_tuple(inputs, "inputs", "jvp")
    with enable_grad():
        ins = _prepare(ins, create_graph)
        if v is None:
            if len(ins) != 1 or ins[0]._data.size != 1:
                raise ArgumentError("jvp: v may be omitted only for a single one-element input")
            v = ins[0].detach() * 0 + 1
        vs = _check_v(v, ins, "jvp", "input")
        outs, out_tuple = _as_tuple(func(*ins), "the function's output", "jvp")
        us = tuple((o.detach() * 0).requires_grad_() for o in outs)
        vjps = _grads(outs, ins, us, True, strict, "jvp")
        res = _grads(vjps, us, vs, create_graph, strict, "jvp")
    return _finish(outs, out_tuple, create_graph), _finish(res, out_tuple, create_graph)


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), vᵀ·H) for a scalar func, H its Hessian."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H·v) for a scalar func (equal to vhp when H is symmetric)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn):
    ins, in_tuple = _as_tuple(inputs, "inputs", fn)
    with enable_grad():
        ins = _prepare(ins, create_graph)
        out = _scalar_output(func(*ins), fn)
        if v is None:
            if len(ins) != 1 or ins[0]._data.size != 1:
                raise ArgumentError(f"{fn}: v may be omitted only for a single one-element input")
            v = ins[0].detach() * 0 + 1
        vs = _check_v(v, ins, fn, "input")
        first = _grads((out,), ins, (out.detach() * 0 + 1,), True, strict, fn)
        if fn == "vhp":
            res = _grads(first, ins, vs, create_graph, strict, fn)
        else:  # H v: differentiate uᵀH (the vhp at u) with respect to u
            us = tuple((t.detach() * 0).requires_grad_() for t in ins)
            uh = _grads(first, ins, us, True, strict, fn)
            res = _grads(uh, us, vs, create_graph, strict, fn)
    return _finish((out,), False, create_graph), _finish(res, in_tuple, create_graph)


# --------------------------------------------------------------------------- full matrices
def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """∂func/∂inputs, one reverse pass per output element.  A single input and output give
    one tensor of shape ``out.shape + in.shape``; tuples give tuples (outputs outer)."""
    if strategy != "reverse-mode":
        raise ArgumentError(f"jacobian: strategy={strategy!r} is not supported; tidu computes "
                            f"Jacobians in 'reverse-mode' only")
    ins, in_tuple = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        ins = _prepare(ins, create_graph)
        outs, out_tuple = _as_tuple(func(*ins), "the function's output", "jacobian")
        blocks = tuple(_jacobian_of(o, ins, create_graph, strict) for o in outs)
    blocks = tuple(_finish(b, in_tuple, create_graph) for b in blocks)
    return blocks if out_tuple else blocks[0]


def _jacobian_of(out: Tensor, ins: tuple, create_graph: bool, strict: bool) -> tuple:
    from ..creation import zeros
    from ..ops import stack
    rows = [[] for _ in ins]
    flat = out.reshape(-1)
    for k in range(flat.shape[0]):
        seed = zeros(flat.shape, dtype=out.dtype)
        seed._data[k] = 1
        for j, g in enumerate(_grads((flat,), ins, (seed,), create_graph, strict, "jacobian")):
            rows[j].append(g)
    result = []
    for t, r in zip(ins, rows):
        block = stack(r) if r else zeros((0,) + t.shape, dtype=t.dtype)
        result.append(block.reshape(out.shape + t.shape))
    return tuple(result)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """∂²func/∂inputs² for a scalar func: shape ``in.shape + in.shape`` for one input, a
    tuple of tuples (block i, j = ∂²f/∂xᵢ∂xⱼ) for several."""
    ins, in_tuple = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*xs):
        out = _scalar_output(func(*xs), "hessian")
        return _grads((out,), xs, (out.detach() * 0 + 1,), True, strict, "hessian")

    result = jacobian(gradient, ins, create_graph, strict, vectorize, outer_jacobian_strategy)
    return result if in_tuple else result[0][0]
