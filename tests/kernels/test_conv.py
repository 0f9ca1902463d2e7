"""The compiled stride-1 col2im of conv2d's input gradient against the NumPy path (padding,
dilation, groups, both dtypes) and PyTorch in float32."""
import numpy as np
import pytest
import torch

import tidu
from tidu import kernels
from tidu.nn import functional as F

pytestmark = pytest.mark.host_only("the compiled kernels serve NumPy arrays only")


def _input_grad(x, w, **kw):
    xt = tidu.tensor(x, requires_grad=True)
    out = F.conv2d(xt, tidu.tensor(w), **kw)
    g = np.random.default_rng(1).standard_normal(out.shape).astype(x.dtype)
    (out * tidu.tensor(g)).sum().backward()
    return xt.grad._data, g


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("kw", [dict(padding=1), dict(padding=0), dict(padding=2, dilation=2),
                                dict(padding=(1, 0), groups=2), dict(padding="same")])
def test_compiled_col2im_equals_the_numpy_path(kw, dtype, tol, monkeypatch):
    r = np.random.default_rng(0)
    x = r.standard_normal((3, 4, 9, 7)).astype(dtype)
    w = r.standard_normal((6, 4 // kw.get("groups", 1), 3, 3)).astype(dtype)
    compiled, _ = _input_grad(x, w, **kw)
    monkeypatch.setattr(kernels, "KERNELS", "numpy")
    reference, _ = _input_grad(x, w, **kw)
    np.testing.assert_allclose(compiled, reference, rtol=tol, atol=tol)


def test_compiled_col2im_matches_torch_float32():
    r = np.random.default_rng(2)
    x = r.standard_normal((8, 16, 14, 14)).astype(np.float32)
    w = r.standard_normal((32, 16, 3, 3)).astype(np.float32)
    ours, g = _input_grad(x, w, padding=1)
    xp = torch.tensor(x, requires_grad=True)
    (torch.nn.functional.conv2d(xp, torch.tensor(w), padding=1) * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ours, xp.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_compiled_col2im_is_used(monkeypatch):
    import tidu.kernels.conv as kc
    calls = []
    original = kc.col2im_flat
    monkeypatch.setattr(kc, "col2im_flat", lambda *a: (calls.append(1), original(*a)))
    _input_grad(np.zeros((1, 2, 5, 5), np.float32), np.ones((3, 2, 3, 3), np.float32), padding=1)
    assert calls == [1]
