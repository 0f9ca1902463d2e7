"""torch's process-wide switches that tidu keeps for code that sets or reads them:
float32 matmul precision, flush-denormal, warn-always, anomaly mode, inter-op threads and
the inference-mode query.  NumPy has no such knobs, so most only store their value."""
from __future__ import annotations

import numbers
import warnings

from ..errors import ArgumentError
from ..tensor import _grad_mode, is_anomaly_enabled, set_anomaly_enabled

__all__ = ["set_float32_matmul_precision", "get_float32_matmul_precision", "set_flush_denormal",
           "set_warn_always", "is_warn_always_enabled", "set_anomaly_enabled",
           "is_anomaly_enabled", "get_num_interop_threads", "set_num_interop_threads",
           "is_inference_mode_enabled"]

_PRECISIONS = ("highest", "high", "medium")
_settings = {"matmul_precision": "highest", "warn_always": False, "interop_threads": None}


def set_float32_matmul_precision(precision: str) -> None:
    """Store the float32 matmul precision: 'highest' (default), 'high' or 'medium'.  tidu's
    NumPy matmuls are always full float32, so this is recorded only.  Another string warns
    and changes nothing, as PyTorch."""
    if not isinstance(precision, str):
        raise TypeError(f"set_float32_matmul_precision: precision must be a str, got "
                        f"{type(precision).__name__}")
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      f"set_float32_matmul_precision call has no effect.", UserWarning, stacklevel=2)
        return
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """The value last set by `set_float32_matmul_precision` ('highest' by default)."""
    return _settings["matmul_precision"]


def set_flush_denormal(mode: bool) -> bool:
    """Whether flushing denormal floats to zero could be switched: always False here (NumPy
    exposes no FTZ/DAZ control; PyTorch returns True on x86 CPUs with SSE3)."""
    if not isinstance(mode, bool):
        raise TypeError(f"set_flush_denormal: mode must be a bool, got {type(mode).__name__}")
    return False


def set_warn_always(b: bool, /) -> None:
    """Make warnings that appear once per process appear every time (default False)."""
    _settings["warn_always"] = bool(b)


def is_warn_always_enabled() -> bool:
    """Whether `set_warn_always(True)` is in force."""
    return _settings["warn_always"]


def get_num_interop_threads() -> int:
    """Threads for inter-op parallelism: the value set, else the number of CPUs (tidu runs
    ops one after another, so this is recorded only)."""
    if _settings["interop_threads"] is None:
        from ..runtime_settings import get_num_threads  # noqa: PLC0415 - threadpoolctl is heavy
        return get_num_threads()
    return _settings["interop_threads"]


def set_num_interop_threads(num: int) -> None:
    """Record the number of inter-op threads (a positive int)."""
    if isinstance(num, bool) or not isinstance(num, numbers.Integral) or num <= 0:
        raise ArgumentError(f"set_num_interop_threads: Expected positive number of threads, got {num!r}")
    _settings["interop_threads"] = int(num)


def is_inference_mode_enabled() -> bool:
    """Whether a `tidu.inference_mode()` block is active."""
    return _grad_mode.inference
