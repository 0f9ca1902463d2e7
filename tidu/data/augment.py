"""Data augmentation for batches of images, ``(N, C, H, W)`` or ``(N, H, W)``.

Each transform draws its random parameters for the whole batch at once (one flip decision,
crop offset or angle per image, as arrays) and applies them with vectorized indexing — no
Python loop over the images.  Randomness comes from the transform's own
``np.random.Generator`` when ``seed`` is given (an int or a Generator), otherwise from tidu's
global generator at call time (so ``tidu.manual_seed`` fixes it).  Transforms with their own
generator expose it through ``state_dict()`` / ``load_state_dict()`` for checkpoints.

Inputs are NumPy arrays or tidu tensors; the output has the input's kind and shape (and its
dtype, except that integer images become float where values are interpolated or noised).
Used with ``DataLoader(..., transform=Compose([...]))`` they augment each training batch.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import random as _random
from ..errors import ShapeError, shape_str
from ..tensor import Tensor, get_default_dtype
from .loader import make_generator
from .validation import as_array

__all__ = ["Transform", "Compose", "RandomHorizontalFlip", "RandomCrop", "RandomRotation",
           "GaussianNoise"]


class Transform:
    """Base class: seeding, the NCHW / NHW layout check, array-or-tensor in and out."""

    image_only = True  # needs a (N, C, H, W) or (N, H, W) batch

    def __init__(self, seed=None):
        self.generator = None if seed is None else make_generator(seed, type(self).__name__)

    @property
    def rng(self) -> np.random.Generator:
        return self.generator if self.generator is not None else _random.generator()

    def __call__(self, x):
        arr = as_array(x, f"{type(self).__name__}: input")
        if self.image_only and arr.ndim not in (3, 4):
            raise ShapeError(f"{type(self).__name__}: expected a batch of images (N, C, H, W) or "
                             f"(N, H, W), got shape {shape_str(arr.shape)}")
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{type(self).__name__}: expected numeric images, got dtype "
                            f"{arr.dtype}")
        out = self._apply(arr, self.rng)
        return Tensor._wrap(out) if isinstance(x, Tensor) else out

    def _apply(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """The own generator's state (empty when the global generator is used)."""
        return {} if self.generator is None else {"rng_state": self.generator.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        if "rng_state" in state:
            if self.generator is None:
                raise ValueError(f"{type(self).__name__}.load_state_dict: the state holds a "
                                 f"generator but this transform uses the global one (seed=None)")
            self.generator.bit_generator.state = state["rng_state"]


def _float(x: np.ndarray) -> np.ndarray:
    return x if x.dtype.kind == "f" else x.astype(get_default_dtype())


class Compose(Transform):
    """Apply ``transforms`` in order: ``Compose([RandomCrop(8, 1), RandomHorizontalFlip()])``."""

    image_only = False

    def __init__(self, transforms):
        super().__init__(None)
        self.transforms = list(transforms)
        for i, t in enumerate(self.transforms):
            if not callable(t):
                raise TypeError(f"Compose: transform {i} is not callable: {t!r}")

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def state_dict(self) -> dict:
        return {str(i): t.state_dict() for i, t in enumerate(self.transforms)
                if hasattr(t, "state_dict")}

    def load_state_dict(self, state: dict) -> None:
        for i, t in enumerate(self.transforms):
            if str(i) in state and hasattr(t, "load_state_dict"):
                t.load_state_dict(state[str(i)])

    def __repr__(self) -> str:
        return "Compose([" + ", ".join(repr(t) for t in self.transforms) + "])"


class RandomHorizontalFlip(Transform):
    """Mirror each image left–right (reverse the W axis) with probability ``p`` (default 0.5,
    torchvision's); one Bernoulli(p) draw per image."""

    def __init__(self, p: float = 0.5, seed=None):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        super().__init__(seed)
        self.p = float(p)

    def _apply(self, x, rng):
        flip = rng.random(x.shape[0]) < self.p
        out = x.copy()
        out[flip] = x[flip][..., ::-1]
        return out

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


def _pair(v, what: str, owner: str) -> tuple:
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return int(v), int(v)
    if isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(a, numbers.Integral)
                                                            for a in v):
        return int(v[0]), int(v[1])
    raise TypeError(f"{owner}: {what} must be an int or a pair of ints, got {v!r}")


class RandomCrop(Transform):
    """Pad each image by ``padding`` pixels of ``fill`` on every side (default 0, no padding),
    then cut a ``size`` (int or (h, w)) window at an offset drawn uniformly per image:

        out[n, :, a, b] = padded[n, :, iₙ + a, jₙ + b],  iₙ ~ U{0..H+2p−h}, jₙ ~ U{0..W+2p−w}

    With ``size`` equal to the image size and ``padding`` p, this is the classic
    "translate by up to p pixels" augmentation (torchvision's RandomCrop(size, padding)).
    """

    def __init__(self, size, padding=0, fill: float = 0.0, seed=None):
        super().__init__(seed)
        self.size = _pair(size, "size", "RandomCrop")
        self.padding = _pair(padding, "padding", "RandomCrop")
        if min(self.size) < 1 or min(self.padding) < 0:
            raise ValueError(f"RandomCrop: size must be ≥ 1 and padding ≥ 0, got size="
                             f"{self.size}, padding={self.padding}")
        self.fill = fill

    def _apply(self, x, rng):
        four = x if x.ndim == 4 else x[:, None]
        n, c, height, width = four.shape
        ph, pw = self.padding
        h, w = self.size
        if h > height + 2 * ph or w > width + 2 * pw:
            raise ShapeError(f"RandomCrop: crop {h}×{w} is larger than the padded image "
                             f"{height + 2 * ph}×{width + 2 * pw}")
        if ph or pw:
            four = np.pad(four, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=self.fill)
        top = rng.integers(0, four.shape[2] - h + 1, size=n)
        left = rng.integers(0, four.shape[3] - w + 1, size=n)
        rows = (top[:, None] + np.arange(h))[:, None, :, None]     # (N, 1, h, 1)
        cols = (left[:, None] + np.arange(w))[:, None, None, :]    # (N, 1, 1, w)
        out = four[np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None],
                   rows, cols]
        return out if x.ndim == 4 else out[:, 0]

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomRotation(Transform):
    r"""Rotate each image about its centre by an angle θₙ drawn uniformly from
    ``[-degrees, degrees]`` (or from ``degrees = (lo, hi)``), counter-clockwise for θ > 0
    (torchvision's convention; θ = 90° on a square image is ``np.rot90``).

    Each output pixel (r, c) takes the bilinear interpolation of the input at the inversely
    rotated point, with (c_y, c_x) = ((H−1)/2, (W−1)/2):

        c_src = c_x + (c − c_x)·cos θ − (r − c_y)·sin θ
        r_src = c_y + (c − c_x)·sin θ + (r − c_y)·cos θ

    and pixels outside the image count as ``fill`` (scipy.ndimage's ``order=1,
    mode='grid-constant'``; torchvision defaults to nearest-neighbour instead).  Vectorized
    over the batch: one gather per bilinear corner for all images and angles at once.
    """

    def __init__(self, degrees, fill: float = 0.0, seed=None):
        super().__init__(seed)
        if isinstance(degrees, numbers.Real):
            if degrees < 0:
                raise ValueError(f"RandomRotation: degrees must be ≥ 0, got {degrees}")
            degrees = (-float(degrees), float(degrees))
        lo, hi = (float(d) for d in degrees)
        if lo > hi:
            raise ValueError(f"RandomRotation: degrees range must have lo ≤ hi, got {(lo, hi)}")
        self.degrees = (lo, hi)
        self.fill = fill

    def _apply(self, x, rng):
        angles = rng.uniform(self.degrees[0], self.degrees[1], size=x.shape[0])
        return rotate(x, angles, fill=self.fill)

    def __repr__(self) -> str:
        return f"RandomRotation(degrees={self.degrees})"


def rotate(x: np.ndarray, angles, fill: float = 0.0) -> np.ndarray:
    """Rotate image ``x[n]`` by ``angles[n]`` degrees (counter-clockwise), bilinear; see
    `RandomRotation`.  ``x`` is (N, C, H, W) or (N, H, W)."""
    x = _float(np.asarray(x))
    four = x if x.ndim == 4 else x[:, None]
    n, c, height, width = four.shape
    theta = np.deg2rad(np.broadcast_to(np.asarray(angles, dtype=np.float64), (n,)))
    cos, sin = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
    dy = (np.arange(height) - (height - 1) / 2)[None, :, None]
    dx = (np.arange(width) - (width - 1) / 2)[None, None, :]
    src_c = (width - 1) / 2 + dx * cos - dy * sin                   # (N, H, W)
    src_r = (height - 1) / 2 + dx * sin + dy * cos
    for src in (src_r, src_c):  # snap round-off (cos 90° ≈ 6e-17) onto the pixel grid
        near = np.rint(src)
        np.copyto(src, near, where=np.abs(src - near) < 1e-9)
    r0, c0 = np.floor(src_r), np.floor(src_c)
    fr, fc = (src_r - r0).astype(x.dtype), (src_c - c0).astype(x.dtype)
    r0, c0 = r0.astype(np.intp), c0.astype(np.intp)
    batch = np.arange(n)[:, None, None, None]
    channel = np.arange(c)[None, :, None, None]
    fill = np.asarray(fill, dtype=x.dtype)
    out = np.zeros_like(four)
    for dr, wr in ((0, 1 - fr), (1, fr)):
        for dc, wc in ((0, 1 - fc), (1, fc)):
            rr, cc = r0 + dr, c0 + dc
            inside = (rr >= 0) & (rr < height) & (cc >= 0) & (cc < width)
            values = four[batch, channel, np.clip(rr, 0, height - 1)[:, None],
                          np.clip(cc, 0, width - 1)[:, None]]
            out += (wr * wc)[:, None] * np.where(inside[:, None], values, fill)
    return out if x.ndim == 4 else out[:, 0]


class GaussianNoise(Transform):
    """Add independent noise ε ~ N(mean, std²) to every element (defaults std=0.1, mean=0):
    ``x' = x + ε``.  Works on any shape (images or feature vectors)."""

    image_only = False

    def __init__(self, std: float = 0.1, mean: float = 0.0, seed=None):
        if std < 0:
            raise ValueError(f"GaussianNoise: std must be ≥ 0, got {std}")
        super().__init__(seed)
        self.std, self.mean = float(std), float(mean)

    def _apply(self, x, rng):
        x = _float(x)
        noise = rng.standard_normal(x.shape, dtype=x.dtype if x.dtype in (np.float32, np.float64)
                                    else np.float64)
        noise *= self.std
        noise += self.mean
        return x + noise.astype(x.dtype, copy=False)

    def __repr__(self) -> str:
        return f"GaussianNoise(std={self.std}, mean={self.mean})"
