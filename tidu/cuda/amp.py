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

autocast, GradScaler = _amp.deprecated_spellings("cuda", np.float16)


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
