r"""`sharpness`: the largest Hessian eigenvalue λ_max of a training loss, `stability_limit`:
the largest λ_max a plain or momentum SGD step can stand, and `SharpnessTracker`: both,
measured during ``fit``.

Why the two are compared: gradient descent on a quadratic ½·λθ² moves θ ← (1 − ηλ)·θ, which
shrinks iff |1 − ηλ| < 1, that is iff η·λ < 2.  Near a minimum the loss is such a quadratic
along each eigenvector of the Hessian, so GD is stable there only if η·λ_max < 2 — with
η·λ_max > 2 it oscillates out of the valley along the sharpest direction (the notes'
learning rate too high: 学习率过高会使收敛时的波动过大).  Cohen et al. 2021, "Gradient Descent on
Neural Networks Typically Occurs at the Edge of Stability", observed that full-batch GD
drives λ_max up until it hovers at ≈ 2/η.

**Hessian-vector products.**  tidu records no graph of its backward pass (there is no
double backward), so ``H·v`` is a central finite difference of autograd gradients::

    H·v ≈ (∇L(θ + ε·v) − ∇L(θ − ε·v)) / 2ε,     ‖v‖ = 1,   ε = 1e-5·max(1, ‖θ‖)

with θ all trainable parameters, flattened in ``model.parameters()`` order.  It is exact for
a quadratic up to rounding (≈ 1e-16·‖∇L‖/ε); otherwise the error is O(ε²·‖∇³L‖).  Each
product costs two forward and backward passes on the batch, in float64.

**Power iteration.**  v ← H·v / ‖H·v‖ from a seeded random unit v; the estimate is the
Rayleigh quotient vᵀHv, and the iteration stops when it changes by less than ``tol``
relatively.  It converges to the eigenvalue of largest *magnitude* λ₁, at the rate
(|λ₂|/|λ₁|)^(2k).  The stability limit needs the largest *algebraic* eigenvalue (a negative
curvature does not make GD diverge): when λ₁ < 0 the iteration is run again on the shifted
H − λ₁·I, whose eigenvalues λ − λ₁ are all ≥ 0 and whose largest is λ_top − λ₁.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ..backend import device_of, to_device, to_numpy
from ..errors import ArgumentError
from ..nn.modules.module import Module
from ..tensor import Tensor, enable_grad
from ..train.callbacks.base import Callback

__all__ = ["Sharpness", "sharpness", "stability_limit", "SharpnessTracker"]

_EPS_REL = 1e-5


@dataclass
class Sharpness:
    """What `sharpness` found: ``value`` λ_max (the largest algebraic Hessian eigenvalue),
    ``vector`` its unit eigenvector (flat float64, parameters in ``model.parameters()``
    order), ``iterations`` (Hessian-vector products used, both phases), ``converged``
    (the Rayleigh quotient settled within ``tol`` before ``iters`` ran out)."""

    value: float
    vector: np.ndarray
    iterations: int
    converged: bool

    def __float__(self) -> float:
        return float(self.value)


# --------------------------------------------------------------------------- checks
def _check_int(owner: str, name: str, value, low: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < low:
        raise ArgumentError(f"{owner}: {name} must be an int ≥ {low}, got {name}={value!r}")
    return int(value)


def _check_positive(owner: str, name: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value <= 0:
        raise ArgumentError(f"{owner}: {name} must be a finite number > 0, got "
                            f"{name}={value!r}")
    return float(value)


def _check_data(owner: str, data) -> tuple:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        what = (f"a {type(data).__name__} of {len(data)} items"
                if isinstance(data, (tuple, list)) else type(data).__name__)
        raise ArgumentError(f"{owner}: data must be one batch (X, y) of arrays or tensors, "
                            f"got {what}")
    return tuple(data)


def _trainable(owner: str, model) -> list:
    if not isinstance(model, Module):
        raise ArgumentError(f"{owner}: model must be a tidu.nn.Module, got "
                            f"{type(model).__name__}")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ArgumentError(f"{owner}: the model has no trainable parameters")
    return params


def _batch_tensor(x, device: str) -> Tensor:
    arr = to_numpy(x._data) if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float64)
    return Tensor(arr, dtype=arr.dtype, device=device)


# --------------------------------------------------------------------------- the model as L(θ)
class _Loss:
    """L(θ) and ∇L(θ) of ``loss_fn(model(X), y)`` as a function of the flat float64 θ, by
    swapping float64 arrays into the parameters (and float buffers) and back."""

    def __init__(self, owner, model, loss_fn, params, X, y):
        self.owner, self.model, self.loss_fn, self.params = owner, model, loss_fn, params
        self.X, self.y = X, y
        self.shapes = [p._data.shape for p in params]
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.devices = [device_of(p._data) for p in params]

    def grad(self, theta: np.ndarray) -> np.ndarray:
        start = 0
        for p, shape, size, dev in zip(self.params, self.shapes, self.sizes, self.devices):
            p._data = to_device(theta[start:start + size].reshape(shape).copy(), dev)
            p.grad = None
            start += size
        with enable_grad():
            loss = self.loss_fn(self.model(self.X), self.y)
        if not isinstance(loss, Tensor) or loss._data.size != 1:
            raise ArgumentError(f"{self.owner}: loss_fn(model(X), y) must return a scalar tidu "
                                f"Tensor, got " + (f"a tensor of shape {loss.shape}"
                                                   if isinstance(loss, Tensor)
                                                   else type(loss).__name__))
        if loss.requires_grad:
            loss.backward()
        return np.concatenate([np.zeros(size) if p.grad is None else
                               to_numpy(p.grad._data).astype(np.float64).ravel()
                               for p, size in zip(self.params, self.sizes)])


def _power(hvp, n: int, rng, iters: int, tol: float, shift: float) -> tuple:
    """Power iteration on H − shift·I; returns (Rayleigh quotient of H − shift·I, v, k,
    converged)."""
    v = rng.standard_normal(n)
    v /= np.linalg.norm(v)
    prev = math.nan
    for k in range(1, iters + 1):
        w = hvp(v) - shift * v
        rq = float(v @ w)
        if not math.isfinite(rq):
            return math.nan, v, k, False
        norm = float(np.linalg.norm(w))
        if abs(rq - prev) <= tol * abs(rq) or norm == 0.0:  # norm 0: v in the null space
            return rq, v, k, True
        if k == iters:
            return rq, v, k, False
        prev, v = rq, w / norm
    raise AssertionError("unreachable")


def sharpness(model, loss_fn, data, *, iters: int = 20, tol: float = 1e-3, eps=None,
              seed: int = 0) -> Sharpness:
    """λ_max, the largest eigenvalue of the Hessian of ``loss_fn(model(X), y)`` with respect
    to all trainable parameters, on the one batch ``data = (X, y)`` (see the module for the
    method).  Returns a `Sharpness` (``value``, ``vector``, ``iterations``, ``converged``).

    ``iters`` (default 20): the most Hessian-vector products per power iteration (a second
    iteration of as many runs when the eigenvalue of largest magnitude is negative);
    ``tol`` (1e-3): stop when the Rayleigh quotient changes by less than ``tol`` relatively;
    ``eps``: the finite-difference step along the unit vector, None for
    1e-5·max(1, ‖θ‖); ``seed``: the start vector (NumPy's generator; tidu's global
    generator is not touched).

    The computation is in float64 on a cast copy of the parameters, inputs and float
    buffers; the model is evaluated in ``eval()`` mode, so that dropout and BatchNorm's
    batch statistics do not make L random (λ_max is that of the inference-mode function;
    PyTorch has no such function).  Afterwards the parameters (the very arrays, bit for
    bit), their gradients, the buffers and the train/eval mode are as they were.

    Examples
    --------
    >>> import numpy as np, tidu
    >>> from tidu import nn
    >>> from tidu.diagnose.sharpness import sharpness
    >>> X = np.array([[1., 0.], [0., 2.]]); y = np.zeros((2, 1))
    >>> model = nn.Linear(2, 1, bias=False)
    >>> round(sharpness(model, nn.MSELoss(), (X, y)).value, 3)   # H = 2/N·XᵀX = diag(1, 4)
    4.0
    """
    owner = "sharpness"
    params = _trainable(owner, model)
    X, y = _check_data(owner, data)
    iters = _check_int(owner, "iters", iters, 1)
    tol = _check_positive(owner, "tol", tol)
    if eps is not None:
        eps = _check_positive(owner, "eps", eps)
    _check_int(owner, "seed", seed, 0)
    if not callable(loss_fn):
        raise ArgumentError(f"{owner}: loss_fn must be callable (outputs, targets) -> scalar "
                            f"tensor, got {type(loss_fn).__name__}")
    theta = np.concatenate([to_numpy(p._data).astype(np.float64).ravel() for p in params])
    if not np.all(np.isfinite(theta)):
        raise ArgumentError(f"{owner}: the model's parameters hold NaN or inf; the Hessian is "
                            f"not defined there")
    if eps is None:
        eps = _EPS_REL * max(1.0, float(np.linalg.norm(theta)))

    device = device_of(params[0]._data)
    saved_data = [p._data for p in params]
    saved_grads = [p.grad for p in params]
    saved_buffers = [(m, name, b) for m in model.modules() for name, b in m._buffers.items()
                     if b is not None and b._data.dtype.kind == "f"]
    was_training = model.training
    try:
        for m, name, b in saved_buffers:
            setattr(m, name, b.to(np.float64))
        model.eval()
        L = _Loss(owner, model, loss_fn, params, _batch_tensor(X, device),
                  _batch_tensor(y, device))

        def hvp(v):
            return (L.grad(theta + eps * v) - L.grad(theta - eps * v)) / (2 * eps)

        rng = np.random.default_rng(seed)
        value, v, k, converged = _power(hvp, theta.size, rng, iters, tol, 0.0)
        if math.isfinite(value) and value < 0:
            shifted, v, k2, converged2 = _power(hvp, theta.size, rng, iters, tol, value)
            value, k, converged = shifted + value, k + k2, converged and converged2
    finally:
        for p, data_, grad in zip(params, saved_data, saved_grads):
            p._data, p.grad = data_, grad
        for m, name, b in saved_buffers:
            setattr(m, name, b)
        model.train(was_training)
    return Sharpness(value=float(value), vector=v, iterations=int(k), converged=bool(converged))


# --------------------------------------------------------------------------- the limit
def stability_limit(optimizer) -> float | None:
    """The largest λ_max at which the optimizer's step, with its current learning rate, is
    stable on a quadratic (read from ``optimizer.param_groups[0]``); None for optimizers
    whose step has no such limit in λ_max of the loss alone.

    With ``lr`` η, ``momentum`` μ, ``dampening`` τ and ``weight_decay`` δ (which adds δ to
    every curvature of the loss)::

        plain SGD (μ = 0)           λ_max < 2 / η − δ
        heavy-ball momentum         λ_max < 2(1 + μ) / (η(1 − τ)) − δ
        Nesterov momentum           λ_max < 2(1 + μ) / (η(1 + 2μ)) − δ

    Plain GD on ½λθ² diverges iff ηλ > 2 (the notes' learning rate too high; Cohen et al.
    2021, "edge of stability", for full-batch GD hovering at λ_max ≈ 2/η).  Heavy ball on
    the quadratic is θₖ₊₁ = (1 + μ − η'λ)θₖ − μθₖ₋₁ with η' = η(1 − τ); its characteristic
    root reaches −1 at η'λ = 2(1 + μ).  Nesterov's look-ahead gradient gives
    θₖ₊₁ = (1 − ηλ)(1 + μ)θₖ − (1 − ηλ)μθₖ₋₁, with a root at −1 when ηλ = 2(1 + μ)/(1 + 2μ)
    — a smaller limit than heavy ball's (Cohen et al. 2021, appendix on momentum); PyTorch's
    and the classic form of Nesterov share it.  An infinite limit (η = 0 or τ = 1) is
    ``math.inf``.

    None for adaptive optimizers — Adam, AdamW, Adamax, NAdam, RAdam, RMSprop, Adagrad,
    Adadelta, Rprop — whose step is preconditioned per coordinate, so the step's stability
    depends on the preconditioned Hessian, not on λ_max; for ASGD and LBFGS (a decaying or
    line-searched step) and for ``maximize=True``.  Any optimizer class named ``SGD`` with
    PyTorch's param-group keys (``torch.optim.SGD`` too) is read the same way.
    """
    groups = getattr(optimizer, "param_groups", None)
    if not groups or not isinstance(groups[0], dict) or "lr" not in groups[0]:
        raise ArgumentError(f"stability_limit: optimizer must be an optimizer with "
                            f"param_groups, got {type(optimizer).__name__}")
    if type(optimizer).__name__ != "SGD":
        return None
    group = groups[0]
    if group.get("maximize", False):
        return None
    lr = float(group["lr"])
    mu = float(group.get("momentum", 0.0) or 0.0)
    tau = float(group.get("dampening", 0.0) or 0.0) if mu else 0.0
    decay = float(group.get("weight_decay", 0.0) or 0.0)
    if mu and group.get("nesterov", False):
        step, bound = lr, 2 * (1 + mu) / (1 + 2 * mu)
    else:
        step, bound = lr * (1 - tau), 2 * (1 + mu)
    if step == 0:
        return math.inf
    return bound / step - decay


# --------------------------------------------------------------------------- during fit
class SharpnessTracker(Callback):
    """Measures λ_max (`sharpness`) on the fixed batch ``data = (X, y)`` at the start of
    ``fit`` and at the end of every ``every_n_epochs``-th epoch (epochs n, 2n, …), with the
    trainer's ``loss_fn``, and the optimizer's `stability_limit` at that moment.

    Keeps, one entry per measurement: ``steps`` (the trainer's ``global_step``), ``epochs``
    (epochs completed: 0 at the start), ``values`` (λ_max; NaN when the parameters hold
    NaN/inf and nothing was measured), ``limits`` (the stability limit, NaN where it is
    None) and ``converged``.  ``ratios()`` is values / limits: above 1 the step is unstable
    along the sharpest direction.  ``state_dict`` / ``load_state_dict`` carry the record
    through checkpoints (a resumed run continues it).  ``iters``, ``tol`` and ``seed`` are
    passed to `sharpness` (the same seed every time, so a measurement depends only on the
    weights).
    """

    def __init__(self, data, every_n_epochs: int = 1, iters: int = 20, tol: float = 1e-3,
                 seed: int = 0):
        owner = "SharpnessTracker"
        self.data = _check_data(owner, data)
        self.every_n_epochs = _check_int(owner, "every_n_epochs", every_n_epochs, 1)
        self.iters = _check_int(owner, "iters", iters, 1)
        self.tol = _check_positive(owner, "tol", tol)
        self.seed = _check_int(owner, "seed", seed, 0)
        self.steps, self.epochs, self.values, self.limits, self.converged = [], [], [], [], []

    def _measure(self, epochs_done: int) -> None:
        trainer = self.trainer
        params = [p for p in self.model.parameters() if p.requires_grad]
        finite = all(bool(np.all(np.isfinite(to_numpy(p._data)))) for p in params)
        if finite:
            with np.errstate(over="ignore", invalid="ignore"):
                result = sharpness(self.model, trainer.loss_fn, self.data, iters=self.iters,
                                   tol=self.tol, seed=self.seed)
            value, converged = result.value, result.converged
        else:
            value, converged = math.nan, False
        limit = stability_limit(trainer.optimizer)
        self.steps.append(int(trainer.global_step))
        self.epochs.append(int(epochs_done))
        self.values.append(float(value))
        self.limits.append(math.nan if limit is None else float(limit))
        self.converged.append(bool(converged))

    def on_train_begin(self, logs=None):
        self.steps, self.epochs, self.values, self.limits, self.converged = [], [], [], [], []
        self._measure(0)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs == 0:
            self._measure(epoch + 1)

    def ratios(self) -> np.ndarray:
        """λ_max / stability limit per measurement (NaN where either is unknown)."""
        return np.asarray(self.values, dtype=float) / np.asarray(self.limits, dtype=float)

    def state_dict(self) -> dict:
        return {"steps": list(self.steps), "epochs": list(self.epochs),
                "values": list(self.values), "limits": list(self.limits),
                "converged": list(self.converged)}

    def load_state_dict(self, state: dict) -> None:
        self.steps = [int(s) for s in state["steps"]]
        self.epochs = [int(e) for e in state["epochs"]]
        self.values = [float(v) for v in state["values"]]
        self.limits = [float(v) for v in state["limits"]]
        self.converged = [bool(c) for c in state["converged"]]
