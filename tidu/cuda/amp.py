"""``torch.cuda.amp``: PyTorch's deprecated spellings of `tidu.amp` for the 'cuda' device.

Each warns (FutureWarning, as PyTorch) and forwards: ``GradScaler(...)`` is
``tidu.amp.GradScaler('cuda', ...)`` and ``autocast(...)`` is ``tidu.amp.autocast('cuda',
...)`` — so without a GPU both warn that CUDA is unavailable and disable themselves.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import amp as _amp

__all__ = ["autocast", "custom_bwd", "custom_fwd", "GradScaler"]


class autocast(_amp.autocast):
    """``autocast(enabled=True, dtype=float16, cache_enabled=True)``: deprecated
    ``tidu.amp.autocast('cuda', ...)`` (which casts nothing in tidu)."""

    def __init__(self, enabled: bool = True, dtype=np.float16, cache_enabled: bool = True):
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``GradScaler(init_scale=2.**16, growth_factor=2.0, backoff_factor=0.5,
    growth_interval=2000, enabled=True)``: deprecated ``tidu.amp.GradScaler('cuda', ...)``."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True):
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval,
                         enabled=enabled)


def custom_fwd(fwd=None, *, cast_inputs=None):
    """Deprecated ``tidu.amp.custom_fwd(fwd, device_type='cuda')``: returns ``forward``."""
    warnings.warn("`torch.cuda.amp.custom_fwd(args...)` is deprecated. Please use "
                  "`torch.amp.custom_fwd(args..., device_type='cuda')` instead.", FutureWarning,
                  stacklevel=2)
    return _amp.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd=None):
    """Deprecated ``tidu.amp.custom_bwd(bwd, device_type='cuda')``: returns ``backward``."""
    warnings.warn("`torch.cuda.amp.custom_bwd(args...)` is deprecated. Please use "
                  "`torch.amp.custom_bwd(args..., device_type='cuda')` instead.", FutureWarning,
                  stacklevel=2)
    return _amp.custom_bwd(bwd, device_type="cuda")
