"""tidu.nn.init: sample statistics over large tensors agree with torch.nn.init's formulas (and
with torch's own samples), gains and fans equal torch's, orthogonality, seeding, dtypes, and
the layers' default initialization."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tidu
from tidu import nn
from tidu.nn import init

SHAPE = (500, 2000)  # 10⁶ samples; fan_in 2000 ≠ fan_out 500 so the modes differ
N = SHAPE[0] * SHAPE[1]
Z = 6.0  # tolerance in standard errors of the estimate


def _stats_ok(sample, mean, std, *, kurtosis):
    """Sample mean and std against (mean, std), within Z standard errors:
    SE(mean) = σ/√n, SE(std) ≈ σ·√((κ−1)/(4n)) with κ the distribution's kurtosis."""
    sample = np.asarray(sample, dtype=np.float64)
    n = sample.size
    assert abs(sample.mean() - mean) <= Z * std / math.sqrt(n) + 1e-12, (sample.mean(), mean)
    se_std = std * math.sqrt((kurtosis - 1) / (4 * n))
    assert abs(sample.std() - std) <= Z * se_std + 1e-12, (sample.std(), std)


def _uniform_ok(sample, low, high):
    sample = np.asarray(sample, dtype=np.float64)
    width = high - low
    assert sample.min() >= low and sample.max() <= high, (sample.min(), sample.max(), low, high)
    # 10⁶ draws come within 10⁻⁴ of both ends (a miss has probability e⁻⁵⁰)
    assert sample.min() < low + 1e-4 * width and sample.max() > high - 1e-4 * width
    _stats_ok(sample, (low + high) / 2, width / math.sqrt(12), kurtosis=1.8)
    # the shape: half the mass within the middle half (SE 5·10⁻⁴)
    frac = np.mean(np.abs(sample - (low + high) / 2) < width / 4)
    assert abs(frac - 0.5) < Z * 5e-4


def _normal_ok(sample, mean, std):
    sample = np.asarray(sample, dtype=np.float64)
    _stats_ok(sample, mean, std, kurtosis=3.0)
    frac = np.mean(np.abs(sample - mean) < std)  # 68.27 % within one σ, SE 4.7·10⁻⁴
    assert abs(frac - 0.682689) < Z * 4.7e-4, frac


def _draw(name, shape=SHAPE, dtype=np.float64, **kwargs):
    t = tidu.Tensor(np.zeros(shape, dtype=dtype), dtype=dtype)
    out = getattr(init, name)(t, **kwargs)
    assert out is t  # in place, returns its argument
    return t._data


def _torch_draw(name, shape=SHAPE, **kwargs):
    t = torch.empty(shape, dtype=torch.float64)
    getattr(torch.nn.init, name)(t, **kwargs)
    return t.numpy()


# --------------------------------------------------------------------------- basic fills
def test_constant_zeros_ones():
    assert np.all(_draw("constant_", (3, 4), val=2.5) == 2.5)
    assert np.all(_draw("zeros_", (3, 4)) == 0)
    ones = tidu.Tensor(np.zeros((2, 3), np.float32))
    init.ones_(ones)
    assert np.all(ones._data == 1) and ones.dtype == np.float32


@pytest.mark.parametrize("a, b", [(0.0, 1.0), (-3.0, -1.0), (-0.1, 0.4)])
def test_uniform(a, b):
    tidu.manual_seed(0)
    _uniform_ok(_draw("uniform_", a=a, b=b), a, b)


def test_uniform_defaults_are_0_1():
    tidu.manual_seed(0)
    _uniform_ok(_draw("uniform_"), 0.0, 1.0)


@pytest.mark.parametrize("mean, std", [(0.0, 1.0), (2.0, 0.01), (-1.0, 3.0)])
def test_normal(mean, std):
    tidu.manual_seed(0)
    _normal_ok(_draw("normal_", mean=mean, std=std), mean, std)


def test_normal_defaults_are_standard():
    tidu.manual_seed(1)
    _normal_ok(_draw("normal_"), 0.0, 1.0)


# --------------------------------------------------------------------------- gains and fans
NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "selu"]


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_calculate_gain_equals_torch(nonlinearity):
    assert init.calculate_gain(nonlinearity) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity), rel=1e-15)


@pytest.mark.parametrize("param", [None, 0, 0.2, 1, 3, 0.01, -0.5, math.sqrt(5)])
def test_calculate_gain_leaky_relu_equals_torch(param):
    assert init.calculate_gain("leaky_relu", param) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", param), rel=1e-15)


def test_calculate_gain_values():
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("selu") == 0.75


@pytest.mark.parametrize("args", [("softmax",), ("gelu",), ("leaky_relu", True), ("leaky_relu", "0.2")])
def test_calculate_gain_rejects_what_torch_rejects(args):
    with pytest.raises(ValueError):
        torch.nn.init.calculate_gain(*args)
    with pytest.raises(ValueError, match=str(args[-1])):
        init.calculate_gain(*args)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 7), min_size=2, max_size=5))
def test_fans_equal_torch(shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init.calculate_fan_in_and_fan_out(np.empty(shape)) == expected
    assert init.calculate_fan_in_and_fan_out(tidu.Tensor(np.zeros(shape))) == expected


def test_fans_of_linear_and_conv2d_weights():
    lin = nn.Linear(30, 20)
    assert init.calculate_fan_in_and_fan_out(lin.weight) == (30, 20)
    assert init.calculate_fan_in_and_fan_out(lin.weight) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.nn.Linear(30, 20).weight)
    conv_weight = torch.nn.Conv2d(3, 16, kernel_size=(5, 3)).weight  # (16, 3, 5, 3)
    assert init.calculate_fan_in_and_fan_out(np.empty(tuple(conv_weight.shape))) == (45, 240)
    assert init.calculate_fan_in_and_fan_out(np.empty(tuple(conv_weight.shape))) == \
        torch.nn.init._calculate_fan_in_and_fan_out(conv_weight)
    assert init._calculate_fan_in_and_fan_out is init.calculate_fan_in_and_fan_out


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                                  "kaiming_normal_", "lecun_normal_", "orthogonal_"])
def test_fewer_than_two_dims_raise(name):
    with pytest.raises(ValueError, match="2 dims"):
        getattr(init, name)(tidu.Tensor(np.zeros(5)))


def test_bad_mode_raises():
    with pytest.raises(ValueError, match="fan_avg"):
        init.kaiming_uniform_(tidu.Tensor(np.zeros((3, 4))), mode="fan_avg")


# --------------------------------------------------------------------------- scaled initializers
FAN_IN, FAN_OUT = SHAPE[1], SHAPE[0]


@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_uniform(gain):
    tidu.manual_seed(0)
    a = gain * math.sqrt(6 / (FAN_IN + FAN_OUT))
    _uniform_ok(_draw("xavier_uniform_", gain=gain), -a, a)
    _uniform_ok(_torch_draw("xavier_uniform_", gain=gain), -a, a)  # the formula is torch's


@pytest.mark.parametrize("gain", [1.0, math.sqrt(2)])
def test_xavier_normal(gain):
    tidu.manual_seed(0)
    std = gain * math.sqrt(2 / (FAN_IN + FAN_OUT))
    _normal_ok(_draw("xavier_normal_", gain=gain), 0.0, std)
    _normal_ok(_torch_draw("xavier_normal_", gain=gain), 0.0, std)


KAIMING = [
    dict(),  # defaults: a=0, fan_in, leaky_relu → gain √2
    dict(mode="fan_out"),
    dict(a=0.2, mode="fan_in", nonlinearity="leaky_relu"),
    dict(a=math.sqrt(5)),  # Linear's default
    dict(mode="fan_out", nonlinearity="relu"),
    dict(nonlinearity="tanh"),
    dict(mode="fan_out", nonlinearity="linear"),
]


def _kaiming_std(kwargs):
    gain = init.calculate_gain(kwargs.get("nonlinearity", "leaky_relu"), kwargs.get("a", 0))
    fan = FAN_OUT if kwargs.get("mode") == "fan_out" else FAN_IN
    return gain / math.sqrt(fan)


@pytest.mark.parametrize("kwargs", KAIMING, ids=str)
def test_kaiming_uniform(kwargs):
    tidu.manual_seed(0)
    bound = math.sqrt(3) * _kaiming_std(kwargs)
    _uniform_ok(_draw("kaiming_uniform_", **kwargs), -bound, bound)
    _uniform_ok(_torch_draw("kaiming_uniform_", **kwargs), -bound, bound)


@pytest.mark.parametrize("kwargs", KAIMING, ids=str)
def test_kaiming_normal(kwargs):
    tidu.manual_seed(0)
    std = _kaiming_std(kwargs)
    _normal_ok(_draw("kaiming_normal_", **kwargs), 0.0, std)
    _normal_ok(_torch_draw("kaiming_normal_", **kwargs), 0.0, std)


def test_kaiming_modes_differ_by_the_fan_ratio():
    tidu.manual_seed(0)
    s_in = _draw("kaiming_normal_", mode="fan_in").std()
    s_out = _draw("kaiming_normal_", mode="fan_out").std()
    assert s_out / s_in == pytest.approx(math.sqrt(FAN_IN / FAN_OUT), rel=5e-3)


def test_kaiming_on_conv_weight_uses_receptive_field():
    tidu.manual_seed(0)
    shape = (64, 32, 7, 7)  # fan_in 1568, fan_out 3136; 100 352 samples
    sample = _draw("kaiming_normal_", shape, mode="fan_out", nonlinearity="relu")
    std = math.sqrt(2) / math.sqrt(64 * 49)
    assert abs(sample.std() - std) < Z * std / math.sqrt(2 * sample.size)


def test_lecun_normal():
    tidu.manual_seed(0)
    std = 1 / math.sqrt(FAN_IN)
    _normal_ok(_draw("lecun_normal_"), 0.0, std)
    # PyTorch has no lecun_normal_: it is kaiming_normal_ with gain 1
    _normal_ok(_torch_draw("kaiming_normal_", nonlinearity="linear"), 0.0, std)


def test_zero_element_tensors_are_left_alone():
    for name in ["kaiming_uniform_", "kaiming_normal_", "orthogonal_", "uniform_", "normal_"]:
        assert _draw(name, (0, 5)).shape == (0, 5)


# --------------------------------------------------------------------------- orthogonal
@pytest.mark.parametrize("shape", [(50, 20), (20, 50), (30, 30), (8, 3, 2, 2), (3, 4, 5)])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_orthogonal(shape, gain):
    tidu.manual_seed(0)
    w = _draw("orthogonal_", shape, gain=gain).reshape(shape[0], -1)
    rows, cols = w.shape
    if rows >= cols:  # tall: orthonormal columns
        np.testing.assert_allclose(w.T @ w, gain ** 2 * np.eye(cols), atol=1e-12)
    else:  # wide: orthonormal rows
        np.testing.assert_allclose(w @ w.T, gain ** 2 * np.eye(rows), atol=1e-12)


def test_orthogonal_is_haar_distributed():
    # With the sign fix, entries of a random orthogonal n×n matrix have mean 0 and variance 1/n
    # and Q's diagonal is not biased positive (the reason for multiplying by sign(diag R)).
    tidu.manual_seed(0)
    n, reps = 40, 200
    diag = np.concatenate([np.diag(_draw("orthogonal_", (n, n))) for _ in range(reps)])
    assert abs(diag.mean()) < Z / math.sqrt(n * reps * n)
    assert diag.var() == pytest.approx(1 / n, rel=0.1)


def test_orthogonal_float32_is_orthogonal_to_float32_precision():
    tidu.manual_seed(0)
    w = _draw("orthogonal_", (64, 32), dtype=np.float32)
    assert w.dtype == np.float32
    np.testing.assert_allclose(w.T.astype(np.float64) @ w, np.eye(32), atol=1e-5)


# --------------------------------------------------------------------------- seeding, dtypes, grads
INITS = [("uniform_", {}), ("normal_", {}), ("xavier_uniform_", {}), ("xavier_normal_", {}),
         ("kaiming_uniform_", {}), ("kaiming_normal_", {"mode": "fan_out"}), ("lecun_normal_", {}),
         ("orthogonal_", {}), ("constant_", {"val": 0.3}), ("zeros_", {}), ("ones_", {})]


@pytest.mark.parametrize("name, kwargs", INITS)
def test_seeded_reproducibility(name, kwargs):
    tidu.manual_seed(123)
    first = _draw(name, (6, 5), **kwargs)
    tidu.manual_seed(123)
    second = _draw(name, (6, 5), **kwargs)
    np.testing.assert_array_equal(first, second)
    if name not in ("constant_", "zeros_", "ones_"):
        tidu.manual_seed(124)
        assert not np.array_equal(first, _draw(name, (6, 5), **kwargs))
        assert not np.array_equal(first, _draw(name, (6, 5), **kwargs))  # the stream moves on


@pytest.mark.parametrize("name, kwargs", INITS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept_and_no_graph(name, kwargs, dtype):
    p = nn.Parameter(np.zeros((6, 5), dtype=dtype), dtype=dtype)
    before = p._data
    out = getattr(init, name)(p, **kwargs)
    assert out is p and p._data is before and p.dtype == dtype  # in place
    assert p.requires_grad and p.is_leaf and p.grad is None
    arr = np.zeros((6, 5), dtype=dtype)  # plain NumPy arrays work too
    assert getattr(init, name)(arr, **kwargs) is arr and arr.dtype == dtype


def test_float32_sample_statistics():
    tidu.manual_seed(0)
    w = _draw("kaiming_uniform_", dtype=np.float32, a=math.sqrt(5))
    assert w.dtype == np.float32
    bound = 1 / math.sqrt(FAN_IN)
    _uniform_ok(w, -bound, bound)


def test_manual_seed_makes_models_reproducible():
    tidu.manual_seed(7)
    a = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))
    tidu.manual_seed(7)
    b = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))
    c = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2))
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(value, b.state_dict()[key])
        assert not np.array_equal(value, c.state_dict()[key])


# --------------------------------------------------------------------------- layers' defaults
def test_linear_default_init_matches_pytorch():
    tidu.manual_seed(0)
    torch.manual_seed(0)
    fan_in, out = 400, 2500  # bound 1/20 from fan_in, not from out
    bound = 1 / math.sqrt(fan_in)
    layer = nn.Linear(fan_in, out)
    ref = torch.nn.Linear(fan_in, out)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    for w in (layer.weight._data, ref.weight.detach().numpy()):
        _uniform_ok(w, -bound, bound)
    for b in (layer.bias._data, ref.bias.detach().numpy()):
        b = b.astype(np.float64)
        assert b.min() >= -bound and b.max() <= bound
        assert b.min() < -0.99 * bound and b.max() > 0.99 * bound  # 2500 draws reach the ends
        assert abs(b.std() - bound / math.sqrt(3)) < Z * bound / math.sqrt(3) * math.sqrt(0.8 / (4 * out))


def test_linear_float64_and_no_bias():
    layer = nn.Linear(7, 3, bias=False, dtype=tidu.float64)
    assert layer.weight.dtype == np.float64 and layer.bias is None
    assert np.abs(layer.weight._data).max() <= 1 / math.sqrt(7)
    assert list(dict(layer.named_parameters())) == ["weight"]
