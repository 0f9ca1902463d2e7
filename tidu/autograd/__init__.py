"""`tidu.autograd`: grad-mode switches, anomaly detection, custom `Function`s,
`gradcheck` and `gradgradcheck`, `backward` over several roots and the legacy `Variable`,
as `torch.autograd` (Function and gradcheck live in `tidu.autograd_function`).

``with tidu.autograd.detect_anomaly():`` checks, while it is on, every op's forward result
and every backward function's gradients; the first NaN/±inf raises `AnomalyError` naming
the op (its forward function: ``log``, ``div``, ``cross_entropy``), its input shapes and
dtypes, the phase (forward or backward) and where the op was created (the line of user
code, and the module whose ``forward`` ran it).  It is slow — a check per op and a stack
walk per recorded node — and meant for debugging, as PyTorch's; with it off, ops cost what
they always did.
"""
from __future__ import annotations

import functools
import warnings

from ..autograd_function import (Function, FunctionCtx, GradcheckError, gradcheck,
                                once_differentiable)
from ..errors import AnomalyError
from . import functional
from ..tensor import (enable_grad, grad, inference_mode, is_anomaly_check_nan_enabled,
                      is_anomaly_enabled, is_grad_enabled, no_grad, set_anomaly_enabled,
                      set_grad_enabled)
from .backward_api import backward
from .gradgradcheck import gradgradcheck
from .variable import Variable

__all__ = ["AnomalyError", "Function", "FunctionCtx", "GradcheckError", "detect_anomaly", "grad",
           "enable_grad", "functional", "gradcheck", "is_anomaly_check_nan_enabled", "is_anomaly_enabled",
           "is_grad_enabled", "no_grad", "once_differentiable", "set_detect_anomaly",
           "Variable", "backward", "gradgradcheck", "inference_mode", "set_grad_enabled"]


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on, as
    `torch.autograd.detect_anomaly`.  ``check_nan=False`` records the op names and sites but
    raises nothing.  Warns on construction (as PyTorch) because it slows every op."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = bool(check_nan)
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the "
                      "runtime and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._prev = (is_anomaly_enabled(), is_anomaly_check_nan_enabled())
        set_anomaly_enabled(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        set_anomaly_enabled(*self._prev)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Set anomaly detection on or off, as `torch.autograd.set_detect_anomaly`: it takes
    effect at once, and used as a context manager it restores the previous mode on exit."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self._prev = (is_anomaly_enabled(), is_anomaly_check_nan_enabled())
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        set_anomaly_enabled(*self._prev)

