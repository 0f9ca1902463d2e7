"""``skip_init``: build a module without caring about its initial parameter values."""
from __future__ import annotations

import inspect

from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` whose parameters and buffers the caller promises to
    overwrite, as torch.nn.utils.skip_init (which builds on the meta device and allocates
    uninitialized memory).  tidu has no meta device: the module is built normally and its
    values are simply unspecified to the caller.  A ``device=`` keyword the class does not
    take is applied afterwards with ``.to(device)``.  RuntimeError unless ``module_cls`` is a
    `Module` subclass (as PyTorch)."""
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    device = None
    if "device" in kwargs and "device" not in inspect.signature(module_cls.__init__).parameters:
        device = kwargs.pop("device")
    module = module_cls(*args, **kwargs)
    return module if device is None else module.to(device)
