"""Custom autograd Functions and gradient checks, as `torch.autograd.Function` and
`torch.autograd.gradcheck` (re-exported from `tidu.autograd`).

A Function is a class with two static methods::

    class Exp(tidu.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_y):
            y, = ctx.saved_tensors
            return grad_y * y

called as ``Exp.apply(x)``.  ``forward`` runs under ``no_grad`` on the arguments as given
(non-tensor arguments are passed through); its result — one tensor or a tuple — becomes a
graph node whose parents are the tensor arguments that require grad.  ``backward`` gets one
gradient per forward output (zeros for an output that received none, as PyTorch
materializes them; ``ctx.set_materialize_grads(False)`` passes ``None`` instead), runs under
``no_grad``, and returns one value per forward argument (``None`` for non-tensors and
arguments that need no gradient).  A gradient whose shape differs from its input's is summed
down to it when the input's shape broadcasts to it (as PyTorch), otherwise it raises.

Tuple outputs share one ``backward`` call: they hang off one hidden joint node whose
(flat, zero-filled) array has a segment per differentiable output.  Each output's node
writes its gradient into its segment; the engine sums the segments into the joint node's
gradient, and the joint node calls ``backward`` once with every output's gradient.

The newer style — ``forward(*args)`` without ctx plus ``setup_context(ctx, inputs,
output)`` — works too.  Double backward through a Function (``create_graph=True``) is not
supported: it raises naming the Function's node; ``once_differentiable`` is accepted and
changes nothing.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from .backend import xp_of
from .errors import GraphError, shape_str
from .ops.elementwise import unbroadcast
from .tensor import Tensor, is_grad_enabled, no_grad

__all__ = ["Function", "FunctionCtx", "GradcheckError", "gradcheck", "once_differentiable"]


class FunctionCtx:
    """The ``ctx`` handed to ``forward``/``backward``: saved tensors, which inputs need a
    gradient, which outputs are not differentiable, and any attributes you set on it."""

    def __init__(self, needs_input_grad: tuple = ()):
        self.needs_input_grad = needs_input_grad
        self.to_save = ()
        self._non_differentiable = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (or ``None``) for backward; read back as ``ctx.saved_tensors``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward: argument {i} must be a Tensor or None, "
                                f"got {type(t).__name__}; store other values as ctx attributes")
        self.to_save = tensors

    @property
    def saved_tensors(self) -> tuple:
        return tuple(self.to_save)

    def mark_non_differentiable(self, *outputs) -> None:
        """These outputs get no gradient node (``requires_grad=False``); backward still gets
        a (zero) gradient for each."""
        self._non_differentiable.update(id(o) for o in outputs)

    def mark_dirty(self, *tensors) -> None:
        """Accepted for compatibility.  tidu does not rebase an input modified in place: the
        output of ``apply`` carries the graph, the input keeps its own history."""

    def set_materialize_grads(self, value: bool) -> None:
        """``False``: pass ``None`` (not zeros) to backward for outputs that got no gradient."""
        self.materialize_grads = bool(value)


def once_differentiable(fn):
    """Accepted for compatibility: tidu's backward never records a graph, so a Function's
    backward is always 'once differentiable'."""
    return fn


class Function:
    """Base class of custom autograd operations (see the module docstring)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("Function: define a static forward(ctx, *args) in the subclass")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("Function: setup_context is not defined")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("Function: define a static backward(ctx, *grad_outputs) "
                                  "in the subclass to differentiate through it")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        grad_on = is_grad_enabled()
        needs = tuple(grad_on and isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        new_style = getattr(cls.setup_context, "__func__", cls.setup_context) is not \
            Function.__dict__["setup_context"].__func__
        with no_grad():
            if new_style:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        if not any(needs):
            return out
        parents = tuple(a for a, n in zip(args, needs) if n)
        backward = functools.partial(_run_backward, cls, ctx, args, needs)
        if isinstance(out, Tensor):
            if not _differentiable(out, ctx):
                return out
            node = functools.partial(_single_backward, backward)
            node.__qualname__ = cls.__name__
            return Tensor._op(out._data, parents, node)
        if not isinstance(out, tuple):
            raise TypeError(f"{cls.__name__}.forward: expected a Tensor or a tuple as its "
                            f"result, got {type(out).__name__}")
        return _joint_outputs(cls, ctx, out, parents, backward)


def _differentiable(t, ctx) -> bool:
    return isinstance(t, Tensor) and t._data.dtype.kind == "f" and \
        id(t) not in ctx._non_differentiable


def _single_backward(backward, g):
    return backward([g])


def _joint_outputs(cls, ctx, outs, parents, backward) -> tuple:
    """Tuple outputs: one joint node (one backward call) and one node per output."""
    diff = [i for i, o in enumerate(outs) if _differentiable(o, ctx)]
    if not diff:
        return outs
    arrays = [o._data if isinstance(o, Tensor) else None for o in outs]
    xp = xp_of(arrays[diff[0]])
    dtype = np.result_type(*[arrays[i].dtype for i in diff])
    sizes = [arrays[i].size for i in diff]
    offsets = dict(zip(diff, np.cumsum([0] + sizes[:-1]).tolist()))
    total = int(sum(sizes))
    received = set()

    def joint(flat):
        grads = []
        for i, (o, a) in enumerate(zip(outs, arrays)):
            if a is None:
                grads.append(None)
            elif i in received:
                grads.append(flat[offsets[i]:offsets[i] + a.size].reshape(a.shape).astype(a.dtype))
            else:
                grads.append(xp.zeros(a.shape, a.dtype) if ctx.materialize_grads else None)
        received.clear()
        return backward(grads)

    joint.__qualname__ = cls.__name__
    node = Tensor._op(xp.zeros(total, dtype), parents, joint)

    def segment(i):
        def seg(g):
            flat = xp.zeros(total, dtype)
            flat[offsets[i]:offsets[i] + g.size] = g.ravel()
            received.add(i)
            return (flat,)
        seg.__qualname__ = f"{cls.__name__}Output{i}"
        return seg

    return tuple(Tensor._op(arrays[i], (node,), segment(i)) if i in offsets else o
                 for i, o in enumerate(outs))


def _run_backward(cls, ctx, args, needs, grads) -> tuple:
    """Call ``cls.backward`` once and check its gradients: one per parent, as arrays."""
    name = cls.__name__
    with no_grad():
        res = cls.backward(ctx, *[None if g is None else Tensor._wrap(g) for g in grads])
    if not isinstance(res, tuple):
        res = (res,)
    if len(res) < len(args) or any(r is not None for r in res[len(args):]):
        raise GraphError(f"{name}.backward returned an incorrect number of gradients "
                         f"(expected {len(args)}, got {len(res)})")
    out = []
    for i, (a, need, r) in enumerate(zip(args, needs, res)):
        if not isinstance(a, Tensor):
            if r is not None:
                raise GraphError(f"{name}.backward returned a gradient different than None at "
                                 f"position {i}, but the forward input was not a Tensor")
            continue
        if not need:
            continue
        if r is None:
            out.append(None)
            continue
        if not isinstance(r, Tensor):
            raise GraphError(f"{name}.backward: the gradient for input {i} must be a Tensor or "
                             f"None, got {type(r).__name__}")
        g = r._data
        if g.shape != a.shape:
            try:
                fits = np.broadcast_shapes(a.shape, g.shape) == g.shape
            except ValueError:
                fits = False
            if not fits:
                raise GraphError(f"{name}.backward returned an invalid gradient for input {i}: "
                                 f"got shape {shape_str(g.shape)}, expected "
                                 f"{shape_str(a.shape)} (or one that sums to it)")
            g = unbroadcast(g, a.shape)
        if g.dtype != a._data.dtype:
            g = g.astype(a._data.dtype)
        out.append(g)
    return tuple(out)


# --------------------------------------------------------------------------- gradcheck
class GradcheckError(RuntimeError):
    """Raised by `gradcheck` when an analytic gradient disagrees with finite differences."""


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked=None) -> bool:
    """Check the gradients backward gives ``func(*inputs)`` against central finite
    differences, as `torch.autograd.gradcheck`.

    For every input that requires grad, the numerical Jacobian column of input element j is
    ``(func(x + eps·e_j) − func(x − eps·e_j)) / (2·eps)``, for every float output.  The
    analytic Jacobian comes from one ``backward(e_m)`` per output element m (the full
    Jacobian, as PyTorch); with ``fast_mode=True`` from ``backward(R)`` for two random
    Gaussian weightings R per output (both sides projected, so far fewer backwards).  They
    agree when ``|analytic − numerical| ≤ atol + rtol·|numerical|`` everywhere.

    Returns True; otherwise raises `GradcheckError` (a RuntimeError) naming the output,
    the input, the largest difference and where, or returns False when
    ``raise_exception=False``.  Inputs should be float64 (a warning otherwise, as PyTorch).
    The other keyword arguments of PyTorch's (nondet_tol, check_undefined_grad,
    check_batched_grad, check_forward_ad, ...) are accepted and not checked.
    The inputs are copied: their ``.grad`` is left untouched.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True")
    for i in wrt:
        if inputs[i]._data.dtype != np.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          f"point. This check will likely fail if all the inputs are not of "
                          f"double precision floating point.", stacklevel=2)
    xs = list(inputs)
    for i in wrt:
        xs[i] = Tensor._wrap(xp_of(inputs[i]._data).array(inputs[i]._data, copy=True))
        xs[i].requires_grad = True
    analytic = _analytic(func, xs, wrt, fast_mode)
    numeric = _numeric(func, xs, wrt, eps)
    for k, (rows, jac) in enumerate(zip(analytic["weights"], numeric)):
        for i in wrt:
            a = analytic["jac"][k][i]
            n = jac[i] if rows is None else rows @ jac[i]
            bad = np.abs(a - n) > atol + rtol * np.abs(n)
            if bad.any():
                msg = _mismatch(k, i, a, n, rows is None)
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def _float_outputs(out) -> list:
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, Tensor) and o._data.dtype.kind == "f"]


def _host(arr) -> np.ndarray:
    return np.asarray(arr.get() if hasattr(arr, "get") else arr, dtype=np.float64)


def _analytic(func, xs, wrt, fast_mode) -> dict:
    """Rows of the analytic Jacobian: one per output element (or per random weighting)."""
    outs = _float_outputs(func(*xs))
    rng = np.random.default_rng(0)
    jac, weights = [], []
    for o in outs:
        n = o._data.size
        rows = rng.standard_normal((2, n)) if fast_mode else None
        seeds = rows if fast_mode else np.eye(n)
        per_input = {i: np.zeros((len(seeds), xs[i]._data.size)) for i in wrt}
        if o.requires_grad:
            for m, seed in enumerate(seeds):
                for i in wrt:
                    xs[i].grad = None
                o.backward(seed.reshape(o.shape).astype(o._data.dtype), retain_graph=True)
                for i in wrt:
                    if xs[i].grad is not None:
                        per_input[i][m] = _host(xs[i].grad._data).ravel()
        jac.append(per_input)
        weights.append(rows)
    for i in wrt:
        xs[i].grad = None
    return {"jac": jac, "weights": weights}


def _numeric(func, xs, wrt, eps) -> list:
    """Central differences: per output, per input, the (out_numel, in_numel) Jacobian."""
    jac = None
    for i in wrt:
        x = xs[i]._data
        for j in range(x.size):
            idx = np.unravel_index(j, x.shape)
            orig = x[idx].copy()
            with no_grad():
                x[idx] = orig + eps
                plus = [_host(o._data).ravel().copy() for o in _float_outputs(func(*xs))]
                x[idx] = orig - eps
                minus = [_host(o._data).ravel().copy() for o in _float_outputs(func(*xs))]
                x[idx] = orig
            if jac is None:
                jac = [{k: np.zeros((p.size, xs[k]._data.size)) for k in wrt} for p in plus]
            for k, (p, m) in enumerate(zip(plus, minus)):
                jac[k][i][:, j] = (p - m) / (2 * eps)
    return jac or []


def _mismatch(k, i, a, n, full) -> str:
    diff = np.abs(a - n)
    row, col = np.unravel_index(int(np.argmax(diff)), diff.shape)
    where = (f"output element {row}, input element {col}" if full else
             f"random weighting {row} of the output, input element {col}")
    return (f"gradcheck: Jacobian mismatch for output {k} with respect to input {i}: largest "
            f"difference {diff[row, col]:.3g} at {where} (analytical {a[row, col]:.6g}, "
            f"numerical {n[row, col]:.6g})")
