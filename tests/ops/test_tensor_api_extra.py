"""The tensor ops the held-out compatibility scripts were missing (issue 11): bitwise ``& | ^
~``, integer true division's dtype, bincount, unfold, index_put(_), cdist and multinomial —
each against torch."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import compare_fn, finite_difference_check
from tidu.errors import ArgumentError, DTypeError, ShapeError

RNG = np.random.default_rng(7)


def _host(t):
    return t.cpu().numpy() if isinstance(t, tidu.Tensor) else t.cpu().numpy()


@pytest.mark.parametrize("op", ["__and__", "__or__", "__xor__"])
@pytest.mark.parametrize("dtype", [np.bool_, np.int64])
def test_bitwise_operators(op, dtype):
    a = RNG.integers(0, 4, 6).astype(dtype)
    b = RNG.integers(0, 4, 6).astype(dtype)
    ours = getattr(tidu.tensor(a), op)(tidu.tensor(b))
    theirs = getattr(torch.tensor(a), op)(torch.tensor(b))
    np.testing.assert_array_equal(_host(ours), theirs.cpu().numpy())
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(_host(~tidu.tensor(a)), (~torch.tensor(a)).cpu().numpy())
    mask = (tidu.tensor(a) > 1) & (tidu.tensor(b) < 2)   # the usual mask idiom
    np.testing.assert_array_equal(_host(mask), ((torch.tensor(a) > 1) & (torch.tensor(b) < 2)).cpu().numpy())


def test_bitwise_refuses_floats():
    with pytest.raises(DTypeError, match="bool and integer"):
        tidu.ones(2) & tidu.ones(2)


@pytest.mark.parametrize("expr", [lambda L: L.tensor([3, 4]) / 2, lambda L: L.tensor([3, 4]) * 0.5,
                                  lambda L: L.tensor([7, 9]) / L.tensor([2, 3]),
                                  lambda L: L.tensor([1, 2]).sum() / L.tensor([4, 4]).sum()])
def test_integer_true_division_gives_the_default_float_dtype(expr):
    ours, theirs = expr(tidu), expr(torch)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "") == "float32"
    np.testing.assert_allclose(_host(ours), theirs.cpu().numpy())


def test_bincount():
    x = RNG.integers(0, 5, 30)
    w = RNG.random(30)
    for kwargs in ({}, {"minlength": 8}):
        np.testing.assert_array_equal(_host(tidu.bincount(tidu.tensor(x), **kwargs)),
                                      torch.bincount(torch.tensor(x), **kwargs).cpu().numpy())
    np.testing.assert_allclose(_host(tidu.tensor(x).bincount(tidu.tensor(w))),
                               torch.tensor(x).bincount(torch.tensor(w)).cpu().numpy())
    with pytest.raises(ArgumentError, match="non-negative"):
        tidu.bincount(tidu.tensor([1, -1]))


@pytest.mark.parametrize("shape, dim, size, step", [((10,), 0, 3, 1), ((10,), 0, 4, 3),
                                                    ((3, 8, 2), 1, 2, 2), ((4, 5), -1, 5, 1)])
def test_unfold_windows_and_gradient(shape, dim, size, step):
    compare_fn(lambda a: a.unfold(dim, size, step), lambda a: a.unfold(dim, size, step),
               RNG.standard_normal(shape))
    finite_difference_check(lambda a: a.unfold(dim, size, step), RNG.standard_normal(shape))
    with pytest.raises(ShapeError, match="larger than"):
        tidu.zeros(3).unfold(0, 4, 1)


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put(accumulate):
    rows, cols = np.array([0, 2, 2]), np.array([1, 0, 0] if accumulate else [1, 0, 3])

    def run(a, v, lib):
        y = a * 1.0
        return y.index_put_((lib.tensor(rows), lib.tensor(cols)), v, accumulate=accumulate)

    compare_fn(lambda a, v: run(a, v, tidu), lambda a, v: run(a, v, torch),
               RNG.standard_normal((3, 4)), RNG.standard_normal(3))
    ours = tidu.zeros(3, 3, dtype=tidu.int64)
    theirs = torch.zeros(3, 3, dtype=torch.int64)
    for t, lib in ((ours, tidu), (theirs, torch)):     # a confusion matrix, counted in place
        t.index_put_((lib.tensor([0, 1, 1, 2]), lib.tensor([0, 1, 1, 0])),
                     lib.tensor(1), accumulate=True)
    np.testing.assert_array_equal(_host(ours), theirs.cpu().numpy())


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, float("inf")])
def test_cdist(p):
    x1, x2 = RNG.standard_normal((2, 5, 3)), RNG.standard_normal((2, 4, 3))
    compare_fn(lambda a, b: tidu.cdist(a, b, p=p), lambda a, b: torch.cdist(a, b, p=p), x1, x2)
    if p != float("inf"):
        finite_difference_check(lambda a, b: tidu.cdist(a, b, p=p), x1, x2)


def test_cdist_zero_distance_has_a_zero_gradient_and_errors():
    x = RNG.standard_normal((3, 2))
    compare_fn(lambda a, b: tidu.cdist(a, b), lambda a, b: torch.cdist(a, b), x, x.copy())
    with pytest.raises(ShapeError, match="features"):
        tidu.cdist(tidu.zeros(2, 3), tidu.zeros(2, 4))


def test_multinomial_with_replacement_follows_the_weights():
    w = tidu.tensor([[0.0, 1.0, 3.0], [5.0, 0.0, 5.0]])
    draws = tidu.multinomial(w, 20000, replacement=True, generator=tidu.manual_seed(0)).cpu().numpy()
    assert draws.shape == (2, 20000) and draws.dtype == np.int64
    freq = np.stack([np.bincount(r, minlength=3) / r.size for r in draws])
    np.testing.assert_allclose(freq, [[0, 0.25, 0.75], [0.5, 0, 0.5]], atol=0.015)
    same = tidu.multinomial(w, 5, True, generator=tidu.manual_seed(1)).cpu().numpy()
    np.testing.assert_array_equal(same, tidu.multinomial(w, 5, True,
                                                         generator=tidu.manual_seed(1)).cpu().numpy())


def test_multinomial_without_replacement_never_repeats_nor_draws_zero_weight():
    w = tidu.tensor([0.1, 0.0, 2.0, 1.0, 0.5])
    for seed in range(50):
        d = w.multinomial(4, generator=tidu.manual_seed(seed)).cpu().numpy()
        assert len(set(d.tolist())) == 4 and 1 not in d
    firsts = np.array([w.multinomial(1).item() for _ in range(4000)])
    np.testing.assert_allclose(np.bincount(firsts, minlength=5) / 4000,
                               w.cpu().numpy() / w.cpu().numpy().sum(), atol=0.03)
    with pytest.raises(ArgumentError, match="non-zero weight"):
        w.multinomial(5)
    with pytest.raises(ArgumentError, match="non-negative"):
        tidu.multinomial(tidu.tensor([1.0, -1.0]), 1)


# ----------------------------------------------------------------------------- second held-out batch
@pytest.mark.parametrize("kwargs", [{}, {"return_inverse": True}, {"return_counts": True},
                                    {"return_inverse": True, "return_counts": True},
                                    {"dim": 0, "return_inverse": True}])
def test_unique(kwargs):
    x = RNG.integers(0, 4, (5, 3))
    ours, theirs = tidu.unique(tidu.tensor(x), **kwargs), torch.unique(torch.tensor(x), **kwargs)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(_host(a), b.numpy())


@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, True), (-1, False)])
def test_mode_values_indices_and_gradient(dim, keepdim):
    x = RNG.integers(0, 3, (6, 7)).astype(np.float64)
    out = compare_fn(lambda a: a.mode(dim, keepdim=keepdim), lambda a: a.mode(dim, keepdim=keepdim), x)
    assert out._fields == ("values", "indices")


@pytest.mark.parametrize("name", ["lgamma", "digamma"])
def test_gamma_functions(name):
    x = np.abs(RNG.standard_normal((3, 4))) * 3 + 0.2
    compare_fn(getattr(tidu, name), getattr(torch, name), x)
    compare_fn(lambda a: getattr(a, name)(), lambda a: getattr(a, name)(), x)


def test_var_std_take_the_older_unbiased_keyword():
    x = RNG.standard_normal((4, 5))
    for name in ("var", "std"):
        for unbiased in (True, False):
            compare_fn(lambda a: getattr(a, name)(dim=1, unbiased=unbiased),
                       lambda a: getattr(a, name)(dim=1, unbiased=unbiased), x)
        compare_fn(lambda a: getattr(a, name)(False), lambda a: getattr(a, name)(False), x)
    with pytest.raises(ArgumentError, match="not both"):
        tidu.tensor(x).var(correction=0, unbiased=True)


@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
                                  "BoolTensor", "ByteTensor"])
def test_legacy_type_constructors(name):
    ours, theirs = getattr(tidu, name)([1, 0, 2]), getattr(torch, name)([1, 0, 2])
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(_host(ours), theirs.numpy())
    assert getattr(tidu, name)(2, 3).shape == tuple(getattr(torch, name)(2, 3).shape)


def test_hook_dicts_are_readable_as_torch():
    for lib in (tidu, torch):
        m = lib.nn.Tanh()
        handle = m.register_forward_hook(lambda *args: None)
        assert len(m._forward_hooks) == 1
        handle.remove()
        assert len(m._forward_hooks) == 0 and len(m._forward_pre_hooks) == 0
