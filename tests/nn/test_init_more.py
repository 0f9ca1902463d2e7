"""tidu.nn.init's trunc_normal_ (bounds, the truncated normal's mean, std and CDF, on both of
its sampling paths), eye_ and dirac_ (equal to torch's), sparse_, ``generator=`` on every random
initializer, and PyTorch's deprecated names without the underscore."""
import contextlib
import math

import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.nn import init

N = 400_000
Z = 6.0  # tolerance in standard errors


def phi(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def Phi(x):
    return (1 + math.erf(x / math.sqrt(2))) / 2


def truncated_moments(mean, std, a, b):
    alpha, beta = (a - mean) / std, (b - mean) / std
    mass = Phi(beta) - Phi(alpha)
    shift = (phi(alpha) - phi(beta)) / mass
    var = 1 + (alpha * phi(alpha) - beta * phi(beta)) / mass - shift ** 2
    return mean + std * shift, std * math.sqrt(var)


def truncated_cdf(x, mean, std, a, b):
    alpha, beta = (a - mean) / std, (b - mean) / std
    return (Phi((x - mean) / std) - Phi(alpha)) / (Phi(beta) - Phi(alpha))


# (mean, std, a, b): the defaults; asymmetric; a narrow tail window (mass < 0.3: the uniform
# proposal path); a window away from the mean; a window narrower than std
TRUNC = [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 4.0), (0.0, 1.0, 2.0, 3.5),
         (1.0, 0.5, -1.0, 0.0), (0.0, 0.02, -0.04, 0.04), (3.0, 1.0, -0.5, 0.5)]


@pytest.mark.parametrize("mean, std, a, b", TRUNC)
def test_trunc_normal_is_the_truncated_normal(mean, std, a, b):
    tidu.manual_seed(0)
    w = nn.Parameter(np.zeros((400, N // 400)), dtype=np.float64)
    far = mean < a - 2 * std or mean > b + 2 * std  # PyTorch warns then, and so does tidu
    with pytest.warns(UserWarning, match="more than 2 std") if far else contextlib.nullcontext():
        assert init.trunc_normal_(w, mean, std, a, b) is w
    x = w._data.ravel()
    assert x.min() >= a and x.max() <= b
    m, s = truncated_moments(mean, std, a, b)
    n = x.size
    assert abs(x.mean() - m) <= Z * s / math.sqrt(n), (x.mean(), m)
    assert abs(x.std() - s) <= Z * s / math.sqrt(2 * n) * 1.5, (x.std(), s)
    # the whole distribution, not two moments: the empirical CDF at nine points
    points = np.linspace(a, b, 11)[1:-1]
    empirical = (x[:, None] <= points).mean(axis=0)
    expected = np.array([truncated_cdf(p, mean, std, a, b) for p in points])
    assert np.abs(empirical - expected).max() <= Z * 0.5 / math.sqrt(n)
    assert w.requires_grad and w.grad is None


def test_trunc_normal_defaults_and_torch_samples_agree():
    tidu.manual_seed(1)
    torch.manual_seed(1)
    ours = init.trunc_normal_(np.zeros(N))
    ref = torch.nn.init.trunc_normal_(torch.zeros(N, dtype=torch.float64)).cpu().numpy()
    for sample in (ours, ref):
        assert sample.min() >= -2 and sample.max() <= 2
    m, s = truncated_moments(0.0, 1.0, -2.0, 2.0)
    assert abs(ours.mean() - ref.mean()) <= 2 * Z * s / math.sqrt(N)
    assert abs(ours.std() - ref.std()) <= 2 * Z * s / math.sqrt(2 * N) * 1.5


def test_trunc_normal_float32_and_bad_arguments():
    w = nn.Parameter(np.zeros((50, 40), dtype=np.float32), dtype=np.float32)
    init.trunc_normal_(w, std=0.02, a=-0.04, b=0.04)
    assert w.dtype == np.float32 and np.abs(w._data).max() <= np.float32(0.04)
    with pytest.raises(ValueError, match="trunc_normal_: std must be > 0, got 0"):
        init.trunc_normal_(w, std=0.0)
    with pytest.raises(ValueError, match="needs a < b, got a=1, b=-1"):
        init.trunc_normal_(w, a=1, b=-1)
    with pytest.raises(ValueError, match="mean must be a finite number, got nan"):
        init.trunc_normal_(w, mean=float("nan"))
    with pytest.warns(UserWarning, match="more than 2 std"):
        init.trunc_normal_(w, mean=5.0, a=-1.0, b=1.0)
    assert np.abs(w._data).max() <= 1.0


@pytest.mark.parametrize("shape", [(3, 5), (4, 4), (5, 2)])
def test_eye_equals_torch(shape):
    w = nn.Parameter(np.full(shape, 7.0), dtype=np.float64)
    assert init.eye_(w) is w
    np.testing.assert_array_equal(w._data, torch.nn.init.eye_(torch.empty(shape)).cpu().numpy())


@pytest.mark.parametrize("shape, groups", [((6, 3, 3), 1), ((4, 4, 3, 3), 1), ((8, 2, 5, 5), 2),
                                           ((6, 2, 3, 3, 3), 3), ((3, 6, 4, 4), 1),
                                           ((9, 4, 2), 3)])
def test_dirac_equals_torch(shape, groups):
    w = nn.Parameter(np.full(shape, 7.0), dtype=np.float64)
    assert init.dirac_(w, groups) is w
    expected = torch.nn.init.dirac_(torch.empty(shape), groups).cpu().numpy()
    np.testing.assert_array_equal(w._data, expected)
    assert w._data.sum() == expected.sum() > 0


def test_dirac_convolution_is_the_identity():
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(conv(tidu.tensor(x)).cpu().numpy(), x, rtol=1e-6)


BAD = [(lambda: init.eye_(np.zeros((2, 2, 2))), "eye_: only 2-D tensors"),
       (lambda: init.dirac_(np.zeros((2, 2))), "dirac_: only 3-, 4- or 5-D"),
       (lambda: init.dirac_(np.zeros((5, 2, 3)), groups=2), r"dim 0 \(5\) must be divisible"),
       (lambda: init.sparse_(np.zeros((2, 2, 2)), 0.5), "sparse_: only 2-D tensors"),
       (lambda: init.normal_(np.zeros(3), generator=3), "generator must be a tidu.Generator")]


@pytest.mark.parametrize("call, words", BAD, ids=[w for _, w in BAD])
def test_bad_arguments_raise(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_torch_refuses_the_same_shapes():
    for call in (lambda: torch.nn.init.eye_(torch.zeros(2, 2, 2)),
                 lambda: torch.nn.init.dirac_(torch.zeros(2, 2)),
                 lambda: torch.nn.init.dirac_(torch.zeros(5, 2, 3), groups=2),
                 lambda: torch.nn.init.sparse_(torch.zeros(2, 2, 2), 0.5)):
        with pytest.raises(ValueError):
            call()


@pytest.mark.parametrize("sparsity", [0.0, 0.1, 0.35, 1.0])
def test_sparse_zeros_a_fraction_of_each_column(sparsity):
    tidu.manual_seed(0)
    w = init.sparse_(np.ones((200, 300)), sparsity, std=0.5)
    zeros_per_column = (w == 0).sum(axis=0)
    assert np.all(zeros_per_column == math.ceil(sparsity * 200))
    rest = w[w != 0]
    if rest.size:
        assert abs(rest.std() - 0.5) <= Z * 0.5 / math.sqrt(2 * rest.size)
    ref = torch.nn.init.sparse_(torch.ones(200, 300), sparsity)
    assert np.all((ref == 0).sum(0).cpu().numpy() == math.ceil(sparsity * 200))


RANDOM = [("uniform_", {}), ("normal_", {}), ("xavier_uniform_", {}), ("xavier_normal_", {}),
          ("kaiming_uniform_", {}), ("kaiming_normal_", {}), ("orthogonal_", {}),
          ("trunc_normal_", {}), ("sparse_", {"sparsity": 0.2})]


@pytest.mark.parametrize("name, kwargs", RANDOM)
def test_generator_makes_draws_reproducible_and_leaves_the_global_stream(name, kwargs):
    fn = getattr(init, name)
    tidu.manual_seed(5)
    expected_next = tidu.random.generator().random(3)
    tidu.manual_seed(5)
    first = fn(np.zeros((6, 5)), generator=tidu.Generator().manual_seed(7), **kwargs)
    second = fn(np.zeros((6, 5)), generator=tidu.Generator().manual_seed(7), **kwargs)
    other = fn(np.zeros((6, 5)), generator=tidu.Generator().manual_seed(8), **kwargs)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(tidu.random.generator().random(3), expected_next)


@pytest.mark.parametrize("old, kwargs", [("uniform", {}), ("normal", {}), ("constant", {"val": 2}),
                                         ("eye", {}), ("xavier_uniform", {}),
                                         ("xavier_normal", {}), ("kaiming_uniform", {}),
                                         ("kaiming_normal", {}), ("orthogonal", {}),
                                         ("sparse", {"sparsity": 0.5})])
def test_deprecated_names_warn_and_initialize(old, kwargs):
    tidu.manual_seed(3)
    expected = getattr(init, old + "_")(np.zeros((4, 6)), **kwargs)
    tidu.manual_seed(3)
    with pytest.warns(FutureWarning, match=f"nn.init.{old} is deprecated in favor of "
                                           f"nn.init.{old}_"):
        got = getattr(init, old)(np.zeros((4, 6)), **kwargs)
    np.testing.assert_array_equal(got, expected)
    assert hasattr(torch.nn.init, old)  # PyTorch has the same deprecated name
    with pytest.warns(FutureWarning):
        init.dirac(np.zeros((2, 2, 3)))
