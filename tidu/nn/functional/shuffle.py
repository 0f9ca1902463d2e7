"""Channel/space rearrangements, as PyTorch: `pixel_shuffle` (depth to space),
`pixel_unshuffle` (space to depth) and `channel_shuffle` (ShuffleNet).  Each is a reshape,
a permute and a reshape of tidu tensors, so the gradient is the inverse rearrangement."""
from __future__ import annotations

import numpy as np

from ...errors import ArgumentError, ShapeError, shape_str
from ...tensor import Tensor

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]


def _factor(value, name: str, who: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ArgumentError(f"{who} expects a positive {name}, but got {value!r}")
    return int(value)


def _at_least_3d(input, who: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 3:
        raise ShapeError(f"{who} expects input to have at least 3 dimensions, but got input "
                         f"with {input.ndim} dimension(s)")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r) with r = ``upscale_factor``, as
    `torch.nn.functional.pixel_shuffle`: out[..., c, h·r + i, w·r + j] =
    in[..., c·r² + i·r + j, h, w]."""
    who = "pixel_shuffle"
    r = _factor(upscale_factor, "upscale_factor", who)
    _at_least_3d(input, who)
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise ShapeError(f"{who} expects its input's 'channel' dimension to be divisible by the "
                         f"square of upscale_factor, but input.size(-3)={c} is not divisible "
                         f"by {r * r}")
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    perm = list(range(k)) + [k, k + 3, k + 1, k + 4, k + 2]
    return x.permute(*perm).reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H·r, W·r) → (*, C·r², H, W) with r = ``downscale_factor``, the inverse of
    `pixel_shuffle`, as `torch.nn.functional.pixel_unshuffle`."""
    who = "pixel_unshuffle"
    r = _factor(downscale_factor, "downscale_factor", who)
    _at_least_3d(input, who)
    *lead, c, h, w = input.shape
    for name, size, dim in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise ShapeError(f"{who} expects {name} to be divisible by downscale_factor, but "
                             f"input.size({dim})={size} is not divisible by {r}")
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    perm = list(range(k)) + [k, k + 2, k + 4, k + 1, k + 3]
    return x.permute(*perm).reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the channels of (N, C, *) input across ``groups``, as
    `torch.nn.functional.channel_shuffle`: view C as (groups, C/groups), transpose to
    (C/groups, groups), flatten; out channel j·groups + g = in channel g·(C/groups) + j."""
    who = "channel_shuffle"
    g = _factor(groups, "groups", who)
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim <= 2:
        raise ShapeError(f"{who} expects input with > 2 dims, but got input with sizes "
                         f"{shape_str(input.shape)}")
    n, c, *rest = input.shape
    if c % g:
        raise ShapeError(f"{who}: number of channels must be divisible by groups. Got {c} "
                         f"channels and {g} groups.")
    x = input.reshape(n, g, c // g, *rest)
    return x.transpose(1, 2).reshape(n, c, *rest)
