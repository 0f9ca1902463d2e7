"""``torch.cpu.amp``: PyTorch's deprecated spellings of `tidu.amp` for the 'cpu' device.

Each warns (FutureWarning, as PyTorch) and forwards: ``GradScaler(...)`` is
``tidu.amp.GradScaler('cpu', ...)`` (working loss scaling) and ``autocast(...)`` is
``tidu.amp.autocast('cpu', ...)`` (which casts nothing in tidu).
"""
from __future__ import annotations

import warnings

from .. import amp as _amp

__all__ = ["autocast", "GradScaler"]


class autocast(_amp.autocast):
    """``autocast(enabled=True, dtype='bfloat16', cache_enabled=True)``: deprecated
    ``tidu.amp.autocast('cpu', ...)``."""

    def __init__(self, enabled: bool = True, dtype="bfloat16", cache_enabled: bool = True):
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``GradScaler(init_scale=2.**16, growth_factor=2.0, backoff_factor=0.5,
    growth_interval=2000, enabled=True)``: deprecated ``tidu.amp.GradScaler('cpu', ...)``."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True):
        warnings.warn("`torch.cpu.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cpu', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cpu", init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval,
                         enabled=enabled)
