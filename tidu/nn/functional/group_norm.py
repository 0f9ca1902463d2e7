"""Group and instance normalization (Wu & He 2018; Ulyanov et al. 2016), as
`torch.nn.functional.group_norm` / `instance_norm`:

    x̂ = (x − μ_g) / √(σ²_g + ε),   y = γ_c ⊙ x̂ + β_c

with μ_g, σ²_g the mean and biased variance of each sample's group g of C/G channels (all
their positions); instance norm is the case G = C (each channel of each sample on its own).
Unlike batch norm the statistics never mix samples, so training and eval agree.  Both are
`layer_norm` over a (N, G, C/G·…) view followed by the per-channel affine map, so they share
its fused backward.
"""
from __future__ import annotations

from ...errors import ArgumentError, ShapeError, shape_str
from ...tensor import Tensor
from .normalization import layer_norm

__all__ = ["group_norm", "instance_norm"]


def _channel_param(p, channels: int, op: str, what: str):
    if p is not None and tuple(p.shape) != (channels,):
        raise ShapeError(f"{op}: {what} must have shape ({channels},) (one per channel), got "
                         f"{shape_str(p.shape)}")


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize each sample's ``num_groups`` groups of channels (dim 1) of an (N, C, *)
    input; ``weight``/``bias`` of shape (C,).  Default eps = 1e-5, as PyTorch."""
    op = "group_norm"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a tidu.Tensor input, got {type(input).__name__}")
    if input.ndim < 2:
        raise ShapeError(f"{op}: expected an input (N, C, *) with at least 2 dims, got "
                         f"{shape_str(input.shape)}")
    n, c = input.shape[:2]
    if isinstance(num_groups, bool) or int(num_groups) != num_groups or num_groups < 1 \
            or c % num_groups:
        raise ArgumentError(f"{op}: num_groups must divide the {c} channels, got {num_groups!r}")
    _channel_param(weight, c, op, "weight")
    _channel_param(bias, c, op, "bias")
    g = int(num_groups)
    rest = input._data.size // (n * g) if n * g else 0
    out = layer_norm(input.reshape(n, g, rest), (rest,), eps=eps).reshape(input.shape)
    affine = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(affine)
    if bias is not None:
        out = out + bias.reshape(affine)
    return out


def instance_norm(input: Tensor, running_mean=None, running_var=None,
                  weight: Tensor | None = None, bias: Tensor | None = None,
                  use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
    """Normalize each channel of each sample of an (N, C, *) input over its positions.
    Running statistics (``track_running_stats`` in PyTorch's modules) are not implemented:
    ``running_mean``/``running_var`` must be None and ``use_input_stats`` True."""
    if running_mean is not None or running_var is not None or not use_input_stats:
        raise ArgumentError("instance_norm: running statistics are not implemented in tidu "
                            "(pass running_mean=None, running_var=None, use_input_stats=True)")
    if not isinstance(input, Tensor) or input.ndim < 2:
        got = shape_str(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise ShapeError(f"instance_norm: expected an input (N, C, *), got {got}")
    return group_norm(input, input.shape[1], weight, bias, eps)
