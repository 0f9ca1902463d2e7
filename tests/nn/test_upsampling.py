"""F.interpolate and the Upsample modules against PyTorch, float64 (values and gradients)."""
import warnings

import numpy as np
import pytest
import torch

import tidu
import tidu.nn as nn
import tidu.nn.functional as F
from tests.oracle import assert_close, compare_fn, compare_module
from tidu.errors import DTypeError

rng = np.random.default_rng(5)
X3 = rng.normal(size=(2, 3, 5))
X4 = rng.normal(size=(2, 2, 4, 5))
TF = torch.nn.functional


CASES = [
    (X3, dict(size=9, mode="nearest")), (X3, dict(size=3, mode="nearest")),
    (X3, dict(scale_factor=2, mode="nearest")), (X3, dict(scale_factor=1.7, mode="nearest")),
    (X3, dict(size=7, mode="nearest-exact")), (X3, dict(scale_factor=0.6, mode="nearest-exact")),
    (X3, dict(size=8, mode="linear")), (X3, dict(size=3, mode="linear", align_corners=True)),
    (X3, dict(scale_factor=2.5, mode="linear")), (X3, dict(size=1, mode="linear", align_corners=True)),
    (X3, dict(scale_factor=1.3, mode="linear", recompute_scale_factor=True)),
    (X3, dict(size=4, mode="area")), (X3, dict(scale_factor=0.5, mode="area")),
    (X4, dict(size=(7, 3), mode="nearest")), (X4, dict(scale_factor=(2, 3), mode="nearest")),
    (X4, dict(size=(5, 9), mode="nearest-exact")), (X4, dict(scale_factor=1.5, mode="nearest-exact")),
    (X4, dict(size=(8, 7), mode="bilinear")), (X4, dict(size=(3, 2), mode="bilinear")),
    (X4, dict(size=(7, 11), mode="bilinear", align_corners=True)),
    (X4, dict(scale_factor=(1.5, 0.7), mode="bilinear")),
    (X4, dict(scale_factor=2, mode="bilinear", align_corners=True)),
    (X4, dict(size=(2, 3), mode="area")),
]


@pytest.mark.parametrize("x, kwargs", CASES, ids=[str(k) for _, k in CASES])
def test_interpolate_matches_torch(x, kwargs):
    compare_fn(lambda t: F.interpolate(t, **kwargs), lambda t: TF.interpolate(t, **kwargs), x)


def test_nearest_float32_index_rounding_and_integer_input():
    # sizes where PyTorch's float32 source index differs from the float64 one
    cases = [(2, dict(size=41), "nearest-exact"), (6, dict(size=74), "nearest"),
             (31, dict(scale_factor=1.1), "nearest"), (16, dict(scale_factor=2.2), "nearest"),
             (2, dict(size=41), "nearest-exact"), (6, dict(size=37), "nearest-exact"),
             (7, dict(size=10), "nearest"), (10, dict(size=3), "nearest-exact")]
    for (n, kw, mode), dtype in [(c, d) for c in cases for d in (np.float64, np.float32)]:
        x = np.arange(n, dtype=dtype).reshape(1, 1, n)
        ours = F.interpolate(tidu.tensor(x), mode=mode, **kw)
        theirs = TF.interpolate(torch.from_numpy(x), mode=mode, **kw)
        np.testing.assert_array_equal(ours.cpu().numpy(), theirs.numpy())
    xi = np.arange(12).reshape(1, 1, 3, 4)
    ours = F.interpolate(tidu.tensor(xi), scale_factor=2)
    np.testing.assert_array_equal(ours.cpu().numpy(),
                                  TF.interpolate(torch.from_numpy(xi).to(torch.uint8),
                                                 scale_factor=2).numpy())


def test_float32_bilinear_close():
    x = rng.normal(size=(1, 2, 5, 6)).astype(np.float32)
    ours = F.interpolate(tidu.tensor(x), size=(9, 4), mode="bilinear")
    theirs = TF.interpolate(torch.from_numpy(x), size=(9, 4), mode="bilinear")
    assert ours.dtype == tidu.float32
    assert_close(ours, theirs, "float32 bilinear", rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make, x", [
    (lambda lib: lib.nn.Upsample(scale_factor=2), X4),
    (lambda lib: lib.nn.Upsample(size=7, mode="linear", align_corners=True), X3),
    (lambda lib: lib.nn.Upsample(size=(6, 3), mode="bilinear"), X4),
    (lambda lib: lib.nn.UpsamplingNearest2d(scale_factor=3), X4),
    (lambda lib: lib.nn.UpsamplingBilinear2d(size=(5, 8)), X4),
])
def test_modules(make, x):
    ours, theirs = make(tidu), make(torch)
    compare_module(ours, theirs, x)
    assert repr(ours) == repr(theirs)


def test_upsample_attributes_and_repr():
    u = nn.Upsample(scale_factor=(2, 3), mode="bilinear")
    assert u.scale_factor == (2.0, 3.0) and u.align_corners is None and u.size is None
    assert repr(u) == repr(torch.nn.Upsample(scale_factor=(2, 3), mode="bilinear"))
    assert repr(nn.UpsamplingBilinear2d(scale_factor=2)) == \
        "UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')"
    assert nn.UpsamplingBilinear2d(4).align_corners is True


def test_refusals():
    x3, x4 = tidu.tensor(X3), tidu.tensor(X4)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x3, size=4, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x3)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x3, size=4, align_corners=True)
    with pytest.raises(ValueError, match="not meaningful with an explicit size"):
        F.interpolate(x3, size=4, recompute_scale_factor=True)
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x4, size=(3, 4, 5))
    with pytest.raises(TypeError, match="expected size to be an int"):
        F.interpolate(x4, size=(3, 4.0))
    with pytest.raises(NotImplementedError, match="Got 4D input, but linear mode needs 3D"):
        F.interpolate(x4, size=3, mode="linear")
    with pytest.raises(NotImplementedError, match="Got 3D input, but bilinear mode needs 4D"):
        F.interpolate(x3, size=3, mode="bilinear")
    with pytest.raises(NotImplementedError, match="mode='bicubic' is not implemented"):
        F.interpolate(x4, size=3, mode="bicubic")
    with pytest.raises(NotImplementedError, match="antialias=True"):
        F.interpolate(x4, size=3, mode="bilinear", antialias=True)
    with pytest.raises(NotImplementedError, match=r"3-D \(N, C, L\) and 4-D"):
        F.interpolate(tidu.zeros(1, 1, 2, 2, 2), size=3)
    with pytest.raises(NotImplementedError, match="'cubic'"):
        F.interpolate(x3, size=3, mode="cubic")
    with pytest.raises(DTypeError, match="float input"):
        F.interpolate(tidu.tensor(np.arange(6).reshape(1, 2, 3)), size=5, mode="linear")


def test_deprecated_aliases_warn_and_match():
    x = X4[:1]
    for ours, theirs, kw in [(F.upsample, TF.upsample, dict(size=(5, 7), mode="bilinear")),
                             (F.upsample_nearest, TF.upsample_nearest, dict(scale_factor=2)),
                             (F.upsample_bilinear, TF.upsample_bilinear, dict(size=(3, 8)))]:
        with pytest.warns(UserWarning, match="deprecated"):
            ours(tidu.tensor(x), **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compare_fn(lambda t: ours(t, **kw), lambda t: theirs(t, **kw), x)
