"""Lazy layers: `LazyLinear`, `LazyConv2d`, `LazyBatchNorm1d`, `LazyBatchNorm2d`, as PyTorch's.

A lazy layer is built without its input size.  Its parameters (and a batch norm's running
statistics) are `UninitializedParameter` placeholders until the first forward, which reads
the size from the input (``in_features = x.shape[-1]``, ``in_channels`` / ``num_features`` =
the channel dim), gives every placeholder its shape **in place** (the same Parameter object,
now of class `Parameter`), initializes it exactly as the ordinary layer does, and turns the
module into that layer: ``type(m) is nn.Linear`` afterwards (a ``__class__`` swap, as PyTorch).

Before the first forward (tidu's choices, documented):

* ``parameters()`` yields the `UninitializedParameter` objects.  Asking one for its values or
  shape (``shape``, ``size()``, ``numel()``, ``numpy()``, ``item()``, ``tolist()``) raises
  `UninitializedParameterError`, one line telling to run a forward pass (a dummy batch) first.
  Ops that read the raw array directly see an empty placeholder and fail with their own
  shape error.
* An optimizer may be built on them (as in PyTorch): since materialization keeps the same
  objects, it updates the real weights after the first forward.
* ``to(dtype)`` / ``to(device)`` / ``double()`` work and decide the dtype and device the
  parameters get.
* ``load_state_dict`` called on the lazy layer itself takes the shapes from the state dict
  (PyTorch's behaviour) and turns the layer into the ordinary one.  A model holding lazy
  layers must run one forward before *its* ``load_state_dict`` (tidu differs from PyTorch
  here); ``state_dict()`` before it lists empty placeholder arrays.
"""
from __future__ import annotations

import numpy as np

from ..._checks import check_size
from ...backend import xp_of
from ...errors import ShapeError, TiduError, shape_str
from ...tensor import get_default_dtype
from ..parameter import Parameter
from .conv import Conv2d
from .linear import Linear
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d

__all__ = ["UninitializedParameter", "UninitializedParameterError", "LazyLinear",
           "LazyConv2d", "LazyBatchNorm1d", "LazyBatchNorm2d"]


class UninitializedParameterError(TiduError, RuntimeError, ValueError):
    """A lazy layer's parameter was used before the first forward gave it a shape
    (PyTorch raises RuntimeError for its shape, ValueError in ops: this is both)."""


def _refuse(what):
    raise UninitializedParameterError(
        f"{what} of an uninitialized parameter (a lazy layer's, e.g. LazyLinear): run a "
        f"forward pass first (a dummy batch) so the layer infers its input size")


class UninitializedParameter(Parameter):
    """A `Parameter` without a shape yet: holds an empty placeholder array of the dtype and
    device it will get.  ``materialize(shape)`` gives it its shape in place (values
    uninitialized, as ``torch.empty``) and makes it a plain `Parameter`."""

    __slots__ = ()

    def __init__(self, requires_grad: bool = True, dtype=None):
        dtype = dtype or get_default_dtype()
        super().__init__(np.empty(0, dtype=dtype), requires_grad=requires_grad, dtype=dtype)

    def materialize(self, shape) -> None:
        self._data = xp_of(self._data).empty(tuple(shape), dtype=self._data.dtype)
        self.grad = None
        self.__class__ = Parameter

    @property
    def shape(self):
        _refuse("shape")

    def size(self, dim=None):
        _refuse("size()")

    def numel(self):
        _refuse("numel()")

    def numpy(self):
        _refuse("numpy()")

    def item(self):
        _refuse("item()")

    def tolist(self):
        _refuse("tolist()")

    def __repr__(self):
        return "<UninitializedParameter>"


def _shape(x) -> tuple:
    shape = getattr(x, "shape", None)
    return tuple(np.shape(x) if shape is None else shape)


class _LazyMixin:
    """First forward: infer the size, materialize, initialize, become ``cls_to_become``."""

    cls_to_become: type = Module

    def _finish_init(self) -> None:
        """End of __init__: every parameter and buffer becomes a placeholder."""
        for name, p in list(self._parameters.items()):
            if p is not None:
                setattr(self, name, UninitializedParameter(dtype=p._data.dtype))
        for name in ("running_mean", "running_var"):
            b = self._buffers.get(name)
            if b is not None:
                setattr(self, name, xp_of(b._data).empty(0, dtype=b._data.dtype))

    def has_uninitialized_params(self) -> bool:
        return any(isinstance(p, UninitializedParameter) for p in self._parameters.values())

    def reset_parameters(self) -> None:
        if not self.__dict__.get("_lazy_pending", True):
            super().reset_parameters()

    def _materialize(self, size: int) -> None:
        """Give every placeholder its shape for input size ``size`` and initialize it as
        the ordinary layer, then become it."""
        self._set_size(size)
        for name, p in self._parameters.items():
            if isinstance(p, UninitializedParameter):
                p.materialize(self._param_shape(name))
        for name in ("running_mean", "running_var"):
            b = self._buffers.get(name)
            if b is not None and b.shape != (size,):
                setattr(self, name, xp_of(b._data).empty(size, dtype=b._data.dtype))
        self.__dict__.pop("_lazy_pending", None)
        self.__class__ = self.cls_to_become
        self.reset_parameters()

    def forward(self, x, *args, **kwargs):
        self._materialize(self._infer_size(_shape(x)))
        return self.forward(x, *args, **kwargs)

    def load_state_dict(self, state_dict, strict: bool = True):
        """Load into the lazy layer itself: the weight's shape in ``state_dict`` decides the
        input size (as PyTorch), then the values are copied as usual."""
        weight = state_dict.get("weight") if hasattr(state_dict, "get") else None
        if self.has_uninitialized_params() and weight is not None:
            self._materialize(self._size_from_weight(_shape(weight)))
        elif self.has_uninitialized_params() and "running_mean" in state_dict:
            self._materialize(_shape(state_dict["running_mean"])[0])
        return Module.load_state_dict(self, state_dict, strict)


class LazyLinear(_LazyMixin, Linear):
    """`Linear` whose ``in_features`` is inferred from the first input's last dim.

    ``LazyLinear(out_features, bias=True, dtype=None)``; after the first forward it is a
    `Linear` (``type(m) is nn.Linear``) with W ~ U(−1/√in, 1/√in) and b likewise, as PyTorch.
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, dtype=None):
        object.__setattr__(self, "_lazy_pending", True)
        Linear.__init__(self, 0, out_features, bias=bias, dtype=dtype)
        self._finish_init()

    def _infer_size(self, shape):
        if not shape:
            raise ShapeError("LazyLinear: cannot infer in_features from a 0-d input")
        return shape[-1]

    def _set_size(self, size):
        self.in_features = int(size)

    def _param_shape(self, name):
        return (self.out_features, self.in_features) if name == "weight" else (self.out_features,)

    def _size_from_weight(self, shape):
        return shape[1] if len(shape) == 2 else 0


class LazyConv2d(_LazyMixin, Conv2d):
    """`Conv2d` whose ``in_channels`` is inferred from the first input (dim 1 of an (N, C, H,
    W) input, dim 0 of an unbatched (C, H, W) one).

    ``LazyConv2d(out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
    bias=True, padding_mode='zeros', dtype=None)``; after the first forward it is a `Conv2d`
    initialized as PyTorch (fan_in = in/groups · kH · kW).
    """

    cls_to_become = Conv2d

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", dtype=None):
        object.__setattr__(self, "_lazy_pending", True)
        g = groups if isinstance(groups, (int, np.integer)) and groups >= 1 else 1
        Conv2d.__init__(self, g, out_channels, kernel_size, stride, padding, dilation, groups,
                        bias, padding_mode, dtype)
        self.in_channels = 0
        self._finish_init()

    def _infer_size(self, shape):
        if len(shape) not in (3, 4):
            raise ShapeError(f"LazyConv2d: expected a 4-D input (N, C, H, W) or an unbatched "
                             f"3-D input (C, H, W) to infer in_channels, got shape "
                             f"{shape_str(shape)}")
        c = shape[-3]
        if c % self.groups:
            raise ShapeError(f"LazyConv2d: in_channels must be divisible by groups, got an "
                             f"input of shape {shape_str(shape)} ({c} channels), "
                             f"groups={self.groups}")
        return c

    def _set_size(self, size):
        self.in_channels = int(size)

    def _param_shape(self, name):
        if name == "weight":
            return (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        return (self.out_channels,)

    def _size_from_weight(self, shape):
        return shape[1] * self.groups if len(shape) == 4 else 0


class _LazyBatchNorm(_LazyMixin):
    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, dtype=None):
        object.__setattr__(self, "_lazy_pending", True)
        self.cls_to_become.__init__(self, 1, eps, momentum, affine, track_running_stats, dtype)
        self.num_features = 0
        self._finish_init()

    def has_uninitialized_params(self) -> bool:
        return self.num_features == 0

    def _infer_size(self, shape):
        if len(shape) not in self._dims:
            raise ShapeError(f"{type(self).__name__}: expected {self._dims_text} input to infer "
                             f"num_features, got shape {shape_str(shape)}")
        return shape[1]

    def _set_size(self, size):
        self.num_features = check_size(size, "num_features", type(self).__name__)

    def _param_shape(self, name):
        return (self.num_features,)

    def _size_from_weight(self, shape):
        return shape[0] if len(shape) == 1 else 0


class LazyBatchNorm1d(_LazyBatchNorm, BatchNorm1d):
    """`BatchNorm1d` whose ``num_features`` is inferred from the first input's dim 1.

    ``LazyBatchNorm1d(eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
    dtype=None)``; after the first forward it is a `BatchNorm1d` with γ = 1, β = 0, running
    mean 0 and variance 1 (that first forward already updates them, as PyTorch)."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm, BatchNorm2d):
    """`BatchNorm2d` whose ``num_features`` is inferred from the first (N, C, H, W) input's
    C; after the first forward it is a `BatchNorm2d` (see `LazyBatchNorm1d`)."""

    cls_to_become = BatchNorm2d
