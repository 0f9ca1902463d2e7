"""Transposed convolutions (F.conv_transpose1d/2d, nn.ConvTranspose1d/2d) against PyTorch
float64: outputs and the gradients of input, weight and bias; errors where torch raises."""
import math

import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import ArgumentError, ShapeError
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module, finite_difference_check

TF = torch.nn.functional


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


GEOMETRIES_2D = [  # (kernel, stride, padding, output_padding, dilation, groups)
    ((3, 3), 1, 0, 0, 1, 1),
    ((3, 3), 2, 1, 1, 1, 1),
    ((3, 2), (2, 3), (1, 0), (1, 2), 1, 1),
    ((2, 3), 1, 1, 0, (2, 1), 2),
    ((3, 3), 2, 2, 1, 2, 2),
    ((3, 3), 1, 0, (1, 0), (2, 1), 1),  # output_padding < dilation with stride 1
    ((1, 1), 3, 0, 2, 1, 4),
]


@pytest.mark.parametrize("geometry", GEOMETRIES_2D)
def test_conv_transpose2d_matches_torch(geometry):
    kernel, stride, padding, output_padding, dilation, groups = geometry
    c, o = 4, 6 if groups != 4 else 8
    x, w, b = rand(2, c, 4, 5), rand(c, o // groups, *kernel, seed=1), rand(o, seed=2)
    kw = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups,
              dilation=dilation)
    out = compare_fn(lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
                     lambda x, w, b: TF.conv_transpose2d(x, w, b, **kw), x, w, b)
    assert out.shape[:2] == (2, o)


def test_conv_transpose2d_without_bias_unbatched_and_positional_order():
    x, w = rand(3, 4, 4), rand(3, 2, 3, 3, seed=1)
    # positional order as torch: stride, padding, output_padding, groups, dilation
    out = compare_fn(lambda x, w: F.conv_transpose2d(x, w, None, 2, 1, 1, 1, 1),
                     lambda x, w: TF.conv_transpose2d(x, w, None, 2, 1, 1, 1, 1), x, w)
    assert out.shape == (2, 8, 8)


@pytest.mark.parametrize("k,s,p,op,d,g", [(3, 1, 0, 0, 1, 1), (3, 2, 1, 1, 1, 1),
                                          (4, 3, 2, 2, 1, 2), (3, 1, 1, 1, 2, 2),
                                          (5, 2, 0, 0, 3, 1)])
def test_conv_transpose1d_matches_torch(k, s, p, op, d, g):
    x, w, b = rand(3, 4, 6), rand(4, 6 // g, k, seed=1), rand(6, seed=2)
    kw = dict(stride=s, padding=p, output_padding=op, groups=g, dilation=d)
    compare_fn(lambda x, w, b: F.conv_transpose1d(x, w, b, **kw),
               lambda x, w, b: TF.conv_transpose1d(x, w, b, **kw), x, w, b)
    compare_fn(lambda x, w: F.conv_transpose1d(x, w, **kw),  # unbatched, no bias
               lambda x, w: TF.conv_transpose1d(x, w, **kw), x[0], w)


def test_conv_transpose2d_is_the_input_gradient_of_conv2d():
    """conv_transpose2d(g, w) = ∂/∂x ⟨conv2d(x, w), g⟩ (the definition)."""
    x = tidu.Tensor(rand(1, 3, 7, 7), requires_grad=True)
    w, g = rand(5, 3, 3, 3, seed=1), rand(1, 5, 4, 4, seed=2)
    (F.conv2d(x, tidu.Tensor(w), stride=2, padding=1) * tidu.Tensor(g)).sum().backward()
    up = F.conv_transpose2d(tidu.Tensor(g), tidu.Tensor(w), stride=2, padding=1, output_padding=0)
    np.testing.assert_allclose(up.cpu().numpy(), x.grad.cpu().numpy(), rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_finite_differences():
    x, w, b = rand(1, 2, 3, 3), rand(2, 2, 2, 3, seed=1), rand(4, seed=2)
    finite_difference_check(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                               output_padding=1, groups=2),
                            x, w, b)


@pytest.mark.parametrize("kw", [dict(stride=2, padding=1, output_padding=1),
                                dict(stride=(1, 2), padding=(0, 1), dilation=(2, 1), groups=2),
                                dict(bias=False)])
def test_conv_transpose2d_module_matches_torch(kw):
    ours, ref = nn.ConvTranspose2d(4, 6, 3, **kw), torch.nn.ConvTranspose2d(4, 6, 3, **kw)
    out = compare_module(ours, ref, rand(2, 4, 5, 5))
    assert ours.weight.shape == ref.weight.shape == (4, 6 // kw.get("groups", 1), 3, 3)
    assert repr(ours) == repr(ref)
    assert out.shape == ref(torch.tensor(rand(2, 4, 5, 5))).shape


def test_conv_transpose1d_module_matches_torch():
    kw = dict(stride=2, padding=1, output_padding=1, dilation=1, groups=2)
    ours, ref = nn.ConvTranspose1d(4, 6, 3, **kw), torch.nn.ConvTranspose1d(4, 6, 3, **kw)
    compare_module(ours, ref, rand(2, 4, 7))
    assert repr(ours) == repr(ref)
    assert ours.kernel_size == (3,) and ours.output_padding == (1,)


def test_output_size_chooses_output_padding_as_torch():
    ours, ref = nn.ConvTranspose2d(2, 3, 3, stride=2), torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    x = rand(1, 2, 4, 4)
    for size in ([9, 9], [10, 9], (1, 3, 10, 10)):
        got = ours(tidu.Tensor(x, dtype=np.float32), output_size=size).shape
        assert got == tuple(ref(torch.tensor(x, dtype=torch.float32), output_size=size).shape)
    with pytest.raises(ValueError):
        ref(torch.zeros(1, 2, 4, 4), output_size=[12, 12])
    with pytest.raises(ArgumentError, match="valid sizes range from"):
        ours(tidu.zeros(1, 2, 4, 4), output_size=[12, 12])


def test_init_as_torch_fan_in_from_weight_dim_1():
    """kaiming_uniform(a=√5) gives U(−1/√fan_in, 1/√fan_in) with fan_in = (out/groups)·k·k."""
    tidu.manual_seed(0)
    m = nn.ConvTranspose2d(64, 2, 3, groups=2)
    bound = 1 / math.sqrt(1 * 3 * 3)
    w, b = m.weight.detach().cpu().numpy(), m.bias.detach().cpu().numpy()
    assert w.shape == (64, 1, 3, 3)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound and w.dtype == np.float32


@pytest.mark.parametrize("kw", [dict(stride=2, output_padding=2),
                                dict(stride=1, dilation=1, output_padding=1),
                                dict(stride=2, dilation=3, output_padding=(0, 3))])
def test_output_padding_too_big_raises_as_torch(kw):
    x, w = np.zeros((1, 2, 3, 3)), np.zeros((2, 1, 3, 3))
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        TF.conv_transpose2d(torch.tensor(x), torch.tensor(w), **kw)
    with pytest.raises(ArgumentError, match="output padding must be smaller"):
        F.conv_transpose2d(tidu.Tensor(x), tidu.Tensor(w), **kw)


def test_output_padding_below_dilation_is_allowed_as_torch():
    x, w = np.zeros((1, 2, 3, 3)), np.zeros((2, 1, 3, 3))
    kw = dict(stride=2, dilation=3, output_padding=2)
    assert (F.conv_transpose2d(tidu.Tensor(x), tidu.Tensor(w), **kw).shape
            == tuple(TF.conv_transpose2d(torch.tensor(x), torch.tensor(w), **kw).shape))
    with pytest.raises(ArgumentError, match="output padding must be smaller"):
        F.conv_transpose1d(tidu.zeros(1, 2, 5), tidu.zeros(2, 1, 3), stride=2, output_padding=2)


def test_wrong_channels_and_bad_arguments_raise():
    with pytest.raises(RuntimeError, match="to have 2 channels"):
        TF.conv_transpose2d(torch.zeros(1, 3, 3, 3), torch.zeros(2, 1, 3, 3))
    with pytest.raises(ShapeError, match="to have 2 channels, but got 3"):
        F.conv_transpose2d(tidu.zeros(1, 3, 3, 3), tidu.zeros(2, 1, 3, 3))
    with pytest.raises(ShapeError, match="expected input of shape"):
        nn.ConvTranspose2d(2, 3, 3)(tidu.zeros(1, 3, 4, 4))
    with pytest.raises(ShapeError, match="expected input of shape"):
        nn.ConvTranspose1d(2, 3, 3)(tidu.zeros(1, 3, 4))
    with pytest.raises(ShapeError, match="Output size is too small"):
        F.conv_transpose2d(tidu.zeros(1, 2, 3, 3), tidu.zeros(2, 1, 3, 3), padding=3)
    with pytest.raises(ShapeError, match="bias must have shape"):
        F.conv_transpose2d(tidu.zeros(1, 2, 3, 3), tidu.zeros(2, 1, 3, 3), tidu.zeros(2))
    with pytest.raises(ShapeError, match="weight must be 4-D"):
        F.conv_transpose2d(tidu.zeros(1, 2, 3, 3), tidu.zeros(2, 1, 3))
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        torch.nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect")
    with pytest.raises(ArgumentError, match='Only "zeros" padding mode'):
        nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect")
    with pytest.raises(ArgumentError, match="padding must be an int"):
        F.conv_transpose2d(tidu.zeros(1, 2, 3, 3), tidu.zeros(2, 1, 3, 3), padding="same")
    with pytest.raises(ArgumentError, match="divisible by groups"):
        nn.ConvTranspose2d(4, 6, 3, groups=4)


def test_autoencoder_decoder_shapes_as_the_tutorial():
    """Conv2d(stride 2) down, ConvTranspose2d(stride 2, padding 1, output_padding 1) back up."""
    dec = nn.Sequential(nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1),
                        nn.ReLU(), nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1,
                                                      output_padding=1))
    out = dec(tidu.zeros(5, 16, 2, 2))
    assert out.shape == (5, 1, 8, 8)
