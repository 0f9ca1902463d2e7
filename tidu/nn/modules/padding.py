"""Padding layers, as PyTorch's: `ZeroPad`, `ConstantPad`, `ReflectionPad`, `ReplicationPad`
and `CircularPad` in 1-, 2- and 3-D, thin modules over `tidu.nn.functional.pad`.

``padding`` is an int (the same width on every side) or a tuple (left, right[, top, bottom
[, front, back]]) listing the last dim first, as `F.pad`.  No parameters."""
from __future__ import annotations

import numpy as np

from ...errors import ShapeError, shape_str
from .. import functional as F
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _widths(padding, dims: int) -> tuple:
    """An int repeated on both sides of ``dims`` dims, or the given sequence (PyTorch's
    ``_ntuple``, which passes any iterable through)."""
    if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        return (int(padding),) * (2 * dims)
    return tuple(padding)


class _PadNd(Module):
    dims = 0        # spatial dims padded
    mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _widths(padding, self.dims)

    def forward(self, input):
        if self.mode != "constant" and input.ndim not in (self.dims + 1, self.dims + 2):
            raise ShapeError(f"{type(self).__name__}: expected a {self.dims + 1}-D (unbatched) "
                             f"or {self.dims + 2}-D (batched) input, got shape "
                             f"{shape_str(input.shape)}")
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


_CONSTANT = ("Surround the input by ``value``: out = x inside, value in the borders; "
             "padding an int or (left, right{more}), as PyTorch.")
_ZERO = ("Surround the input by zeros; padding an int or (left, right{more}), as PyTorch.")
_REFLECT = ("Mirror the input at its edges without repeating the edge ([1 2 3] → 3 2 [1 2 3] 2 1; "
            "each width < that dim's size); padding an int or (left, right{more}).")
_REPLICATE = ("Repeat the edge values outward (1 1 [1 2 3] 3 3); padding an int or "
              "(left, right{more}).")
_CIRCULAR = ("Wrap the input around (2 3 [1 2 3] 1 2; each width ≤ that dim's size); padding an "
             "int or (left, right{more}).")
_MORE = {1: "", 2: ", top, bottom", 3: ", top, bottom, front, back"}
_INPUT = {1: "  Input (N, C, L) or (C, L).", 2: "  Input (N, C, H, W) or (C, H, W).",
          3: "  Input (N, C, D, H, W) or (C, D, H, W)."}


def _make(name: str, base, dims: int, mode: str, doc: str):
    cls = type(name, (base,), {"dims": dims, "mode": mode, "__module__": __name__,
                               "__doc__": doc.format(more=_MORE[dims]) + _INPUT[dims]})
    cls.__qualname__ = name
    return cls


ZeroPad1d = _make("ZeroPad1d", _ZeroPadNd, 1, "constant", _ZERO)
ZeroPad2d = _make("ZeroPad2d", _ZeroPadNd, 2, "constant", _ZERO)
ZeroPad3d = _make("ZeroPad3d", _ZeroPadNd, 3, "constant", _ZERO)
ConstantPad1d = _make("ConstantPad1d", _ConstantPadNd, 1, "constant", _CONSTANT)
ConstantPad2d = _make("ConstantPad2d", _ConstantPadNd, 2, "constant", _CONSTANT)
ConstantPad3d = _make("ConstantPad3d", _ConstantPadNd, 3, "constant", _CONSTANT)
ReflectionPad1d = _make("ReflectionPad1d", _PadNd, 1, "reflect", _REFLECT)
ReflectionPad2d = _make("ReflectionPad2d", _PadNd, 2, "reflect", _REFLECT)
ReflectionPad3d = _make("ReflectionPad3d", _PadNd, 3, "reflect", _REFLECT)
ReplicationPad1d = _make("ReplicationPad1d", _PadNd, 1, "replicate", _REPLICATE)
ReplicationPad2d = _make("ReplicationPad2d", _PadNd, 2, "replicate", _REPLICATE)
ReplicationPad3d = _make("ReplicationPad3d", _PadNd, 3, "replicate", _REPLICATE)
CircularPad1d = _make("CircularPad1d", _PadNd, 1, "circular", _CIRCULAR)
CircularPad2d = _make("CircularPad2d", _PadNd, 2, "circular", _CIRCULAR)
CircularPad3d = _make("CircularPad3d", _PadNd, 3, "circular", _CIRCULAR)
