"""The compiled 2×2/stride-2 max pooling against the NumPy path (ties, NaN, ±Inf, padding,
odd sizes, unbatched input, indices, gradients) and against PyTorch in float32."""
import numpy as np
import pytest
import torch

import tidu
from tidu import kernels
from tidu.nn import functional as F

pytestmark = pytest.mark.host_only("the compiled kernels serve NumPy arrays only")


def _pool(x, padding, monkeypatch=None):
    xt = tidu.tensor(x, requires_grad=True)
    out, idx = F.max_pool2d(xt, 2, padding=padding, return_indices=True)
    g = np.random.default_rng(1).standard_normal(out.shape).astype(x.dtype)
    (out * tidu.tensor(g)).sum().backward()
    return out._data, idx._data, xt.grad._data


def _hard_input(shape, dtype):
    """Small integers (many ties), a NaN, +Inf and −Inf in some windows."""
    x = np.random.default_rng(0).integers(-2, 3, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[[3, 17, 40]] = [np.nan, np.inf, -np.inf]
    flat[[41, 60, 61]] = [np.inf, np.nan, np.nan]
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,padding", [((2, 3, 8, 8), 0), ((2, 3, 7, 9), 0),
                                           ((2, 3, 7, 9), 1), ((3, 6, 5), 1)])
def test_compiled_pooling_equals_the_numpy_path(shape, padding, dtype, monkeypatch):
    x = _hard_input(shape, dtype)
    compiled = _pool(x, padding)
    monkeypatch.setattr(kernels, "KERNELS", "numpy")
    reference = _pool(x, padding)
    for a, b in zip(compiled, reference):
        np.testing.assert_array_equal(a, b)


def test_compiled_pooling_matches_torch_float32():
    x = np.random.default_rng(2).standard_normal((4, 5, 12, 10)).astype(np.float32)
    out, idx, grad = _pool(x, 0)
    xp = torch.tensor(x, requires_grad=True)
    o, i = torch.nn.functional.max_pool2d(xp, 2, return_indices=True)
    g = np.random.default_rng(1).standard_normal(o.shape).astype(np.float32)
    (o * torch.tensor(g)).sum().backward()
    np.testing.assert_array_equal(out, o.detach().numpy())
    np.testing.assert_array_equal(idx, i.numpy())
    np.testing.assert_array_equal(grad, xp.grad.numpy())


def test_compiled_kernel_is_used_for_2x2_stride_2_only(monkeypatch):
    import tidu.kernels.pooling as kp
    calls = []
    original = kp.max_pool2x2_forward
    monkeypatch.setattr(kp, "max_pool2x2_forward", lambda *a: (calls.append(1), original(*a)))
    x = tidu.randn(2, 3, 8, 8)
    F.max_pool2d(x, 2)
    F.max_pool2d(x, 3)
    F.max_pool2d(x, 2, stride=1)
    assert calls == [1]
