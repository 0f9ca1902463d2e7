"""``torch.cpu.amp``: PyTorch's deprecated spellings of `tidu.amp` for the 'cpu' device.

Each warns (FutureWarning, as PyTorch) and forwards: ``GradScaler(...)`` is
``tidu.amp.GradScaler('cpu', ...)`` (working loss scaling) and ``autocast(...)`` is
``tidu.amp.autocast('cpu', ...)`` (which casts nothing in tidu).
"""
from __future__ import annotations

from .. import amp as _amp

__all__ = ["autocast", "GradScaler"]

autocast, GradScaler = _amp.deprecated_spellings("cpu", "bfloat16")
