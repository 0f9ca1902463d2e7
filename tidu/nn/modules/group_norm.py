"""`GroupNorm` and `InstanceNorm1d/2d/3d` (math in tidu.nn.functional.group_norm), with
PyTorch's parameter names and defaults so a PyTorch state_dict loads unchanged."""
from __future__ import annotations

import numpy as np

from ..._checks import check_number, check_size
from ...errors import ArgumentError, ShapeError, shape_str
from ...tensor import get_default_dtype
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


def _affine_params(module, channels: int, affine: bool, dtype) -> None:
    dtype = dtype or get_default_dtype()
    if affine:
        module.weight = Parameter(np.ones(channels, dtype=dtype), dtype=dtype)
        module.bias = Parameter(np.zeros(channels, dtype=dtype), dtype=dtype)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def _reset(module) -> None:
    if module.weight is not None:
        init.ones_(module.weight)
        init.zeros_(module.bias)


class GroupNorm(Module):
    """Normalize each sample's ``num_groups`` groups of the ``num_channels`` channels:
    y = (x − μ_g)/√(σ²_g + eps) · γ + β, γ, β of shape (C,).  Defaults eps=1e-5, affine=True
    (γ = 1, β = 0), as PyTorch.  Same in training and eval."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, dtype=None):
        super().__init__()
        self.num_groups = check_size(num_groups, "num_groups", "GroupNorm")
        self.num_channels = check_size(num_channels, "num_channels", "GroupNorm")
        if self.num_channels % self.num_groups:
            raise ArgumentError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                                f"num_groups ({num_groups})")
        check_number(eps, "eps", "GroupNorm")
        self.eps, self.affine = eps, affine
        _affine_params(self, self.num_channels, affine, dtype)

    def reset_parameters(self) -> None:
        _reset(self)

    def forward(self, x):
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ShapeError(f"{self!r}: expected an input (N, {self.num_channels}, *), got "
                             f"{shape_str(x.shape)}")
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class _InstanceNorm(Module):
    """Normalize each channel of each sample over its positions: y = (x − μ)/√(σ² + eps)·γ + β.
    Defaults eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, as PyTorch;
    running statistics (track_running_stats=True) are not implemented in tidu.  An input
    without the batch dim (C, *) is taken as one sample, as PyTorch."""

    dims = 0  # spatial dims of a batched input

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, dtype=None):
        super().__init__()
        who = type(self).__name__
        if track_running_stats:
            raise ArgumentError(f"{who}: track_running_stats=True (running statistics) is not "
                                f"implemented in tidu; use the default False")
        self.num_features = check_size(num_features, "num_features", who)
        check_number(eps, "eps", who)
        self.eps, self.momentum, self.affine = eps, momentum, affine
        self.track_running_stats = False
        _affine_params(self, self.num_features, affine, dtype)
        for name in ("running_mean", "running_var", "num_batches_tracked"):  # None, as torch's
            self.register_buffer(name, None)

    def reset_parameters(self) -> None:
        _reset(self)

    def forward(self, x):
        batched = x.ndim == self.dims + 2
        if not batched and x.ndim != self.dims + 1:
            raise ShapeError(f"{self!r}: expected a {self.dims + 2}-D (batched) or "
                             f"{self.dims + 1}-D (unbatched) input, got {shape_str(x.shape)}")
        xb = x if batched else x.unsqueeze(0)
        if xb.shape[1] != self.num_features:
            raise ShapeError(f"{self!r}: expected {self.num_features} channels in dim "
                             f"{1 if batched else 0}, got shape {shape_str(x.shape)}")
        out = F.instance_norm(xb, weight=self.weight, bias=self.bias, eps=self.eps)
        return out if batched else out.squeeze(0)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats=False")


class InstanceNorm1d(_InstanceNorm):
    __doc__ = _InstanceNorm.__doc__ + "  Input (N, C, L) or (C, L)."
    dims = 1


class InstanceNorm2d(_InstanceNorm):
    __doc__ = _InstanceNorm.__doc__ + "  Input (N, C, H, W) or (C, H, W)."
    dims = 2


class InstanceNorm3d(_InstanceNorm):
    __doc__ = _InstanceNorm.__doc__ + "  Input (N, C, D, H, W) or (C, D, H, W)."
    dims = 3
