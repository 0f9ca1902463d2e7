"""Mixed precision, as ``torch.amp``: `autocast`, `GradScaler`, `custom_fwd`, `custom_bwd`.

tidu computes every op in its operands' own dtype (float32 or float64; it has no half
precision), so **autocast casts nothing**: a region under ``autocast`` gives the results of
full precision, the same as without it.  The context manager and decorator exist so that
PyTorch mixed-precision training code runs unchanged, with PyTorch's argument checks and
warnings.

`GradScaler` is PyTorch's dynamic loss scaling, number for number: ``scale(loss)`` multiplies
by the scale S, ``unscale_`` multiplies every gradient by fl32(1/S) and notes any inf/NaN,
``step`` skips ``optimizer.step()`` when one was found, and ``update`` backs off
(S ← S·backoff_factor) after a skipped step or grows (S ← S·growth_factor) after
``growth_interval`` clean steps in a row.  In full precision the gradients overflow far more
rarely than in float16, so steps are skipped only when the loss itself is inf/NaN or the
scaled gradients exceed the float range.
"""
from __future__ import annotations

import functools
import warnings
from enum import Enum

import numpy as np

from .backend import device_of, xp_of
from .tensor import Tensor

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler"]

# the devices tidu runs on; PyTorch's other device types parse but tidu cannot autocast there
_AUTOCAST_DEVICES = ("cpu", "cuda")
_TORCH_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                       "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu",
                       "mtia", "privateuseone")


def _check_device_type(device_type) -> None:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")


def is_autocast_available(device_type: str) -> bool:
    """Whether ``autocast(device_type)`` is accepted: 'cpu' and 'cuda' (tidu's devices).
    Raises RuntimeError for a string that is no device type, as PyTorch."""
    kind = device_type.partition(":")[0]
    if kind not in _TORCH_DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_TORCH_DEVICE_TYPES)} device type at "
                           f"start of device string: {device_type}")
    return kind in _AUTOCAST_DEVICES


def _cuda_available() -> bool:
    from . import cuda
    return cuda.is_available()


def _is_half(dtype) -> bool:
    """float16 or bfloat16 (tidu has no bfloat16 dtype: it is named by the string)."""
    if isinstance(dtype, str) and dtype.replace("torch.", "") == "bfloat16":
        return True
    try:
        return np.dtype(dtype) == np.float16
    except TypeError:
        return False


class autocast:
    """``autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a context
    manager or decorator marking a mixed-precision region, as ``torch.autocast``.

    **tidu does not cast**: ops inside run in their operands' dtype, so results equal those
    of full precision.  PyTorch's checks are kept: ``device_type`` must be a string ('cpu' or
    'cuda'; another device type raises RuntimeError); ``dtype`` defaults to float16 on 'cuda'
    and 'bfloat16' on 'cpu'; a dtype other than float16/bfloat16, or 'cuda' without a GPU,
    warns and disables the region (``_enabled`` False), as PyTorch."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True,
                 cache_enabled: bool | None = None):
        _check_device_type(device_type)
        if not is_autocast_available(device_type):
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self.device = device_type
        default = np.float16 if device_type == "cuda" else "bfloat16"
        self.fast_dtype = default if dtype is None else dtype
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if enabled:
            if device_type == "cuda" and not _cuda_available():
                warnings.warn("CUDA is not available. Disabling autocast.", stacklevel=2)
                enabled = False
            elif device_type != "cuda" and not _is_half(self.fast_dtype):
                name = device_type.upper()
                warnings.warn(f"In {name} autocast, but the target dtype is not supported. "
                              f"Disabling autocast.\n{name} Autocast only supports dtypes of "
                              f"torch.bfloat16, torch.float16 currently.", stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f"autocast()(func) requires a callable, but got "
                            f"{type(func).__name__}. Did you mean to use autocast as a context "
                            f"manager? For example:\n    with torch.autocast(device_type=...):\n"
                            f"        output = model(input)")

        @functools.wraps(func)
        def run_in_region(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return run_in_region


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """Decorator for a custom autograd Function's ``forward``, as ``torch.amp.custom_fwd``:
    in tidu it calls ``forward`` unchanged (autocast casts nothing, so ``cast_inputs`` has
    nothing to undo).  Usable bare-with-keywords: ``@custom_fwd(device_type='cuda')``."""
    _check_device_type(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type: str):
    """Decorator for a custom autograd Function's ``backward``, as ``torch.amp.custom_bwd``:
    calls ``backward`` unchanged in tidu."""
    _check_device_type(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_optimizer_state() -> dict:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


class GradScaler:
    """``GradScaler(device='cuda', init_scale=2.**16, growth_factor=2.0, backoff_factor=0.5,
    growth_interval=2000, enabled=True)``: dynamic loss scaling, as ``torch.amp.GradScaler``.

    With scale S (float32, set at the first ``scale`` call) and growth tracker k:
    ``scale(y)`` = y·S; ``unscale_(opt)``: every gradient g ← g·fl32(1/S), noting whether any
    is inf/NaN; ``step(opt)`` unscales (unless done) and calls ``opt.step()`` only when no
    inf/NaN was found; ``update()``: after an inf/NaN S ← S·backoff_factor, k ← 0; else
    k ← k+1 and, when k reaches growth_interval, S ← S·growth_factor (kept only if finite),
    k ← 0.  As PyTorch, ``device='cuda'`` without a GPU warns and disables the scaler: then
    ``scale`` returns its input, ``step`` just calls ``opt.step()``, ``get_scale()`` is 1.0
    and ``state_dict()`` is empty.  Use ``device='cpu'`` to scale on the CPU.
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True):
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled and not _cuda_available():
            warnings.warn("GradScaler(device='cuda') is enabled, but CUDA is not available.  "
                          "Disabling.", stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None  # np.float32, set by the first scale()
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states: dict = {}

    # ------------------------------------------------------------------ helpers
    def _state_of(self, optimizer) -> dict:
        return self._per_optimizer_states.setdefault(id(optimizer), _fresh_optimizer_state())

    def _check_started(self, funcname: str) -> None:
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  This may indicate "
                                 f"your script did not use scaler.scale(loss or outputs) "
                                 f"earlier in the iteration.")

    def _lazy_init(self) -> None:
        if self._scale is None:
            self._scale = np.float32(self._init_scale)
            self._growth_tracker = int(self._init_growth_tracker)

    # ------------------------------------------------------------------ the iteration
    def scale(self, outputs):
        """``outputs`` (a tensor, or a list/tuple/iterable of them, nested) times the current
        scale; returned unchanged when the scaler is disabled."""
        if not self._enabled:
            return outputs
        self._lazy_init()
        factor = float(self._scale)

        def apply(value):
            if isinstance(value, Tensor):
                return value * factor
            if isinstance(value, (list, tuple)):
                return type(value)(apply(v) for v in value)
            if hasattr(value, "__iter__") and not isinstance(value, (str, bytes)):
                return map(apply, value)
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply(outputs)

    def unscale_(self, optimizer) -> None:
        """Multiply every gradient of ``optimizer``'s parameters, in place, by fl32(1/S) and
        note whether any is inf/NaN.  Optional before ``step`` (to clip unscaled gradients);
        once per optimizer per iteration."""
        if not self._enabled:
            return
        self._check_started("unscale_")
        state = self._state_of(optimizer)
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # the reciprocal in float64 then rounded to float32, as PyTorch
        inv_scale = np.float32(1.0 / np.float64(self._scale))
        state["found_inf_per_device"] = self._unscale_grads(optimizer, inv_scale)
        state["stage"] = OptState.UNSCALED

    @staticmethod
    def _unscale_grads(optimizer, inv_scale) -> dict:
        found: dict = {}
        for group in optimizer.param_groups:
            for param in group["params"]:
                if not isinstance(param, Tensor):
                    raise AssertionError(f"expected param to be torch.Tensor, got "
                                         f"{type(param).__name__}")
                if param.grad is None:
                    continue
                g = param.grad._data
                if g.dtype == np.float16:
                    raise ValueError("Attempting to unscale FP16 gradients.")
                bad = not bool(xp_of(g).isfinite(g).all())
                g *= g.dtype.type(inv_scale)
                device = device_of(g)
                found[device] = found.get(device, 0.0) or float(bad)
        return found

    def step(self, optimizer, *args, **kwargs):
        """Unscale (unless ``unscale_`` was called) and run ``optimizer.step(*args,
        **kwargs)`` when no gradient is inf/NaN, else skip it; returns what ``step``
        returned (None when skipped).  A ``closure`` is refused, as PyTorch."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_started("step")
        state = self._state_of(optimizer)
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if len(state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        result = None
        if not sum(state["found_inf_per_device"].values()):
            result = optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return result

    def update(self, new_scale=None) -> None:
        """Back off or grow the scale from this iteration's inf/NaN checks (see the class
        docstring), or set it to ``new_scale`` (a float, or a one-element tensor without
        grad).  Call once per iteration, after every ``step``."""
        if not self._enabled:
            return
        self._check_started("update")
        if new_scale is not None:
            self._set_scale(new_scale)
        else:
            flags = [flag for state in self._per_optimizer_states.values()
                     for flag in state["found_inf_per_device"].values()]
            if len(flags) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            self._update_scale(sum(flags) > 0)
        self._per_optimizer_states = {}

    def _set_scale(self, new_scale) -> None:
        if isinstance(new_scale, float):
            self._scale = np.float32(new_scale)
            return
        reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                  "torch.FloatTensor with requires_grad=False.")
        if (not isinstance(new_scale, Tensor) or new_scale.device.type != self._device
                or new_scale.numel() != 1 or new_scale.requires_grad):
            raise AssertionError(reason)
        self._scale = np.float32(new_scale.item())

    def _update_scale(self, found_inf: bool) -> None:
        # products in float64 rounded to the float32 scale, as PyTorch's kernel
        if found_inf:
            self._scale = np.float32(float(self._scale) * self._backoff_factor)
            self._growth_tracker = 0
            return
        successful = self._growth_tracker + 1
        if successful == self._growth_interval:
            with np.errstate(over="ignore"):
                grown = np.float32(float(self._scale) * self._growth_factor)
            if np.isfinite(grown):
                self._scale = grown
            self._growth_tracker = 0
        else:
            self._growth_tracker = successful

    # ------------------------------------------------------------------ queries and state
    def get_scale(self) -> float:
        """The current scale as a float (``init_scale`` before the first ``scale``), 1.0
        when disabled."""
        if not self._enabled:
            return 1.0
        return float(self._init_scale if self._scale is None else self._scale)

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict:
        """``{"scale", "growth_factor", "backoff_factor", "growth_interval",
        "_growth_tracker"}`` as Python numbers; ``{}`` when disabled (as PyTorch)."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a `state_dict` (a no-op when disabled; an empty dict is refused)."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale = np.float32(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker = int(state_dict["_growth_tracker"])

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the beginning "
                                     "of an iteration, or at the end after scaler.update().")
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


def deprecated_spellings(device: str, default_dtype) -> tuple:
    """PyTorch's deprecated ``torch.<device>.amp.autocast`` and ``GradScaler``: classes that
    warn (FutureWarning, with PyTorch's text) and forward to this module's for ``device``."""

    class autocast_(autocast):
        __doc__ = (f"``autocast(enabled=True, dtype={default_dtype!r}, cache_enabled=True)``: "
                   f"deprecated ``tidu.amp.autocast({device!r}, ...)``.")

        def __init__(self, enabled: bool = True, dtype=default_dtype, cache_enabled: bool = True):
            warnings.warn(f"`torch.{device}.amp.autocast(args...)` is deprecated. Please use "
                          f"`torch.amp.autocast('{device}', args...)` instead.", FutureWarning,
                          stacklevel=2)
            super().__init__(device, enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)

    class GradScaler_(GradScaler):
        __doc__ = (f"``GradScaler(init_scale=2.**16, growth_factor=2.0, backoff_factor=0.5, "
                   f"growth_interval=2000, enabled=True)``: deprecated "
                   f"``tidu.amp.GradScaler({device!r}, ...)``.")

        def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                     backoff_factor: float = 0.5, growth_interval: int = 2000,
                     enabled: bool = True):
            warnings.warn(f"`torch.{device}.amp.GradScaler(args...)` is deprecated. Please use "
                          f"`torch.amp.GradScaler('{device}', args...)` instead.", FutureWarning,
                          stacklevel=2)
            super().__init__(device, init_scale=init_scale, growth_factor=growth_factor,
                             backoff_factor=backoff_factor, growth_interval=growth_interval,
                             enabled=enabled)

    autocast_.__name__ = autocast_.__qualname__ = "autocast"
    GradScaler_.__name__ = GradScaler_.__qualname__ = "GradScaler"
    return autocast_, GradScaler_
