r"""`gradcheck`: compare a whole model's backward with central finite differences (the
notes' 梯度检验, gradient check).

For every checked element θᵢ of every trainable parameter::

    numeric  nᵢ = (L(θ + ε·eᵢ) − L(θ − ε·eᵢ)) / 2ε            (central difference, error O(ε²))
    analytic aᵢ = ∂L/∂θᵢ from ``loss.backward()``
    relative error  rᵢ = |aᵢ − nᵢ| / max(|aᵢ| + |nᵢ|, tiny)

with L = ``loss_fn(model(x), y)``.  A parameter's score is the largest rᵢ over its checked
elements; the check passes when every score is ≤ ``threshold`` (default 1e-5).

Everything runs in float64 (in float32 the rounding error of L divided by 2ε swamps the
comparison): the model's parameters and buffers are swapped for float64 copies for the
duration of the check and the caller's arrays, gradients, training mode and tidu's random
generator are put back afterwards — the model is left exactly as it was given.  Every
evaluation of L restarts tidu's generator from the same state, so dropout (and RReLU) draw
the same masks in every forward pass and the check stays meaningful in training mode.

Thresholds, after CS231n's guide and the notes' (Andrew Ng's) advice: a relative error
above 1e-2 means the gradient is wrong; 1e-2 … 1e-4 is suspicious; below 1e-7 is what a
correct, smooth float64 model gives (about 1e-8 in the tests).  The default
``threshold=1e-5`` sits between, far above rounding and far below any real mistake (a
factor 1.01 in a backward already scores 5e-3).  Kinks — ReLU at 0, the ties of
max-pooling — are the one source of false alarms: an element whose ±ε step crosses one
gets a numeric derivative that is neither side's.  With continuous random inputs that is
rare; check with tanh in place of ReLU, or few samples, as CS231n advises, when it happens.
``tiny`` floors the denominator so that elements whose true gradient is ~0 are compared
absolutely: with ε = 1e-6 the numeric derivative of a float64 loss carries a rounding
error of about 1e-16·|L| / ε ≈ 1e-10·|L|, so by default ``tiny = 1e-3·max(1, |L|)``: an
element is judged on its relative error only when its gradient is large enough for 1e-5
of it to stand above that noise, and smaller ones fail when |a − n| > 1e-8·max(1, |L|).
(Andrew Ng's course
scores the whole vector, ‖a − n‖ / (‖a‖ + ‖n‖) < 1e-7 with ε = 1e-7; PyTorch's
``torch.autograd.gradcheck`` uses |a − n| ≤ atol + rtol·|n| with ε = 1e-6, atol 1e-5,
rtol 1e-3.)
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from ..backend import device_of, to_numpy
from ..nn.modules.module import Module
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor, no_grad

__all__ = ["gradcheck", "GradcheckReport", "ParameterCheck"]


@dataclass
class ParameterCheck:
    """The result for one parameter: the worst element's index, its analytic and numeric
    derivatives, the largest relative and absolute errors over the checked elements."""

    name: str
    shape: tuple
    n_checked: int
    max_rel_error: float
    max_abs_error: float
    worst_index: tuple
    analytic: float
    numeric: float
    passed: bool


@dataclass
class GradcheckReport:
    """What `gradcheck` found: ``params`` (one `ParameterCheck` per trainable parameter,
    the worst first), ``passed``, the ``threshold``, ``eps`` and the loss value.
    ``print(report)`` shows a table; ``report["0.weight"]`` one parameter's result."""

    params: list = field(default_factory=list)
    threshold: float = 1e-5
    eps: float = 1e-6
    loss: float = math.nan
    tiny: float = 0.0

    @property
    def passed(self) -> bool:
        return all(p.passed for p in self.params)

    @property
    def failed(self) -> list:
        """The parameters whose relative error exceeds the threshold, the worst first."""
        return [p for p in self.params if not p.passed]

    @property
    def max_rel_error(self) -> float:
        return max((p.max_rel_error for p in self.params), default=0.0)

    def __getitem__(self, name: str) -> ParameterCheck:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"GradcheckReport: no parameter named {name!r}; there are "
                       f"{[p.name for p in self.params]}")

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        verdict = ("PASSED" if self.passed else
                   f"FAILED ({len(self.failed)} of {len(self.params)} parameters)")
        lines = [f"gradcheck {verdict}: float64 central differences, eps={self.eps:g}, "
                 f"threshold={self.threshold:g} on |a−n|/max(|a|+|n|, {self.tiny:.3g}), "
                 f"loss={self.loss:.6g}",
                 f"{'parameter':<28}{'shape':<16}{'checked':>8}{'max rel err':>13}"
                 f"{'max abs err':>13}  worst element: analytic vs numeric"]
        for p in self.params:
            flag = "" if p.passed else "   <-- WRONG"
            lines.append(f"{p.name:<28}{str(p.shape):<16}{p.n_checked:>8}{p.max_rel_error:>13.3e}"
                         f"{p.max_abs_error:>13.3e}  {p.worst_index}: {p.analytic:.8g} vs "
                         f"{p.numeric:.8g}{flag}")
        return "\n".join(lines)

    __repr__ = __str__


class _Float64Swap:
    """Swap a model's float parameters and buffers for float64 copies; put the caller's
    arrays, gradients and training mode back on exit."""

    def __init__(self, model: Module, train):
        self.model, self.train = model, train

    def __enter__(self):
        self.params, self.buffers = [], []
        self.modes = [(m, m.training) for m in self.model.modules()]
        for m in self.model.modules():
            for p in m._parameters.values():
                if p is not None:
                    self.params.append((p, p._data, p.grad))
                    if p._data.dtype.kind == "f":
                        p._data = p._data.astype(np.float64, order="C", copy=True)
                    p.grad = None
            for name, b in m._buffers.items():
                if b is not None:
                    self.buffers.append((m, name, b))
                    # every buffer is swapped for a copy: BatchNorm updates its running
                    # statistics and num_batches_tracked in place during the check
                    arr = b._data
                    copy = Tensor._wrap(arr.astype(np.float64 if arr.dtype.kind == "f"
                                                   else arr.dtype, copy=True))
                    object.__setattr__(m, name, copy)
                    m._buffers[name] = copy
        if self.train is not None:
            self.model.train(bool(self.train))
        return self

    def __exit__(self, *exc):
        for p, data, grad in self.params:
            p._data, p.grad = data, grad
        for m, name, b in self.buffers:
            m._buffers[name] = b
            object.__setattr__(m, name, b)
        for m, mode in self.modes:
            object.__setattr__(m, "training", mode)


def _as_float64(value, name: str, device: str):
    if isinstance(value, Tensor):
        value = value._data
    arr = to_numpy(value)
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind not in "biu":
        raise TypeError(f"gradcheck: {name} must be a numeric array or tensor, got dtype "
                        f"{arr.dtype}")
    return Tensor(arr, dtype=arr.dtype, device=device)  # on the model's device


def _check_args(model, loss_fn, eps, n_checks, threshold, tiny):
    if not isinstance(model, Module):
        raise TypeError(f"gradcheck: model must be a tidu.nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"gradcheck: loss_fn must be callable (outputs, targets) -> scalar "
                        f"tensor, got {type(loss_fn).__name__}")
    for name, value in (("eps", eps), ("threshold", threshold)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
            raise ValueError(f"gradcheck: {name} must be a positive number, got {name}={value!r}")
    if tiny is not None and (isinstance(tiny, bool) or not isinstance(tiny, numbers.Real)
                             or not tiny > 0):
        raise ValueError(f"gradcheck: tiny must be a positive number or None, got tiny={tiny!r}")
    if n_checks is not None and (isinstance(n_checks, bool)
                                 or not isinstance(n_checks, numbers.Integral) or n_checks < 1):
        raise ValueError(f"gradcheck: n_checks must be a positive int (elements sampled per "
                         f"parameter) or None (all), got n_checks={n_checks!r}")


def gradcheck(model: Module, loss_fn, x, y, eps: float = 1e-6, n_checks: int | None = None,
              seed: int = 0, threshold: float = 1e-5, tiny: float | None = None,
              train: bool | None = None) -> GradcheckReport:
    """Check ``model``'s analytic gradients of ``loss_fn(model(x), y)`` against float64
    central differences; returns a `GradcheckReport` (worst parameter first, ``passed``).

    ``eps``: the finite-difference step (1e-6).  ``n_checks``: check this many randomly
    chosen elements of each parameter (drawn with ``seed``) instead of all of them — each
    element costs two forward passes.  ``threshold``: the largest relative error that
    passes (1e-5).  ``tiny``: the floor of the relative error's denominator (default
    1e-3·max(1, |L|), see the module docstring).  ``train``: run the model in training
    (True) or eval (False) mode; None keeps its current mode.  Frozen parameters
    (``requires_grad=False``) are skipped.  The model, its gradients and tidu's random
    generator are left as they were.
    """
    _check_args(model, loss_fn, eps, n_checks, threshold, tiny)
    eps, threshold = float(eps), float(threshold)
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    if not named:
        raise ValueError(f"gradcheck: {type(model).__name__} has no trainable parameters")
    device = device_of(named[0][1]._data)
    x64, y64 = _as_float64(x, "x", device), _as_float64(y, "y", device)
    rng_state = get_rng_state()
    picker = np.random.default_rng(seed)

    def loss_of(grad: bool):
        set_rng_state(rng_state)  # the same dropout masks in every evaluation
        loss = loss_fn(model(x64), y64)
        if not isinstance(loss, Tensor) or loss._data.size != 1:
            raise TypeError("gradcheck: loss_fn must return a scalar tidu Tensor, got "
                            + (f"a tensor of shape {loss.shape}" if isinstance(loss, Tensor)
                               else type(loss).__name__))
        return loss if grad else float(loss._data.reshape(()))

    results = []
    try:
        with _Float64Swap(model, train):
            loss = loss_of(True)
            if loss.requires_grad:
                loss.backward()
            value = float(loss._data.reshape(()))
            floor = float(tiny) if tiny is not None else 1e-3 * max(1.0, abs(value))
            with no_grad():
                for name, p in named:
                    analytic = (np.zeros(p._data.shape) if p.grad is None
                                else to_numpy(p.grad._data).astype(np.float64))
                    results.append(_check_parameter(name, p, analytic, lambda: loss_of(False),
                                                    eps, n_checks, picker, threshold, floor))
    finally:
        set_rng_state(rng_state)
    results.sort(key=lambda r: (r.max_rel_error if not math.isnan(r.max_rel_error) else math.inf),
                 reverse=True)
    return GradcheckReport(params=results, threshold=threshold, eps=eps, loss=value, tiny=floor)


def _check_parameter(name, p, analytic, loss_value, eps, n_checks, picker, threshold, floor):
    flat = p._data.reshape(-1)  # a view: p._data is the C-ordered float64 copy
    size = flat.size
    if n_checks is None or n_checks >= size:
        indices = np.arange(size)
    else:
        indices = np.sort(picker.choice(size, size=int(n_checks), replace=False))
    a = analytic.reshape(-1)[indices]
    n = np.empty(len(indices))
    for k, i in enumerate(indices):
        orig = flat[i]
        flat[i] = orig + eps
        plus = loss_value()
        flat[i] = orig - eps
        minus = loss_value()
        flat[i] = orig
        n[k] = (plus - minus) / (2 * eps)
    abs_err = np.abs(a - n)
    rel_err = abs_err / np.maximum(np.abs(a) + np.abs(n), floor)
    rel_err[~np.isfinite(rel_err)] = np.inf  # a NaN anywhere is a failure, not a pass
    if len(indices) == 0:
        return ParameterCheck(name, p._data.shape, 0, 0.0, 0.0, (), 0.0, 0.0, True)
    worst = int(np.argmax(rel_err))
    index = tuple(int(v) for v in np.unravel_index(indices[worst], p._data.shape))
    max_rel = float(rel_err[worst])
    return ParameterCheck(name=name, shape=tuple(p._data.shape), n_checked=len(indices),
                          max_rel_error=max_rel, max_abs_error=float(np.max(abs_err)),
                          worst_index=index, analytic=float(a[worst]), numeric=float(n[worst]),
                          passed=bool(max_rel <= threshold))
