r"""`GradientMonitor`: per-layer statistics of gradient flow while a model trains.

A *layer* is a module with trainable parameters of its own (``Linear``, ``Conv2d``,
``BatchNorm1d``, ``PReLU``, …), named by its module path (``"3"``, ``"encoder.0"``).  At
each recorded step the monitor stores, for every layer, in arrays of shape (steps, layers):

==================  ====================================================================
``grad_norm``       ‖∇θ‖₂ over all the layer's parameters (NaN where no gradient arrived)
``weight_norm``     ‖θ‖₂ before the optimizer step
``weight_rms``      RMS of its ``weight`` (with ``fan_in``: is the initialization in scale?)
``update_ratio``    ‖Δθ‖₂ / ‖θ‖₂ of the optimizer step just taken (≈1e-3 is the usual
                    healthy order, Karpathy's rule of thumb; ≫1e-2 the learning rate is
                    too large, ≪1e-4 too small or the gradient vanished)
``act_mean``        mean of the layer's activation over the batch
``act_std``         its standard deviation
``saturated``       fraction of saturated activations: sigmoid outputs < 0.01 or > 0.99,
                    tanh outputs with |y| > 0.99 — where σ′ < 0.0099 and tanh′ < 0.0199,
                    so almost no gradient passes (NaN for other activations)
``dead``            fraction of dead ReLU units: units whose output is 0 for every sample
                    (and every position) of the batch (NaN for other activations).  A unit
                    is a channel (dim 1) of a 4-D (N, C, H, W) output and a feature (last
                    dim) otherwise.  The fraction depends on the batch size: a live unit
                    looks dead more often in a small batch.
``nonfinite_grad``  count of NaN/±inf elements in the gradients; ``nonfinite_weight`` in
``nonfinite_act``   the parameters; ``nonfinite_act`` in the activation
``stale``           the share of ``.grad`` that did not come from this step's backward:
                    ‖g_before‖ / ‖g_before + g_fresh‖ over the layer's parameters, where
                    g_fresh is the sum of the gradients that reached them in this step's
                    backward call(s) (seen by gradient hooks, before ``.grad`` accumulates
                    them) and g_before what ``.grad`` held when the first of them arrived.
                    Without a later change of ``.grad`` this is ‖g − g_fresh‖ / ‖g‖ for the
                    recorded gradient g; a clipping that rescales ``.grad`` between
                    ``backward`` and `record` leaves it unchanged.  0 when ``zero_grad`` ran
                    before ``backward``; near 1 when earlier steps' gradients are still in
                    ``.grad`` (a missing ``zero_grad``); a parameter that got no gradient
                    this step counts its whole ``.grad`` as stale (NaN: no gradient at all).
                    ``autograd.grad`` calls on the parameters during a recorded step are
                    counted as fresh gradient too.
==================  ====================================================================

Where values first turned non-finite: per step, ``first_nonfinite_act`` is the first layer
in *forward order* (the order the watched activations were computed) whose activation is
non-finite and ``first_nonfinite_grad`` the first layer in *backward order* (the reverse:
the layer closest to the loss first) whose gradient is (−1: none).  At the first recorded
step with any NaN/inf the monitor also runs that step's forward again with a check on every
module (see `tidu.train.callbacks.terminate_on_nan.locate_nonfinite`; same inputs and
dropout masks, BatchNorm statistics restored) and keeps ``nonfinite_origin``: the step and
where the values first turned non-finite — the first module, in execution order, whose
output is non-finite from finite inputs (also one without parameters, such as a custom
``log``), the loss, or the backward pass with the first parameter, in backward order,
whose gradient is non-finite.  `diagnose` names it.

The *activation* of a layer is the output of the activation module that follows it in its
parent container (``Sigmoid``, ``Tanh``, ``ReLU``, ``LeakyReLU``, ``ELU``, ``RReLU``),
skipping modules without parameters such as ``Dropout``, ``Flatten`` and pooling; where
none follows (the output layer, or activations applied with ``tidu.nn.functional`` inside a
custom ``forward``) it is the layer's own output and ``saturated``/``dead`` are NaN, except
for an Elman ``RNN``, whose output sequence is its tanh (or relu) nonlinearity's.  The
activations are captured by wrapping the ``forward`` of the watched modules while the
monitor is attached (restored on `detach`, at the end of ``fit``, or on leaving the
``with`` block); only forward passes run with gradients enabled are captured, so a
validation pass under ``no_grad`` is not mixed in.  A module used at several places
reports its last call.

Cost: on a recorded step, one pass over every parameter and gradient (the norms), one copy
of the parameters (for the update ratio) and a few passes over the watched activations;
``every_n_steps`` records only every n-th step (the other steps run the model untouched: the
wrappers and hooks are put in place for a recorded step only).  As a ``fit`` callback on a
model with lazy layers (``LazyLinear``…), whose parameters appear in the first forward, the
monitor starts watching at the step after that one.

A PyTorch model (a ``torch.nn.Module``, trained in the user's own loop) is watched the same
way (`tidu.diagnose.torch_monitor`: forward hooks instead of wrapped ``forward``, parameter
gradient hooks, the arrays read as float64 NumPy); torch is imported only then.  For it the
forward is not run again: ``nonfinite_origin`` names the first watched layer with a
non-finite activation (or gradient) from the recorded statistics.

Use as a ``fit`` callback — ``fit(model, …, callbacks=[GradientMonitor()])`` — or around a
manual loop (the same for a tidu and a PyTorch model)::

    with GradientMonitor(model) as mon:
        for x, y in batches:
            loss = loss_fn(model(x), y)
            opt.zero_grad(); loss.backward()
            mon.record(loss)          # after backward, before the step
            opt.step()
            mon.record_update()       # after the step: the update/weight ratio
    print(diagnose(mon))
"""
from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass, field

import numpy as np

from ..backend import to_numpy
from ..nn.modules.activation import ELU, LeakyReLU, PReLU, ReLU, RReLU, Sigmoid, Tanh
from ..nn.modules.module import Module
from ..random import get_rng_state
from ..tensor import Tensor, is_grad_enabled
from ..train.callbacks.base import Callback
from ..train.callbacks.terminate_on_nan import locate_nonfinite, loss_name

__all__ = ["GradientMonitor", "GradientStats", "LayerInfo", "SATURATION_LEVEL"]

SATURATION_LEVEL = 0.99
"""sigmoid y < 1 − 0.99 or y > 0.99, tanh |y| > 0.99 count as saturated."""

_ACTIVATION_KIND = ((Sigmoid, "sigmoid"), (Tanh, "tanh"), (ReLU, "relu"),
                    (LeakyReLU, "leaky_relu"), (PReLU, "leaky_relu"), (RReLU, "leaky_relu"),
                    (ELU, "elu"))

_FIELDS = ("grad_norm", "weight_norm", "weight_rms", "update_ratio", "act_mean", "act_std",
           "saturated", "dead", "nonfinite_grad", "nonfinite_weight", "nonfinite_act", "stale")
(_GRAD, _WEIGHT, _RMS, _UPDATE, _MEAN, _STD, _SATURATED, _DEAD, _BAD_GRAD, _BAD_WEIGHT, _BAD_ACT,
 _STALE) = range(len(_FIELDS))  # the rows of a record's (fields, layers) array


def _activation_kind(module) -> str | None:
    for cls, kind in _ACTIVATION_KIND:
        if isinstance(module, cls):
            return kind
    return recurrent_activation(module)


def recurrent_activation(module) -> str | None:
    """An Elman ``RNN``'s output sequence is its nonlinearity's output, h_t = tanh(…) (or
    relu), so its saturation/dead units are read there; GRU/LSTM outputs mix gates and are
    no activation's output."""
    if type(module).__name__ == "RNN":
        return getattr(module, "nonlinearity", "tanh")
    return None


class _TiduBackend:
    """How the monitor reads a tidu model; `tidu.diagnose.torch_monitor.TorchBackend` reads a
    PyTorch one through the same methods."""

    name = "tidu"
    reruns_forward = True  # locate_nonfinite can run a step's forward again

    activation_kind = staticmethod(_activation_kind)
    is_grad_enabled = staticmethod(is_grad_enabled)

    @staticmethod
    def is_tensor(value) -> bool:
        return isinstance(value, Tensor)

    @staticmethod
    def array(t):
        """The tensor's array (not a copy)."""
        return t._data

    @staticmethod
    def grad(p):
        return None if p.grad is None else p.grad._data

    @staticmethod
    def scalar(value) -> float:
        if isinstance(value, Tensor):
            return float(value._data.reshape(-1)[0]) if value._data.size else math.nan
        return float(value)

    @staticmethod
    def structure(modules: list) -> dict:
        return {"has_batchnorm": any(type(m).__name__.startswith("BatchNorm") for m in modules),
                "has_residual": any(type(m).__name__ == "Residual" for m in modules),
                "has_recurrent": any(type(m).__name__ in ("RNN", "LSTM", "GRU") for m in modules)}

    @staticmethod
    def watch(module, on_output):
        """Call ``on_output(output)`` after each call of ``module`` (its ``forward`` wrapped
        on the instance); returns the function that restores it."""
        previous = module.__dict__.get("forward")
        forward = module.forward

        def watched_forward(*args, **kwargs):
            out = forward(*args, **kwargs)
            on_output(out)
            return out

        watched_forward.__wrapped__ = forward
        object.__setattr__(module, "forward", watched_forward)

        def restore():
            if previous is None:
                module.__dict__.pop("forward", None)
            else:
                object.__setattr__(module, "forward", previous)
        return restore

    @staticmethod
    def grad_hook(p, on_grad):
        """Call ``on_grad(array)`` with each gradient reaching ``p`` (before ``p.grad``
        accumulates it); returns the handle whose ``remove()`` unregisters it."""
        on_grad.reads_array = True  # tidu passes it the gradient's array, unwrapped
        return p.register_hook(on_grad)


_TIDU = _TiduBackend()


def _backend_for(model, owner: str):
    """The backend that reads ``model``: tidu's, or PyTorch's for a ``torch.nn.Module``
    (torch is imported only then, by `torch_monitor`)."""
    if isinstance(model, Module):
        return _TIDU
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(model, torch.nn.Module):
        from .torch_monitor import TorchBackend
        return TorchBackend()
    raise TypeError(f"{owner}: model must be a tidu.nn.Module or a torch.nn.Module, got "
                    f"{type(model).__module__}.{type(model).__name__}")


def _has_params(module) -> bool:
    return any(True for _ in module.parameters())


@dataclass
class LayerInfo:
    """One watched layer: its module path, type, ``fan_in`` of its weight (None without a
    ≥2-D weight), the activation kind that follows it (``"sigmoid"``, ``"tanh"``,
    ``"relu"``, ``"leaky_relu"``, ``"elu"`` or None) and the path of that activation
    module (None: the layer's own output is watched)."""

    name: str
    type: str
    fan_in: int | None
    activation: str | None
    activation_module: str | None


@dataclass
class GradientStats:
    """The recorded statistics: ``steps`` (S,) — the training step of each record —,
    ``layers`` (L `LayerInfo`, in module order: first layer first), ``loss`` (S,), and one
    (S, L) array per statistic (see `GradientMonitor`).  ``activation_samples`` maps a layer
    name to up to ``histogram_samples`` values of its activation at the last record; the
    model's structure flags (``has_batchnorm``, ``has_residual``, ``has_recurrent``) let
    `diagnose` rank remedies.  ``first_nonfinite_act`` / ``first_nonfinite_grad`` (S,): the
    column of the first layer in forward / backward order with a non-finite activation /
    gradient (−1: none); ``nonfinite_origin``: where the values first turned non-finite (a
    dict with ``step``, ``where``, ``layer``, ``module``, ``parameter``, ``note``) or None.
    ``stale`` (S, L): the share of the gradient left from earlier steps (see
    `GradientMonitor`); stats made without it (older code, pickles) get NaN there."""

    steps: np.ndarray
    layers: list
    loss: np.ndarray
    grad_norm: np.ndarray
    weight_norm: np.ndarray
    weight_rms: np.ndarray
    update_ratio: np.ndarray
    act_mean: np.ndarray
    act_std: np.ndarray
    saturated: np.ndarray
    dead: np.ndarray
    nonfinite_grad: np.ndarray
    nonfinite_weight: np.ndarray
    nonfinite_act: np.ndarray
    nonfinite_loss: np.ndarray
    activation_samples: dict = field(default_factory=dict)
    has_batchnorm: bool = False
    has_residual: bool = False
    has_recurrent: bool = False
    first_nonfinite_act: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    first_nonfinite_grad: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    nonfinite_origin: dict | None = None
    stale: np.ndarray | None = None

    def __post_init__(self):
        if self.stale is None:  # made by code that predates the statistic
            self.stale = np.full(np.shape(self.grad_norm), np.nan)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.__dict__.get("stale") is None:  # pickled before the statistic existed
            self.stale = np.full(np.shape(self.grad_norm), np.nan)

    @property
    def layer_names(self) -> list:
        return [info.name for info in self.layers]

    def __len__(self) -> int:
        return len(self.steps)

    def layer(self, name: str) -> int:
        """The column index of layer ``name``."""
        names = self.layer_names
        if name not in names:
            raise KeyError(f"GradientStats: no layer named {name!r}; the layers are {names}")
        return names.index(name)

    def __str__(self) -> str:
        lines = [f"GradientStats: {len(self.steps)} recorded steps × {len(self.layers)} layers "
                 f"(medians over the steps)",
                 f"{'layer':<16}{'type':<12}{'act':<11}{'grad norm':>11}{'weight norm':>12}"
                 f"{'update/w':>10}{'act mean':>10}{'act std':>9}{'sat.':>7}{'dead':>7}"
                 f"{'stale':>7}"]
        for j, info in enumerate(self.layers):
            def med(arr):
                col = arr[:, j] if len(arr) else np.array([np.nan])
                col = col[~np.isnan(col)]
                return float(np.median(col)) if col.size else math.nan
            lines.append(f"{info.name:<16}{info.type:<12}{str(info.activation or '-'):<11}"
                         f"{med(self.grad_norm):>11.3e}{med(self.weight_norm):>12.3e}"
                         f"{med(self.update_ratio):>10.2e}{med(self.act_mean):>10.3g}"
                         f"{med(self.act_std):>9.3g}{med(self.saturated):>7.2f}"
                         f"{med(self.dead):>7.2f}{med(self.stale):>7.2f}")
        return "\n".join(lines)

    __repr__ = __str__


class _Layer:
    """A watched layer: its parameters, the module whose output is its activation."""

    __slots__ = ("info", "params", "weight", "weight_size", "weight_frozen", "act_module")

    def __init__(self, name, module, act_name, act_module, kind_of):
        self.params = [p for p in module._parameters.values() if p is not None and p.requires_grad]
        weight = module._parameters.get("weight")
        if weight is None:
            weight = max(self.params, key=lambda p: math.prod(p.shape))
        self.weight = weight
        shape = tuple(weight.shape)
        self.weight_size = math.prod(shape)
        self.weight_frozen = not any(p is weight for p in self.params)
        fan_in = math.prod(shape[1:]) if len(shape) >= 2 else None
        kind = kind_of(act_module) if act_module is not None else kind_of(module)
        self.act_module = act_module if act_module is not None else module
        self.info = LayerInfo(name=name or type(module).__name__, type=type(module).__name__,
                              fan_in=fan_in, activation=kind,
                              activation_module=act_name if act_module is not None else None)


def _norm(arr: np.ndarray) -> tuple:
    """(‖arr‖₂, count of non-finite elements), without overflow for large finite values."""
    flat = arr.reshape(-1)
    n = math.sqrt(float(np.dot(flat, flat)))  # what np.linalg.norm computes, without its overhead
    if math.isfinite(n):
        return n, 0
    bad = int(flat.size - np.count_nonzero(np.isfinite(flat)))
    if bad:
        return (math.nan if np.isnan(flat).any() else math.inf), bad
    big = float(np.max(np.abs(flat)))  # finite but the squares overflow (float32 > 1.8e19)
    return big * float(np.linalg.norm(flat.astype(np.float64) / big)), 0


def _square(arr) -> tuple:
    """(‖arr‖₂², 0) by one dot product in the array's dtype: exact enough while it is
    finite; NaN/inf when arr holds NaN/inf or its float32 squares overflow (then
    `_square_exact`)."""
    return float(np.vdot(arr, arr)), 0


def _square_exact(arr) -> tuple:
    """(‖arr‖₂², count of non-finite elements), without overflow for large finite values."""
    norm, bad = _norm(arr)
    return norm * norm, bad


def _std(act: np.ndarray, mean: float) -> float:
    """The population standard deviation, two-pass (centred, then one dot product): what
    np.std computes, without its overhead."""
    centred = act.reshape(-1) - act.dtype.type(mean)
    std = math.sqrt(float(np.dot(centred, centred)) / max(centred.size, 1))
    if not math.isfinite(std):  # float32 squares overflow beyond 1.8e19
        std = float(np.std(act, dtype=np.float64))
    return std


def _stale(before_sq: float, total_sq: float, any_grad: bool) -> float:
    """‖g_before‖ / ‖g_before + g_fresh‖ from the squared norms summed over a layer's
    parameters: 0 with nothing left from before, NaN without any gradient."""
    if before_sq == 0:
        return 0.0 if any_grad or total_sq > 0 else math.nan
    if total_sq > 0:
        return math.sqrt(before_sq / total_sq)
    return math.nan if math.isnan(before_sq) or math.isnan(total_sq) else math.inf


def _lazy(model) -> bool:
    """Whether ``model`` (tidu) still has a lazy layer's uninitialized parameters."""
    from ..nn.modules.lazy import UninitializedParameter
    return isinstance(model, Module) and any(isinstance(p, UninitializedParameter)
                                             for p in model.parameters())


def _check_int(owner, name, value, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{owner}: {name} must be an int ≥ {low}, got {name}={value!r}")
    return int(value)


class GradientMonitor(Callback):
    """Record per-layer gradient, weight, update and activation statistics (see the module
    docstring for each one and for how layers and activations are found).

    ``GradientMonitor(model=None, every_n_steps=1, layers=None, histogram_samples=4096)``:
    ``model`` — the module to watch (as a ``fit`` callback it defaults to the trained
    model; it may be a sub-module of it); ``every_n_steps`` — record steps 0, n, 2n, …;
    ``layers`` — module paths to watch (default: every module with trainable parameters of
    its own); ``histogram_samples`` — how many activation values per layer to keep from the
    last record for `plot_activation_histograms`.

    ``stats`` (a `GradientStats`) holds the arrays; ``diagnose(monitor)`` turns them into
    findings.  As a ``fit`` callback it records after each backward and the update ratio
    after each step; by hand call `record` after ``backward`` and `record_update` after
    ``optimizer.step()`` (inside ``with GradientMonitor(model) as mon:``, or between
    `attach` and `detach`).
    """

    def __init__(self, model=None, every_n_steps: int = 1, layers=None,
                 histogram_samples: int = 4096):
        self._backend = None if model is None else _backend_for(model, "GradientMonitor")
        self.every_n_steps = _check_int("GradientMonitor", "every_n_steps", every_n_steps, 1)
        self.histogram_samples = _check_int("GradientMonitor", "histogram_samples",
                                            histogram_samples, 0)
        if layers is not None:
            if isinstance(layers, str) or not all(isinstance(n, str) for n in layers):
                raise TypeError(f"GradientMonitor: layers must be a list of module paths, got "
                                f"{layers!r}")
            layers = list(layers)
        self._layer_names = layers
        self._target = model
        self._layers: list = []
        self._wrapped: dict = {}      # id(module) -> function that stops watching it
        self._captured: dict = {}     # id(module) -> activation array of this step
        self._grad_hooks: list = []   # handles of the parameters' gradient hooks
        self._fresh: dict = {}        # id(param) -> [‖g_before‖, g_before + Σ g_fresh]
        self._armed = False           # this step is recorded: the hooks keep what they see
        self._attached = False
        self._calls = 0               # manual mode: record() calls so far
        self._fit_attached = False
        self._snapshot = None         # parameter copies of the last record, for the update
        self._rows: dict = {f: [] for f in _FIELDS}
        self._steps: list = []
        self._loss: list = []
        self._loss_bad: list = []
        self._samples: dict = {}
        self._first_act: list = []    # per record: first layer (column) in forward order
        self._first_grad: list = []   # with a non-finite activation / in backward order, grad
        self._origin = None           # where values first turned non-finite (one dict)
        self._inputs = None           # (args, RNG state) of the watched model's last call
        self._handle = None
        self._structure = {"has_batchnorm": False, "has_residual": False, "has_recurrent": False}

    # ------------------------------------------------------------------ attach / detach
    @property
    def attached(self) -> bool:
        return self._attached

    @property
    def nonfinite_origin(self) -> dict | None:
        """Where values first turned non-finite (see the module docstring), or None."""
        return None if self._origin is None else dict(self._origin)

    def attach(self, model=None) -> "GradientMonitor":
        """Find the layers, watch the outputs of the modules whose activations are recorded
        and hook the gradients of the layers' parameters."""
        if model is not None:
            self._backend = _backend_for(model, "GradientMonitor.attach")
            self._target = model
        if self._target is None:
            raise ValueError("GradientMonitor: no model to watch; pass one to "
                             "GradientMonitor(model) or use the monitor as a fit callback")
        if self.attached:
            return self
        if self._backend is None:  # the model came from the trainer
            self._backend = _backend_for(self._target, "GradientMonitor")
        layers = self._find_layers(self._target)
        if self._layers and [l.info.name for l in layers] != [l.info.name for l in self._layers]:
            raise ValueError("GradientMonitor: the model's layers changed since the first "
                             "records; use a new monitor for a different model")
        self._layers = layers
        self._attached = True
        self._arm(self._due(self._calls))
        return self

    def _arm(self, armed: bool) -> None:
        """Mark whether the coming step is recorded; the wrappers and hooks are put in
        place for a recorded step and taken out for the steps in between, so that a
        step not recorded runs the model untouched (``every_n_steps`` > 1 costs nothing
        there)."""
        self._armed = armed
        hooked = bool(self._wrapped)  # the wrappers and hooks are in place
        if armed and not hooked:
            self._hook()
        elif not armed and hooked:
            self._unhook()

    def _hook(self) -> None:
        for layer in self._layers:
            mod = layer.act_module
            if id(mod) not in self._wrapped:
                self._wrapped[id(mod)] = self._backend.watch(mod, self._capture(id(mod)))
            for p in layer.params:
                self._grad_hooks.append(self._backend.grad_hook(p, self._fresh_grad(p)))
        if self._backend.reruns_forward:
            # keep a reference to the watched model's input (and the RNG state, for the same
            # dropout masks) on recorded steps: enough to run that forward again if it broke
            self._handle = self._target.register_forward_pre_hook(self._keep_inputs)

    def _unhook(self) -> None:
        for restore in self._wrapped.values():
            restore()
        self._wrapped.clear()
        for handle in self._grad_hooks:
            handle.remove()
        self._grad_hooks.clear()
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def _keep_inputs(self, module, args) -> None:
        if self._armed and is_grad_enabled():
            self._inputs = (args, get_rng_state())

    def _capture(self, key: int):
        """The function a watched module's output goes to: kept on recorded steps, for
        forward passes run with gradients enabled."""
        captured, backend = self._captured, self._backend

        def on_output(out):
            if self._armed and backend.is_grad_enabled():
                first = out[0] if isinstance(out, (tuple, list)) and out else out
                if backend.is_tensor(first):
                    captured[key] = backend.array(first)
        return on_output

    def _fresh_grad(self, p):
        """The function a gradient reaching ``p`` goes to: on recorded steps it sums this
        step's gradients, starting from what ``p.grad`` held before the first (for ``stale``):
        ``[‖g_before‖², the sum (None while it is the one gradient g), g]``."""
        key, fresh, backend = id(p), self._fresh, self._backend

        def on_grad(g):
            if not self._armed:
                return
            entry = fresh.get(key)
            if entry is not None:
                if entry[1] is None:  # a second arrival: now the sum needs its own array
                    entry[1] = entry.pop() + g
                else:
                    np.add(entry[1], g, out=entry[1])
                return
            before = backend.grad(p)
            if before is None:  # p.grad will be this g: its norm is the gradient's
                fresh[key] = [0.0, None, g]  # (g only read, at a second arrival)
            else:
                total = before.copy()
                np.add(total, g, out=total)
                fresh[key] = [_square_exact(before)[0], total]
        return on_grad

    def detach(self) -> None:
        """Stop watching (restore every wrapped ``forward``, remove the hooks); the
        statistics stay."""
        self._arm(False)
        self._attached = False
        self._captured.clear()
        self._fresh.clear()
        self._inputs = None

    def __enter__(self) -> "GradientMonitor":
        return self.attach()

    def __exit__(self, *exc) -> None:
        self.detach()

    def _find_layers(self, model) -> list:
        named = list(model.named_modules())
        paths = {id(m): n for n, m in named}
        parent_of = {}
        for name, mod in named:
            for child in mod._modules.values():
                if child is not None:
                    parent_of.setdefault(id(child), mod)
        self._structure = self._backend.structure([m for _, m in named])
        kind_of = self._backend.activation_kind
        candidates = [(n, m) for n, m in named
                      if any(p is not None and p.requires_grad for p in m._parameters.values())]
        if self._layer_names is not None:
            by_name = dict(candidates)
            missing = [n for n in self._layer_names if n not in by_name]
            if missing:
                raise ValueError(f"GradientMonitor: layers {missing} are not modules with "
                                 f"trainable parameters of {type(model).__name__}; those are "
                                 f"{[n for n, _ in candidates]}")
            candidates = [(n, by_name[n]) for n in self._layer_names]
        if not candidates:
            raise ValueError(f"GradientMonitor: {type(model).__name__} has no trainable "
                             f"parameters to watch")
        layers = []
        for name, mod in candidates:
            act = None
            parent = parent_of.get(id(mod))
            if parent is not None and kind_of(mod) is None:
                siblings = [c for c in parent._modules.values() if c is not None]
                for nxt in siblings[siblings.index(mod) + 1:]:
                    if kind_of(nxt) is not None and not _has_params(nxt):
                        act = nxt
                        break
                    if _has_params(nxt) or nxt._modules:
                        break
            layers.append(_Layer(name, mod, paths.get(id(act)) if act is not None else None, act,
                                 kind_of))
        return layers

    # ------------------------------------------------------------------ recording
    def _due(self, step: int) -> bool:
        return step % self.every_n_steps == 0

    def record(self, loss=None, step: int | None = None) -> bool:
        """Record the current gradients, weights and captured activations (call it after
        ``backward`` and before ``optimizer.step()``).  ``loss``: the step's loss (a
        tensor or number), stored alongside.  ``step``: the step index (default: how many
        times `record` was called before).  Records only every ``every_n_steps``-th step;
        returns whether it recorded."""
        if not self.attached:
            self.attach()
        index = self._calls if step is None else int(step)
        self._calls = index + 1
        recorded = self._due(index)
        if recorded:
            self._record(index, loss)
        self._fresh.clear()
        self._arm(self._due(self._calls))
        return recorded

    def _record(self, step: int, loss) -> None:
        if loss is not None:
            loss = self._backend.scalar(loss)
        row = np.full((len(_FIELDS), len(self._layers)), np.nan)
        snapshot = []
        bad = False
        for j, layer in enumerate(self._layers):
            snapshot.append([self._backend.array(p).copy() for p in layer.params])
            stats = self._param_stats(layer, _square)
            if not math.isfinite(stats[0] + stats[1]):  # NaN/inf, or float32 squares overflow
                stats = self._param_stats(layer, _square_exact)
            wsq, gsq, any_grad, wbad, gbad, weight_sq, before_sq, total_sq = stats
            row[_GRAD, j] = math.sqrt(gsq) if any_grad else math.nan
            row[_WEIGHT, j] = math.sqrt(wsq)
            row[_BAD_GRAD, j] = gbad
            row[_BAD_WEIGHT, j] = wbad
            row[_STALE, j] = _stale(before_sq, total_sq, any_grad)
            row[_RMS, j] = math.sqrt(weight_sq / max(layer.weight_size, 1))
            act = self._captured.get(id(layer.act_module))
            if act is not None:
                self._activation_stats(layer, act, row, j)
            bad = bad or gbad or wbad or row[_BAD_ACT, j] > 0
        first_act, first_grad = self._first_nonfinite(row) if bad else (-1, -1)
        self._captured.clear()
        self._fresh.clear()
        self._snapshot = snapshot
        for f, values in zip(_FIELDS, row):
            self._rows[f].append(values)
        self._steps.append(step)
        value = math.nan if loss is None else float(loss)
        loss_bad = 0 if loss is None or math.isfinite(value) else 1
        self._loss_bad.append(loss_bad)
        self._loss.append(value if math.isfinite(value) else math.nan)
        self._first_act.append(first_act)
        self._first_grad.append(first_grad)
        if self._origin is None and (loss_bad or bad):
            self._origin = self._locate(step, bool(loss_bad))

    def _param_stats(self, layer: _Layer, square) -> tuple:
        """One layer's (‖θ‖², ‖∇θ‖², any gradient, non-finite elements of θ, of ∇θ,
        ‖weight‖², ‖g_before‖², ‖g_before + g_fresh‖²), each array's squared norm and count of
        non-finite elements from ``square`` (`_square`, or `_square_exact`)."""
        array, grad_of, fresh = self._backend.array, self._backend.grad, self._fresh
        wsq = gsq = weight_sq = before_sq = total_sq = 0.0
        wbad = gbad = 0
        any_grad = False
        for p in layer.params:
            s, bad = square(array(p))
            wsq, wbad = wsq + s, wbad + bad
            if p is layer.weight:
                weight_sq = s
            g = grad_of(p)
            s = 0.0
            if g is not None:
                s, bad = square(g)
                gsq, gbad, any_grad = gsq + s, gbad + bad, True
            entry = fresh.get(id(p))
            if entry is not None:
                before_sq += entry[0]
                # one arrival onto an empty .grad: the sum is the gradient itself
                total_sq += s if entry[1] is None else square(entry[1])[0]
            elif g is not None:  # no gradient arrived this step: all of it is old
                before_sq, total_sq = before_sq + s, total_sq + s
        if layer.weight_frozen:
            weight_sq = square(array(layer.weight))[0]
        return wsq, gsq, any_grad, wbad, gbad, weight_sq, before_sq, total_sq

    def _first_nonfinite(self, row: np.ndarray) -> tuple:
        """(first column in forward order with a non-finite activation, first column in
        backward order with a non-finite gradient), −1 for none.  Forward order is the order
        the activations were captured in this step (``_captured`` keeps insertion order);
        backward order is its reverse; layers not called this step come last."""
        bad_act, bad_grad = row[_BAD_ACT] > 0, row[_BAD_GRAD] > 0
        seen = {key: i for i, key in enumerate(self._captured)}
        n = len(self._layers)
        forward = sorted(range(n), key=lambda j: (seen.get(id(self._layers[j].act_module), n), j))
        called = [j for j in forward if id(self._layers[j].act_module) in seen]
        backward = called[::-1] + [j for j in forward if j not in called]
        first_act = next((j for j in forward if bad_act[j]), -1)
        first_grad = next((j for j in backward if bad_grad[j]), -1)
        return first_act, first_grad

    def _locate(self, step: int, loss_bad: bool) -> dict:
        """Run the step's forward again to find where its values first turned non-finite."""
        origin = {"step": step, "where": None, "layer": None, "module": None,
                  "parameter": None, "note": ""}
        if not self._backend.reruns_forward:
            return self._origin_from_stats(origin, loss_bad)
        if self._inputs is None:
            origin["note"] = "the watched model's input of this step was not captured"
            return origin
        armed, self._armed = self._armed, False  # the run again is not a training step
        try:
            located = locate_nonfinite(self._target, *self._inputs)
        except Exception as exc:  # a diagnosis must not hide the original problem
            origin["note"] = f"the forward could not be run again ({exc!r})"
            return origin
        finally:
            self._armed = armed
        params = dict(self._target.named_parameters())
        with np.errstate(over="ignore", invalid="ignore"):
            bad = [n for n in located["backward_order"] if params[n].grad is not None
                   and not bool(np.isfinite(params[n].grad._data).all())]
        origin["parameter"] = bad[0] if bad else None
        modules = dict(self._target.named_modules())
        if located["where"] is not None:
            origin.update({k: located[k] for k in ("where", "layer", "module", "note")})
        elif loss_bad and located["output_finite"]:
            trainer = getattr(self, "trainer", None)
            origin.update(where="loss", layer=loss_name(getattr(trainer, "loss_fn", None)),
                          note="the model's output is finite")
        elif bad:
            layer = bad[0].rsplit(".", 1)[0] if "." in bad[0] else ""
            module = modules.get(layer)
            origin.update(where="backward", layer=layer or type(self._target).__name__,
                          module=type(module).__name__ if module is not None else None,
                          note="the forward pass and the loss are finite")
        return origin

    def _origin_from_stats(self, origin: dict, loss_bad: bool) -> dict:
        """Where values first turned non-finite, from the step's statistics alone (for a
        PyTorch model, whose forward is not run again): the first watched layer with a
        non-finite activation, else with a non-finite gradient, else the loss."""
        first_act, first_grad = self._first_act[-1], self._first_grad[-1]
        if first_act >= 0 or first_grad >= 0:
            layer = self._layers[first_act if first_act >= 0 else first_grad].info
            origin.update(where="forward" if first_act >= 0 else "backward", layer=layer.name,
                          module=layer.type)
        elif loss_bad:
            origin.update(where="loss", note="the watched activations are finite")
        note = ("located from the recorded statistics of the watched layers (the forward "
                "is run again only for tidu models)")
        origin["note"] = f"{origin['note']}; {note}" if origin["note"] else note
        return origin

    def _activation_stats(self, layer: _Layer, act: np.ndarray, row: np.ndarray, j: int) -> None:
        if act.size == 0:
            return
        mean = float(act.sum()) / act.size
        if not math.isfinite(mean):
            # NaN/inf (or an overflowing sum): count them; the other statistics of such a
            # step describe only its finite values, and saturation/dead are left NaN
            finite = act[np.isfinite(act)]
            row[_BAD_ACT, j] = act.size - finite.size
            if finite.size:
                row[_MEAN, j] = float(np.mean(finite, dtype=np.float64))
                row[_STD, j] = float(np.std(finite, dtype=np.float64))
            return
        row[_BAD_ACT, j] = 0
        row[_MEAN, j] = mean
        std = _std(act, mean)
        row[_STD, j] = std
        kind = layer.info.activation
        if kind in ("sigmoid", "tanh"):
            centre = 0.5 if kind == "sigmoid" else 0.0
            half = SATURATION_LEVEL - centre
            row[_SATURATED, j] = np.count_nonzero(np.abs(act - centre) > half) / act.size
        elif kind == "relu" and act.ndim >= 1:
            alive = act > 0
            if act.ndim >= 2:
                unit_axis = 1 if act.ndim == 4 else act.ndim - 1
                alive = alive.any(axis=tuple(a for a in range(act.ndim) if a != unit_axis))
            row[_DEAD, j] = 1.0 - np.count_nonzero(alive) / alive.size
        if self.histogram_samples:  # sampled when `stats` is read: no cost per record
            self._samples[layer.info.name] = act

    def record_update(self) -> None:
        """Fill in the update/weight ratio ‖Δθ‖/‖θ‖ of the last record (call it after
        ``optimizer.step()``); does nothing when the last step was not recorded."""
        if self._snapshot is None:
            return
        ratios = self._rows["update_ratio"][-1]
        for j, (layer, copies) in enumerate(zip(self._layers, self._snapshot)):
            dsq = 0.0
            for p, old in zip(layer.params, copies):
                np.subtract(self._backend.array(p), old, out=old)
                dsq += _square(old)[0]
            if not math.isfinite(dsq):  # NaN/inf steps, or float32 squares overflow
                dsq = sum(_square_exact(old)[0] for old in copies)
            w = self._rows["weight_norm"][-1][j]
            ratios[j] = math.sqrt(dsq) / w if w > 0 else (0.0 if dsq == 0 else math.inf)
        self._snapshot = None

    # ------------------------------------------------------------------ results
    @property
    def layers(self) -> list:
        """The watched layers (`LayerInfo`), first layer first."""
        return [layer.info for layer in self._layers]

    @property
    def stats(self) -> GradientStats:
        """The records so far as a `GradientStats` of (steps, layers) arrays."""
        n_layers = len(self._layers)
        arrays = {f: (np.array(self._rows[f], dtype=np.float64) if self._rows[f]
                      else np.empty((0, n_layers))) for f in _FIELDS}
        return GradientStats(steps=np.array(self._steps, dtype=np.int64),
                             layers=self.layers, loss=np.array(self._loss, dtype=np.float64),
                             nonfinite_loss=np.array(self._loss_bad, dtype=np.int64),
                             activation_samples=self._histogram_samples(), **arrays,
                             **self._structure,
                             first_nonfinite_act=np.array(self._first_act, dtype=np.int64),
                             first_nonfinite_grad=np.array(self._first_grad, dtype=np.int64),
                             nonfinite_origin=self.nonfinite_origin)

    def _histogram_samples(self) -> dict:
        """Up to ``histogram_samples`` evenly strided values of each layer's activation at
        the last record (kept by reference there, copied to the host here)."""
        out = {}
        for name, act in self._samples.items():
            flat = act.reshape(-1)
            stride = max(1, flat.size // self.histogram_samples)
            out[name] = np.array(to_numpy(flat[::stride][:self.histogram_samples]))
        return out

    def reset(self) -> None:
        """Forget the records (the layers and the wrapping stay)."""
        for f in _FIELDS:
            self._rows[f].clear()
        self._steps.clear()
        self._loss.clear()
        self._loss_bad.clear()
        self._samples.clear()
        self._first_act.clear()
        self._first_grad.clear()
        self._origin = None
        self._snapshot = None
        self._calls = 0

    # ------------------------------------------------------------------ fit callback
    def set_trainer(self, trainer) -> None:
        super().set_trainer(trainer)
        if self._target is None:
            self._target = trainer.model

    def on_train_begin(self, logs=None):
        if not self.attached and not _lazy(self._target):
            self.attach()
            self._fit_attached = True

    def on_batch_begin(self, batch, logs=None):
        if not self.attached:
            # a lazy layer's parameters exist after its first forward: watch from then on
            if _lazy(self._target):
                return
            self.attach()
            self._fit_attached = True
        self._arm(self._due(self.trainer.global_step))

    def on_after_backward(self, batch, logs=None):
        step = self.trainer.global_step
        self._armed = False
        if not self.attached:
            return
        if self._due(step):
            self._record(step, (logs or {}).get("loss"))
        else:
            self._captured.clear()
            self._fresh.clear()

    def on_batch_end(self, batch, logs=None):
        self.record_update()

    def on_train_end(self, logs=None):
        if self._fit_attached:
            self.detach()
            self._fit_attached = False

    def state_dict(self) -> dict:
        if not self._steps:
            return {}
        state = {f: np.array(self._rows[f]) for f in _FIELDS}
        state["steps"] = np.array(self._steps, dtype=np.int64)
        state["loss"] = np.array(self._loss, dtype=np.float64)
        state["nonfinite_loss"] = np.array(self._loss_bad, dtype=np.int64)
        state["first_nonfinite_act"] = np.array(self._first_act, dtype=np.int64)
        state["first_nonfinite_grad"] = np.array(self._first_grad, dtype=np.int64)
        if self._origin is not None:
            state["nonfinite_origin"] = {k: ("" if v is None else v)
                                         for k, v in self._origin.items()}
        return state

    def load_state_dict(self, state: dict) -> None:
        if not state:
            return
        self._steps = [int(s) for s in state["steps"]]
        self._loss = [float(v) for v in state["loss"]]
        self._loss_bad = [int(v) for v in state["nonfinite_loss"]]
        # checkpoints taken before a statistic existed (stale) hold NaN for it
        absent = np.full(np.shape(state["grad_norm"]), np.nan)
        self._rows = {f: [np.array(r, dtype=np.float64) for r in state.get(f, absent)]
                      for f in _FIELDS}
        missing = [-1] * len(self._steps)  # checkpoints taken before these were recorded
        self._first_act = [int(v) for v in state.get("first_nonfinite_act", missing)]
        self._first_grad = [int(v) for v in state.get("first_nonfinite_grad", missing)]
        origin = state.get("nonfinite_origin")
        self._origin = None if not origin else {
            k: (None if v == "" and k not in ("note",) else v) for k, v in origin.items()}
        if self._origin is not None:
            self._origin["step"] = int(self._origin["step"])
        self._calls = (self._steps[-1] + 1) if self._steps else 0
