"""conv2d / Conv2d, max_pool2d / MaxPool2d, avg_pool2d / AvgPool2d and pad against PyTorch."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tidu
from tidu import nn
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module, finite_difference_check

TF = torch.nn.functional
HYP = settings(max_examples=25, deadline=None)


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# --------------------------------------------------------------------------- conv2d oracle
@st.composite
def conv_cases(draw):
    """A conv geometry whose padded input fits the dilated kernel."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    h = draw(st.integers(max(1, eh - 2 * ph), eh - 2 * ph + 7))
    w = draw(st.integers(max(1, ew - 2 * pw), ew - 2 * pw + 7))
    return dict(n=draw(st.integers(1, 3)), c=draw(st.integers(1, 3)), o=draw(st.integers(1, 4)),
                h=h, w=w, k=(kh, kw), stride=(draw(st.integers(1, 3)), draw(st.integers(1, 3))),
                padding=(ph, pw), dilation=(dh, dw), bias=draw(st.booleans()),
                seed=draw(st.integers(0, 2**16)))


@HYP
@given(conv_cases())
def test_conv2d_matches_torch(case):
    x = rand(case["n"], case["c"], case["h"], case["w"], seed=case["seed"])
    wt = rand(case["o"], case["c"], *case["k"], seed=case["seed"] + 1)
    kw = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
    if case["bias"]:
        b = rand(case["o"], seed=case["seed"] + 2)
        compare_fn(lambda x, w, b: F.conv2d(x, w, b, **kw),
                   lambda x, w, b: TF.conv2d(x, w, b, **kw), x, wt, b)
    else:
        compare_fn(lambda x, w: F.conv2d(x, w, **kw), lambda x, w: TF.conv2d(x, w, **kw), x, wt)


@pytest.mark.filterwarnings("ignore:Using padding=.same.")
@pytest.mark.parametrize("padding", ["same", "valid", 1, (2, 0)])
@pytest.mark.parametrize("kernel,dilation", [((3, 3), 1), ((2, 4), (2, 1)), ((4, 1), 1)])
def test_conv2d_padding_modes_int_args(padding, kernel, dilation):
    x, wt, b = rand(2, 3, 7, 8), rand(4, 3, *kernel, seed=1), rand(4, seed=2)
    compare_fn(lambda x, w, b: F.conv2d(x, w, b, 1, padding, dilation),
               lambda x, w, b: TF.conv2d(x, w, b, 1, padding, dilation), x, wt, b)


def test_conv2d_unbatched_input():
    x, wt, b = rand(3, 6, 5), rand(2, 3, 3, 2, seed=1), rand(2, seed=2)
    out = compare_fn(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
                     lambda x, w, b: TF.conv2d(x, w, b, stride=2, padding=1), x, wt, b)
    assert out.shape == (2, 3, 3)


def test_conv2d_only_some_inputs_need_grad():
    x, wt = tidu.Tensor(rand(2, 2, 5, 5), dtype=np.float64), tidu.Tensor(
        rand(3, 2, 3, 3, seed=1), requires_grad=True, dtype=np.float64)
    F.conv2d(x, wt).sum().backward()
    tx, tw = torch.tensor(x._data), torch.tensor(wt._data, requires_grad=True)
    TF.conv2d(tx, tw).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(wt.grad._data, tw.grad.numpy(), rtol=1e-10)


def test_conv2d_finite_differences():
    kw = dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    finite_difference_check(lambda x, w, b: F.conv2d(x, w, b, **kw),
                            rand(2, 2, 5, 4), rand(3, 2, 2, 3, seed=1), rand(3, seed=2))


def test_conv2d_keeps_float32():
    x = tidu.Tensor(rand(2, 3, 6, 6).astype(np.float32), requires_grad=True)
    w = tidu.Tensor(rand(4, 3, 3, 3, seed=1).astype(np.float32), requires_grad=True)
    b = tidu.Tensor(rand(4, seed=2).astype(np.float32), requires_grad=True)
    out = F.conv2d(x, w, b, stride=2, padding=1)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32
    ref = TF.conv2d(torch.tensor(x._data), torch.tensor(w._data), torch.tensor(b._data), 2, 1)
    np.testing.assert_allclose(out._data, ref.numpy(), rtol=1e-5, atol=1e-5)


def test_conv2d_errors():
    x = tidu.Tensor(rand(2, 3, 5, 5))
    w = tidu.Tensor(rand(4, 3, 3, 3))
    with pytest.raises(ValueError, match="groups=2, weight of shape"):  # grouped conv: test_grouped_conv
        F.conv2d(x, w, groups=2)
    with pytest.raises(tidu.ShapeError, match=r"expects input with 3 channels.*\(2, 2, 5, 5\)"):
        F.conv2d(tidu.Tensor(rand(2, 2, 5, 5)), w)
    with pytest.raises(tidu.ShapeError, match=r"4-D input.*\(5, 5\)"):
        F.conv2d(tidu.Tensor(rand(5, 5)), w)
    with pytest.raises(tidu.ShapeError, match=r"weight must be 4-D.*\(4, 3, 3\)"):
        F.conv2d(x, tidu.Tensor(rand(4, 3, 3)))
    with pytest.raises(tidu.ShapeError, match=r"\(2 x 2\) is smaller than the kernel size \(3 x 3"):
        F.conv2d(tidu.Tensor(rand(1, 3, 2, 2)), w)
    with pytest.raises(tidu.ShapeError, match=r"kernel size \(7 x 7, dilation"):
        F.conv2d(x, w, dilation=3)
    with pytest.raises(tidu.ShapeError, match=r"bias must have shape \(4,\)"):
        F.conv2d(x, w, tidu.Tensor(rand(3)))
    with pytest.raises(ValueError, match="stride must be ≥ 1"):
        F.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="padding must be an int or a pair"):
        F.conv2d(x, w, padding=(1, 1, 1))
    with pytest.raises(ValueError, match="'same' is not supported for strided"):
        F.conv2d(x, w, stride=2, padding="same")
    with pytest.raises(tidu.DTypeError, match="float64.*float32|float32.*float64"):
        F.conv2d(tidu.Tensor(rand(2, 3, 5, 5), dtype=np.float64), w)


# --------------------------------------------------------------------------- Conv2d module
@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3),
    dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 0), dilation=(1, 2), bias=False),
    dict(kernel_size=3, padding="same", dilation=2),
])
def test_Conv2d_matches_torch(kwargs):
    tidu.manual_seed(0)
    torch.manual_seed(0)
    compare_module(nn.Conv2d(3, 5, **kwargs), torch.nn.Conv2d(3, 5, **kwargs), rand(2, 3, 7, 6))


def test_Conv2d_default_init_matches_torch_bounds():
    tidu.manual_seed(0)
    layer = nn.Conv2d(16, 32, 3)
    bound = 1 / math.sqrt(16 * 9)  # kaiming_uniform_(a=√5) = U(−1/√fan_in, 1/√fan_in)
    w, b = layer.weight._data, layer.bias._data
    assert w.shape == (32, 16, 3, 3) and b.shape == (32,) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.8 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound  # std of U(−a, a) is a/√3
    assert list(layer.state_dict()) == list(torch.nn.Conv2d(16, 32, 3).state_dict())
    assert nn.Conv2d(1, 2, 3, bias=False).bias is None
    assert nn.Conv2d(1, 2, 3, dtype=np.float64).weight.dtype == np.float64


def test_Conv2d_errors_name_the_layer():
    layer = nn.Conv2d(3, 8, 3)
    with pytest.raises(tidu.ShapeError, match=r"Conv2d\(3, 8.*expected input of shape "
                                              r"\(N, 3, H, W\).*got shape \(2, 4, 9, 9\)"):
        layer(tidu.Tensor(rand(2, 4, 9, 9)))
    with pytest.raises(tidu.ShapeError, match=r"Conv2d\(3, 8.*got shape \(9, 9\)"):
        layer(tidu.Tensor(rand(9, 9)))
    with pytest.raises(tidu.ShapeError, match=r"Conv2d\(3, 8.*\(1, 3, 2, 9\).*2 x 9 per channel"
                                              r".*smaller than the kernel \(3 x 3"):
        layer(tidu.Tensor(rand(1, 3, 2, 9)))
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(4, 4, 3, padding_mode="mirror")


# --------------------------------------------------------------------------- pooling oracle
@st.composite
def pool_cases(draw, dilation=True):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilation else (1, 1)
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    h = draw(st.integers(max(1, eh - 2 * ph), eh - 2 * ph + 7))
    w = draw(st.integers(max(1, ew - 2 * pw), ew - 2 * pw + 7))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    return dict(shape=(draw(st.integers(1, 3)), draw(st.integers(1, 3)), h, w), k=(kh, kw),
                stride=stride, padding=(ph, pw), dilation=(dh, dw),
                ties=draw(st.booleans()), seed=draw(st.integers(0, 2**16)))


def no_window_in_padding_only(case):
    """PyTorch (2.x) writes out of bounds in max_pool2d's backward when a dilated window lies
    wholly in the padding (it crashed this suite), so the oracle cases leave those out;
    tidu returns −∞ there and sends no gradient."""
    stride = case["stride"] or case["k"]
    for size, k, s, p, d in zip(case["shape"][2:], case["k"], stride, case["padding"],
                                case["dilation"]):
        n_out = (size + 2 * p - d * (k - 1) - 1) // s + 1
        cells = np.arange(n_out)[:, None] * s + np.arange(k)[None, :] * d
        if not ((cells >= p) & (cells < p + size)).any(axis=1).all():
            return False
    return True


def pool_input(case):
    x = rand(*case["shape"], seed=case["seed"])
    if case["ties"]:  # few distinct values: windows with several maxima
        x = np.round(x)
    return x


@HYP
@given(pool_cases().filter(no_window_in_padding_only))
def test_max_pool2d_matches_torch(case):
    args = (case["k"], case["stride"], case["padding"], case["dilation"])
    x = pool_input(case)
    compare_fn(lambda x: F.max_pool2d(x, *args), lambda x: TF.max_pool2d(x, *args), x)
    out, idx = F.max_pool2d(tidu.Tensor(x, dtype=np.float64), *args, return_indices=True)
    ref_out, ref_idx = TF.max_pool2d(torch.tensor(x), *args, return_indices=True)
    assert idx.dtype == np.int64
    np.testing.assert_array_equal(idx._data, ref_idx.numpy())
    np.testing.assert_array_equal(out._data, ref_out.numpy())


@HYP
@given(pool_cases(dilation=False), st.booleans(), st.sampled_from([None, 3]))
def test_avg_pool2d_matches_torch(case, count_include_pad, divisor):
    args = (case["k"], case["stride"], case["padding"], False, count_include_pad, divisor)
    compare_fn(lambda x: F.avg_pool2d(x, *args), lambda x: TF.avg_pool2d(x, *args),
               pool_input(case))


def test_max_pool2d_gradient_goes_to_first_maximum():
    x = np.array([[[[1.0, 3.0, 3.0, 0.0],
                    [3.0, 2.0, 1.0, 1.0]]]])
    t = tidu.Tensor(x, requires_grad=True, dtype=np.float64)
    out, idx = F.max_pool2d(t, 2, return_indices=True)
    out.sum().backward()
    np.testing.assert_array_equal(out._data, [[[[3.0, 3.0]]]])
    np.testing.assert_array_equal(idx._data, [[[[1, 2]]]])
    np.testing.assert_array_equal(t.grad._data, [[[[0, 1, 1, 0], [0, 0, 0, 0]]]])
    # overlapping windows (stride 1) add their gradients on a shared maximum
    compare_fn(lambda x: F.max_pool2d(x, 2, 1), lambda x: TF.max_pool2d(x, 2, 1), x)


def test_max_pool2d_window_wholly_in_padding():
    # kernel 2, dilation 2, padding 1 over width 1: the window's two cells are both padding
    t = tidu.Tensor(rand(1, 1, 1, 1), requires_grad=True, dtype=np.float64)
    out = F.max_pool2d(t, (1, 2), padding=(0, 1), dilation=(1, 2))
    assert out.shape == (1, 1, 1, 1) and out._data[0, 0, 0, 0] == -np.inf
    out.sum().backward()
    assert t.grad._data[0, 0, 0, 0] == 0


def test_max_pool2d_nan_propagates():
    x = rand(1, 1, 4, 4)
    x[0, 0, 1, 2] = np.nan
    t = tidu.Tensor(x, requires_grad=True, dtype=np.float64)
    out = F.max_pool2d(t, 2)
    ref = TF.max_pool2d(torch.tensor(x), 2)
    np.testing.assert_array_equal(np.isnan(out._data), np.isnan(ref.numpy()))
    out.sum().backward()
    assert t.grad._data[0, 0, 1, 2] == 1 and t.grad._data[0, 0, :2, 2:].sum() == 1


def test_pool_unbatched_and_modules():
    x = rand(2, 7, 6)
    compare_module(nn.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1), x)
    compare_module(nn.AvgPool2d((2, 3), 1, (1, 0), count_include_pad=False),
                   torch.nn.AvgPool2d((2, 3), 1, (1, 0), count_include_pad=False), x)
    compare_module(nn.MaxPool2d(2, dilation=2), torch.nn.MaxPool2d(2, dilation=2),
                   rand(3, 2, 7, 6))


def test_pool_finite_differences():
    x = rand(2, 2, 5, 5)  # distinct values: max is differentiable there
    finite_difference_check(lambda x: F.max_pool2d(x, 3, 2, 1), x)
    finite_difference_check(lambda x: F.max_pool2d(x, 2, 1, 0, 2), x)
    finite_difference_check(lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), x)
    finite_difference_check(lambda x: F.avg_pool2d(x, (2, 3), (1, 2)), x)


@pytest.mark.parametrize("fn", [lambda x: F.max_pool2d(x, 2),
                                lambda x: F.max_pool2d(x, 3, 1, 1),
                                lambda x: F.avg_pool2d(x, 2),
                                lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)])
def test_pool_keeps_float32(fn):
    x = tidu.Tensor(rand(2, 3, 6, 6).astype(np.float32), requires_grad=True)
    out = fn(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


def test_pool_errors():
    x = tidu.Tensor(rand(1, 2, 5, 5))
    for fn in (F.max_pool2d, F.avg_pool2d):
        name = fn.__name__
        with pytest.raises(NotImplementedError, match=f"{name}: ceil_mode=True"):
            fn(x, 2, ceil_mode=True)
        with pytest.raises(ValueError, match=rf"{name}: padding should be at most half.*\(2, 2\)"):
            fn(x, 3, padding=2)
        with pytest.raises(tidu.ShapeError, match=rf"{name}: input of shape \(1, 2, 5, 5\) is too "
                                                  r"small.*output would be 0 x 0"):
            fn(x, 6, padding=0)
        with pytest.raises(tidu.ShapeError, match=rf"{name}: expected a 4-D input.*\(5, 5\)"):
            fn(tidu.Tensor(rand(5, 5)), 2)
        with pytest.raises(ValueError, match="kernel_size must be an int or a pair"):
            fn(x, (2, 2, 2))
    with pytest.raises(NotImplementedError, match="MaxPool2d: ceil_mode"):
        nn.MaxPool2d(2, ceil_mode=True)
    with pytest.raises(NotImplementedError, match="AvgPool2d: ceil_mode"):
        nn.AvgPool2d(2, ceil_mode=True)


# --------------------------------------------------------------------------- pad
@pytest.mark.parametrize("widths", [(1, 2), (0, 1, 2, 0), (1, 1, 0, 2, 3, 0)])
def test_pad_matches_torch(widths):
    compare_fn(lambda x: F.pad(x, widths, value=0.5), lambda x: TF.pad(x, widths, value=0.5),
               rand(2, 3, 4))


@pytest.mark.parametrize("value", [None, 0.0, -2.5])
def test_pad_value_defaults_to_zero_as_torch(value):
    compare_fn(lambda x: F.pad(x, (1, 2), value=value), lambda x: TF.pad(x, (1, 2), value=value),
               rand(2, 3))


def test_pad_errors_and_dtype():
    x = tidu.Tensor(rand(2, 3).astype(np.float32), requires_grad=True)
    out = F.pad(x, (1, 1))
    assert out.shape == (2, 5) and out.dtype == np.float32
    assert F.pad(x, (1, 1), mode="reflect").dtype == np.float32
    with pytest.raises(ValueError, match="even number of ints"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(ValueError, match="even number of ints"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="negative widths"):
        F.pad(x, (-1, 1))


# --------------------------------------------------------------------------- a whole CNN
def torch_cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 2 * 2, 10))


def tidu_cnn(dtype=None):
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 10, dtype=dtype))


def test_cnn_state_dict_from_torch_gives_same_logits_and_grads():
    torch.manual_seed(0)
    model, ref = tidu_cnn(), torch_cnn()
    assert list(model.state_dict()) == list(ref.state_dict())
    compare_module(model, ref, rand(4, 1, 12, 12))


def test_cnn_float32_state_dict_predicts_same_logits():
    torch.manual_seed(1)
    ref = torch_cnn().eval()
    model = tidu_cnn(np.float32).eval()
    model.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    x = rand(16, 1, 12, 12).astype(np.float32)
    with tidu.no_grad():
        logits = model(tidu.Tensor(x))
    with torch.no_grad():
        expected = ref(torch.from_numpy(x)).numpy()
    assert logits.dtype == np.float32
    np.testing.assert_allclose(logits._data, expected, rtol=1e-5, atol=1e-5)
    assert (logits._data.argmax(1) == expected.argmax(1)).all()
