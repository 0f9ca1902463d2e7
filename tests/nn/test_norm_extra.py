"""RMSNorm / F.rms_norm and LocalResponseNorm / F.local_response_norm against PyTorch
(outputs, input and weight gradients, float64), reprs, defaults and errors."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module

TF = torch.nn.functional


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("shape,norm", [((2, 5, 3, 4), (3, 4)), ((6, 4), (4,)), ((4,), [4])])
def test_rms_norm_matches_torch(shape, norm):
    w = _x(*np.atleast_1d(norm), seed=1)
    compare_fn(lambda a, b: F.rms_norm(a, norm, b), lambda a, b: TF.rms_norm(a, norm, b),
               _x(*shape), w)
    compare_fn(lambda a: F.rms_norm(a, norm, eps=0.1), lambda a: TF.rms_norm(a, norm, eps=0.1),
               _x(*shape))


def test_rms_norm_default_eps_is_the_dtype_epsilon():
    tiny = np.full((2, 3), 1e-9)
    compare_fn(lambda a: F.rms_norm(a, (3,)), lambda a: TF.rms_norm(a, (3,)), tiny)
    x32 = tidu.tensor(np.full((2, 3), 1e-4, dtype=np.float32))
    expected = TF.rms_norm(torch.tensor(np.full((2, 3), 1e-4, dtype=np.float32)), (3,))
    np.testing.assert_allclose(F.rms_norm(x32, (3,)).cpu().numpy(), expected.cpu().numpy(), rtol=1e-5)


@pytest.mark.parametrize("kwargs", [{}, {"elementwise_affine": False}, {"eps": 1e-3}])
def test_rms_norm_module_matches_torch(kwargs):
    t = torch.nn.RMSNorm((3, 4), **kwargs)
    if t.weight is not None:
        with torch.no_grad():
            t.weight.copy_(torch.randn(3, 4))
    compare_module(nn.RMSNorm((3, 4), **kwargs), t, _x(2, 3, 4))


def test_rms_norm_repr_and_parameters():
    m = nn.RMSNorm(8)
    assert repr(m) == repr(torch.nn.RMSNorm(8)) == "RMSNorm((8,), eps=None, elementwise_affine=True)"
    assert [k for k, _ in m.named_parameters()] == ["weight"]
    assert nn.RMSNorm(8, elementwise_affine=False).weight is None


def test_rms_norm_shape_error():
    with pytest.raises(ValueError, match=r"rms_norm: expected input with shape \[\*, 4\]"):
        F.rms_norm(tidu.randn(2, 3), (4,))


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("shape", [(2, 5, 6), (2, 5, 3, 4), (1, 4, 2, 2, 3)])
def test_local_response_norm_matches_torch(size, shape):
    compare_fn(lambda a: F.local_response_norm(a, size, alpha=0.3, beta=0.6, k=2.0),
               lambda a: TF.local_response_norm(a, size, alpha=0.3, beta=0.6, k=2.0), _x(*shape))


def test_local_response_norm_module_defaults_and_repr():
    compare_module(nn.LocalResponseNorm(3), torch.nn.LocalResponseNorm(3), _x(2, 6, 5) * 30)
    assert repr(nn.LocalResponseNorm(2)) == repr(torch.nn.LocalResponseNorm(2))


def test_local_response_norm_needs_3_dims():
    with pytest.raises(ValueError, match="3D or higher dimensionality input"):
        F.local_response_norm(tidu.randn(4, 5), 2)
