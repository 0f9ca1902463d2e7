"""How a Tensor prints, and `set_printoptions` to change it (as torch.set_printoptions).

The body of ``repr(tensor)`` is ``numpy.array2string`` of the values with these options;
tidu.ops binds `tensor_repr` as ``Tensor.__repr__``."""
from __future__ import annotations

import math
import numbers
import sys

import numpy as np

from .backend import to_numpy
from .errors import ArgumentError

__all__ = ["set_printoptions", "get_printoptions", "tensor_repr"]

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_options = dict(_PROFILES["default"], sci_mode=None)


def _count(value, name, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < low:
        raise ArgumentError(f"set_printoptions: {name} must be a number ≥ {low}, got {value!r}")
    return value if value == math.inf else int(value)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """How tensors print, as torch.set_printoptions: ``precision`` digits after the point
    (default 4), ``threshold`` elements before the middle is summarized with '…' (1000),
    ``edgeitems`` shown at each end when summarized (3), ``linewidth`` characters per line
    (80), ``profile`` 'default', 'short' (precision 2, edgeitems 2) or 'full' (nothing
    summarized), ``sci_mode`` True (always scientific), False (never) or None (NumPy's
    choice).  A profile is applied first, then the explicit arguments."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ArgumentError(f"set_printoptions: profile must be one of "
                                f"{', '.join(_PROFILES)}, got {profile!r}")
        _options.update(_PROFILES[profile])
    for name, value, low in (("precision", precision, 0), ("threshold", threshold, 0),
                             ("edgeitems", edgeitems, 1), ("linewidth", linewidth, 1)):
        if value is not None:
            _options[name] = _count(value, name, low)
    if sci_mode is not None and not isinstance(sci_mode, bool):
        raise ArgumentError(f"set_printoptions: sci_mode must be True, False or None, got "
                            f"{sci_mode!r}")
    _options["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    """The current print options (a copy), as torch._tensor_str.get_printoptions."""
    return dict(_options)


def _body(arr: np.ndarray) -> str:
    p = _options["precision"]
    kwargs = {}
    if arr.dtype.kind == "f":
        if _options["sci_mode"] is True:
            kwargs["formatter"] = {"float_kind": lambda v: f"{v:.{p}e}"}
        elif _options["sci_mode"] is False:
            kwargs["suppress_small"] = True
            kwargs["floatmode"] = "fixed"
    threshold = _options["threshold"]
    return np.array2string(arr, precision=p, separator=", ", prefix="tensor(",
                           threshold=sys.maxsize if threshold == math.inf else threshold,
                           edgeitems=_options["edgeitems"], max_line_width=_options["linewidth"],
                           **kwargs)


def tensor_repr(self) -> str:
    """``tensor([...], dtype=…, device=…, requires_grad=True)`` with the print options."""
    from .tensor import _on_device  # noqa: PLC0415 - tensor imports the ops that bind this
    body = _body(to_numpy(self._data))
    extra = ", requires_grad=True" if self.requires_grad else ""
    if self._data.dtype != np.float32:
        extra = f", dtype={self._data.dtype}" + extra
    if _on_device(self._data):
        extra = f", device='{self.device}'" + extra
    return f"tensor({body}{extra})"
