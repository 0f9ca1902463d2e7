"""More of PyTorch's tensor API on tidu (issue 11, items 2 and 7): predicates, element-wise
ops, reductions, shape and index ops, linalg — each function and method against torch in
float64, forward and backward (tests/oracle.py), finite differences where a gradient is new,
and the errors for bad input."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import assert_close, compare_fn, finite_difference_check
from tidu.errors import ArgumentError, DimError, DTypeError, ShapeError

RNG = np.random.default_rng(111)


def _x(*shape, positive=False):
    x = RNG.standard_normal(shape)
    return np.abs(x) + 0.5 if positive else x


def _host(t):
    return t.cpu().numpy() if isinstance(t, tidu.Tensor) else t


def _same(out_t, out_p):
    """Exact agreement of no-grad results (bool / int tensors, tuples of them, Python values)."""
    if isinstance(out_p, (tuple, list)):
        assert isinstance(out_t, tuple) and len(out_t) == len(out_p)
        for a, b in zip(out_t, out_p):
            _same(a, b)
        return
    if isinstance(out_p, torch.Tensor):
        assert isinstance(out_t, tidu.Tensor) and not out_t.requires_grad
        expect = out_p.numpy()
        got = _host(out_t)
        assert got.dtype == expect.dtype, (got.dtype, expect.dtype)
        np.testing.assert_array_equal(got, expect)
        return
    assert type(out_t) is type(out_p) and out_t == out_p


# ----------------------------------------------------------------------------- predicates
SPECIAL = np.array([[1.0, np.nan, -np.inf], [np.inf, 0.0, -2.5]])


@pytest.mark.parametrize("name", ["isnan", "isfinite", "isinf"])
def test_value_predicates(name):
    _same(getattr(tidu, name)(tidu.tensor(SPECIAL)), getattr(torch, name)(torch.tensor(SPECIAL)))
    _same(getattr(tidu.tensor(SPECIAL), name)(), getattr(torch.tensor(SPECIAL), name)())
    ints = np.array([1, 0, -3])
    _same(getattr(tidu, name)(tidu.tensor(ints)), getattr(torch, name)(torch.tensor(ints)))


@pytest.mark.parametrize("kwargs", [{}, {"rtol": 1e-2}, {"atol": 0.2}, {"equal_nan": True}])
def test_isclose_and_allclose(kwargs):
    a = np.array([1.0, 2.0, np.nan, 100.0, 0.0])
    b = np.array([1.0 + 1e-9, 2.01, np.nan, 101.0, 0.1])
    _same(tidu.isclose(tidu.tensor(a), tidu.tensor(b), **kwargs),
          torch.isclose(torch.tensor(a), torch.tensor(b), **kwargs))
    _same(tidu.tensor(a).isclose(tidu.tensor(b), **kwargs),
          torch.tensor(a).isclose(torch.tensor(b), **kwargs))
    for x, y in ((a, b), (a[:2], b[:2]), (a[:1], b[:1] + 1)):
        _same(tidu.allclose(tidu.tensor(x), tidu.tensor(y), **kwargs),
              torch.allclose(torch.tensor(x), torch.tensor(y), **kwargs))
        _same(tidu.tensor(x).allclose(tidu.tensor(y), **kwargs),
              torch.tensor(x).allclose(torch.tensor(y), **kwargs))


def test_equal():
    a = np.arange(6.0).reshape(2, 3)
    for b in (a.copy(), a + 1e-12, a.reshape(3, 2), a[:1]):
        _same(tidu.equal(tidu.tensor(a), tidu.tensor(b)), torch.equal(torch.tensor(a), torch.tensor(b)))
        _same(tidu.tensor(a).equal(tidu.tensor(b)), torch.tensor(a).equal(torch.tensor(b)))


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_binary(name):
    a = np.array([[0.0, 1.0, -2.0], [3.0, 0.0, 0.0]])
    b = np.array([True, False, True])
    _same(getattr(tidu, name)(tidu.tensor(a), tidu.tensor(b)),
          getattr(torch, name)(torch.tensor(a), torch.tensor(b)))
    _same(getattr(tidu.tensor(a), name)(tidu.tensor(a)), getattr(torch.tensor(a), name)(torch.tensor(a)))
    with pytest.raises(ShapeError, match=name):
        getattr(tidu, name)(tidu.tensor(a), tidu.tensor(np.ones(4)))


def test_logical_not():
    a = np.array([0.0, 1.0, -2.0])
    _same(tidu.logical_not(tidu.tensor(a)), torch.logical_not(torch.tensor(a)))
    _same(tidu.tensor(a).logical_not(), torch.tensor(a).logical_not())


@pytest.mark.parametrize("x", [np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]]), np.array([0, 3, 0, 4]),
                               np.array(2.0), np.array(0.0), np.zeros((2, 0))])
def test_nonzero(x):
    _same(tidu.nonzero(tidu.tensor(x)), torch.nonzero(torch.tensor(x)))
    _same(tidu.tensor(x).nonzero(), torch.tensor(x).nonzero())
    _same(tidu.nonzero(tidu.tensor(x), as_tuple=True), torch.nonzero(torch.tensor(x), as_tuple=True))
    _same(tidu.tensor(x).nonzero(as_tuple=True), torch.tensor(x).nonzero(as_tuple=True))


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), -1])
def test_count_nonzero(dim):
    x = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    _same(tidu.count_nonzero(tidu.tensor(x), dim=dim), torch.count_nonzero(torch.tensor(x), dim=dim))
    _same(tidu.tensor(x).count_nonzero(dim), torch.tensor(x).count_nonzero(dim))


def test_is_nonzero():
    for x in (np.array([0.0]), np.array([[2.0]]), np.array(-1), np.array(False)):
        _same(tidu.is_nonzero(tidu.tensor(x)), torch.is_nonzero(torch.tensor(x)))
        _same(tidu.tensor(x).is_nonzero(), torch.tensor(x).is_nonzero())
    with pytest.raises(ShapeError, match="is_nonzero"):
        tidu.is_nonzero(tidu.zeros(2))


def test_predicates_refuse_non_tensors():
    with pytest.raises(TypeError, match="isnan"):
        tidu.isnan([1.0, 2.0])
    with pytest.raises(DimError, match="count_nonzero"):
        tidu.count_nonzero(tidu.zeros(2, 3), dim=2)


# ----------------------------------------------------------------------------- element-wise
UNARY_MORE = {"reciprocal": False, "trunc": False, "frac": False, "erf": False,
              "log2": True, "log10": True, "exp2": False}


@pytest.mark.parametrize("name", sorted(UNARY_MORE))
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_unary_more(name, shape):
    x = _x(*shape, positive=UNARY_MORE[name]) * 2.5
    compare_fn(getattr(tidu, name), getattr(torch, name), x)
    compare_fn(lambda a: getattr(a, name)(), lambda a: getattr(a, name)(), x)


@pytest.mark.parametrize("name", ["reciprocal", "frac", "erf", "log2", "log10", "exp2"])
def test_unary_more_finite_differences(name):
    finite_difference_check(getattr(tidu, name), _x(2, 3, positive=True) + 0.1)


def test_integer_inputs_give_floats():
    ints = np.array([1, 2, 4])
    for name in ("reciprocal", "log2", "exp2", "erf"):
        out = getattr(tidu, name)(tidu.tensor(ints))
        expect = getattr(torch, name)(torch.tensor(ints))
        assert out.dtype == np.float32 and expect.dtype == torch.float32
        np.testing.assert_allclose(_host(out), expect.numpy(), rtol=1e-6)


BINARY = ["remainder", "fmod", "atan2", "hypot"]


@pytest.mark.parametrize("name", BINARY)
def test_binary_more(name):
    a, b = _x(3, 4) * 5, _x(4, positive=True) * 1.3
    compare_fn(getattr(tidu, name), getattr(torch, name), a, b)
    compare_fn(lambda x, y: getattr(x, name)(y), lambda x, y: getattr(x, name)(y), a, -b)
    if name in ("remainder", "fmod"):  # torch's atan2 and hypot take tensors only
        compare_fn(lambda x: getattr(tidu, name)(x, 1.7), lambda x: getattr(torch, name)(x, 1.7), a)
    finite_difference_check(getattr(tidu, name), a, b)


def test_mod_and_floordiv_operators():
    a, b = _x(3, 4) * 5, _x(4, positive=True)
    compare_fn(lambda x, y: x % y, lambda x, y: x % y, a, b)
    compare_fn(lambda x: x % 2.0, lambda x: x % 2.0, a)
    compare_fn(lambda x, y: tidu.floor_divide(x, y), lambda x, y: torch.floor_divide(x, y), a, b,
               grad=False)
    compare_fn(lambda x, y: x // y, lambda x, y: x // y, a, b, grad=False)
    ints = np.array([7, -7, 5])
    _same(tidu.tensor(ints) // 2, torch.tensor(ints) // 2)
    _same(tidu.tensor(ints) % 3, torch.tensor(ints) % 3)
    compare_fn(tidu.true_divide, torch.true_divide, a, b)


@pytest.mark.parametrize("weight", [0.25, 0.8, "tensor"])
def test_lerp(weight):
    s, e = _x(3, 4), _x(3, 4)
    if weight == "tensor":
        compare_fn(tidu.lerp, torch.lerp, s, e, _x(4))
        compare_fn(lambda a, b, w: a.lerp(b, w), lambda a, b, w: a.lerp(b, w), s, e, _x(3, 4))
    else:
        compare_fn(lambda a, b: tidu.lerp(a, b, weight), lambda a, b: torch.lerp(a, b, weight), s, e)
        compare_fn(lambda a, b: a.lerp(b, weight), lambda a, b: a.lerp(b, weight), s, e)


@pytest.mark.parametrize("kwargs", [{}, {"nan": 2.0}, {"nan": 1.0, "posinf": 9.0, "neginf": -9.0}])
def test_nan_to_num(kwargs):
    compare_fn(lambda a: tidu.nan_to_num(a, **kwargs), lambda a: torch.nan_to_num(a, **kwargs), SPECIAL)
    compare_fn(lambda a: a.nan_to_num(**kwargs), lambda a: a.nan_to_num(**kwargs), SPECIAL)


def test_clamp_min_max():
    x = _x(3, 4)
    compare_fn(lambda a: tidu.clamp_min(a, 0.1), lambda a: torch.clamp_min(a, 0.1), x)
    compare_fn(lambda a: a.clamp_max(-0.2), lambda a: a.clamp_max(-0.2), x)


@pytest.mark.parametrize("dim", [0, -1])
def test_softmax_and_log_softmax(dim):
    x = _x(3, 5)
    compare_fn(lambda a: tidu.softmax(a, dim), lambda a: torch.softmax(a, dim), x)
    compare_fn(lambda a: a.softmax(dim), lambda a: a.softmax(dim), x)
    compare_fn(lambda a: tidu.log_softmax(a, dim=dim), lambda a: torch.log_softmax(a, dim=dim), x)
    compare_fn(lambda a: a.log_softmax(dim), lambda a: a.log_softmax(dim), x)


# ----------------------------------------------------------------------------- reductions
PROD_CASES = [((3, 4), None, False), ((3, 4), 1, False), ((3, 4), 0, True), ((2, 3, 4), -2, False),
              ((), None, False), ((5,), 0, False)]


@pytest.mark.parametrize("shape, dim, keepdim", PROD_CASES)
def test_prod(shape, dim, keepdim):
    x = _x(*shape)
    if dim is None:
        compare_fn(tidu.prod, torch.prod, x)
        compare_fn(lambda a: a.prod(), lambda a: a.prod(), x)
    else:
        compare_fn(lambda a: tidu.prod(a, dim, keepdim), lambda a: torch.prod(a, dim, keepdim), x)
        compare_fn(lambda a: a.prod(dim=dim, keepdim=keepdim),
                   lambda a: a.prod(dim=dim, keepdim=keepdim), x)


def test_prod_gradient_with_zeros():
    x = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0], [1.5, -2.0, 0.5]])
    compare_fn(lambda a: a.prod(1), lambda a: a.prod(1), x)
    compare_fn(lambda a: a.prod(), lambda a: a.prod(), x[0])
    compare_fn(lambda a: a.prod(), lambda a: a.prod(), x[1])
    finite_difference_check(lambda a: a.prod(0), x)
    _same(tidu.tensor(np.array([[1, 2], [3, 4]])).prod(1), torch.tensor([[1, 2], [3, 4]]).prod(1))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod(dim):
    x = _x(3, 4)
    compare_fn(lambda a: tidu.cumprod(a, dim), lambda a: torch.cumprod(a, dim), x)
    compare_fn(lambda a: a.cumprod(dim=dim), lambda a: a.cumprod(dim=dim), x)
    z = x.copy()
    z[1, 1] = z[2, 0] = z[2, 3] = 0.0
    compare_fn(lambda a: a.cumprod(dim), lambda a: a.cumprod(dim), z)
    finite_difference_check(lambda a: a.cumprod(dim), z)


@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, True), ((0, 1), False), (-1, False)])
def test_logsumexp(dim, keepdim):
    x = _x(3, 4) * 30
    compare_fn(lambda a: tidu.logsumexp(a, dim, keepdim), lambda a: torch.logsumexp(a, dim, keepdim), x)
    compare_fn(lambda a: a.logsumexp(dim=dim, keepdim=keepdim),
               lambda a: a.logsumexp(dim=dim, keepdim=keepdim), x)
    finite_difference_check(lambda a: tidu.logsumexp(a, dim), _x(2, 3))


def test_logsumexp_of_minus_inf_rows():
    x = np.array([[-np.inf, -np.inf], [0.0, -np.inf]])
    compare_fn(lambda a: tidu.logsumexp(a, 1), lambda a: torch.logsumexp(a, 1), x, grad=False)


NORM_CASES = [("fro", None, False), (2, None, False), (1, 1, False), (float("inf"), 0, True),
              (-float("inf"), 1, False), (3, (0, 1), False), (0.5, 1, False), ("fro", (0, 1), True),
              (2, -1, True)]


@pytest.mark.parametrize("p, dim, keepdim", NORM_CASES)
def test_norm(p, dim, keepdim):
    x = _x(3, 4)
    compare_fn(lambda a: tidu.norm(a, p, dim, keepdim), lambda a: torch.norm(a, p, dim, keepdim), x)
    compare_fn(lambda a: a.norm(p=p, dim=dim, keepdim=keepdim),
               lambda a: a.norm(p=p, dim=dim, keepdim=keepdim), x)


def test_norm_p0_counts_nonzeros():
    x = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    compare_fn(lambda a: a.norm(p=0, dim=1), lambda a: a.norm(p=0, dim=1), x, grad=False)
    compare_fn(lambda a: tidu.linalg.vector_norm(a, 0), lambda a: torch.linalg.vector_norm(a, 0), x,
               grad=False)


def test_norm_defaults_zero_vectors_and_finite_differences():
    compare_fn(lambda a: a.norm(), lambda a: a.norm(), _x(2, 3, 4))
    compare_fn(lambda a: a.norm(dim=1), lambda a: a.norm(dim=1), np.array([[0.0, 0.0], [3.0, 4.0]]))
    for p in (2, 1, 3, float("inf")):
        finite_difference_check(lambda a: tidu.norm(a, p, 1), _x(3, 4))


@pytest.mark.parametrize("ord, dim", [(2, None), (1, 1), (float("inf"), None), (3.5, (0, 1)), (-1, 0)])
def test_linalg_vector_norm_and_norm(ord, dim):
    x = _x(3, 4)
    compare_fn(lambda a: tidu.linalg.vector_norm(a, ord, dim),
               lambda a: torch.linalg.vector_norm(a, ord, dim), x)
    compare_fn(lambda a: tidu.linalg.norm(a), lambda a: torch.linalg.norm(a), x)
    compare_fn(lambda a: tidu.linalg.norm(a, "fro"), lambda a: torch.linalg.norm(a, "fro"), x)
    compare_fn(lambda a: tidu.linalg.norm(a, 1, dim=1), lambda a: torch.linalg.norm(a, 1, dim=1), x)
    compare_fn(lambda a: tidu.linalg.norm(a, 3), lambda a: torch.linalg.norm(a, 3), x[0])


def test_norm_refusals():
    x = tidu.tensor(_x(3, 4))
    with pytest.raises(ArgumentError, match="nuc"):
        x.norm(p="nuc")
    with pytest.raises(ArgumentError, match="matrix norm"):
        tidu.linalg.norm(x, 2)
    with pytest.raises(DTypeError, match="norm"):
        tidu.norm(tidu.tensor(np.array([1, 2])))
    with pytest.raises(DimError, match="norm"):
        x.norm(dim=2)


@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, True), (-1, False)])
def test_median(dim, keepdim):
    x = RNG.permutation(24).reshape(4, 6).astype(float)  # distinct values
    compare_fn(lambda a: tidu.median(a), lambda a: torch.median(a), x)
    compare_fn(lambda a: a.median(), lambda a: a.median(), x[:, :5])
    compare_fn(lambda a: tidu.median(a, dim, keepdim), lambda a: torch.median(a, dim, keepdim), x)
    compare_fn(lambda a: a.median(dim=dim, keepdim=keepdim), lambda a: a.median(dim=dim, keepdim=keepdim), x)
    values, indices = tidu.median(tidu.tensor(x), dim)
    assert indices.dtype == np.int64 and values.shape == indices.shape


def test_median_ties_share_the_gradient():
    compare_fn(lambda a: a.median(), lambda a: a.median(), np.array([1.0, 2.0, 2.0, 3.0, 2.0]))


@pytest.mark.parametrize("dim, keepdim, correction", [(None, False, 1), (0, True, 0), ((0, 1), False, 1)])
def test_var_mean_std_mean(dim, keepdim, correction):
    x = _x(3, 4)
    compare_fn(lambda a: tidu.var_mean(a, dim, correction=correction, keepdim=keepdim),
               lambda a: torch.var_mean(a, dim, correction=correction, keepdim=keepdim), x)
    compare_fn(lambda a: tidu.std_mean(a, dim, correction=correction, keepdim=keepdim),
               lambda a: torch.std_mean(a, dim, correction=correction, keepdim=keepdim), x)


@pytest.mark.parametrize("kwargs", [{}, {"dim": 0}, {"dim": 1, "keepdim": True}])
def test_aminmax(kwargs):
    x = _x(3, 4)
    out = compare_fn(lambda a: tidu.aminmax(a, **kwargs), lambda a: torch.aminmax(a, **kwargs), x)
    assert out.min.shape == out.max.shape
    compare_fn(lambda a: a.aminmax(**kwargs), lambda a: a.aminmax(**kwargs), x)


# ----------------------------------------------------------------------------- shape
SHAPE_MORE = {
    "chunk3": (lambda a: a.chunk(3), lambda a: a.chunk(3), (7, 2)),
    "chunk_dim": (lambda a: tidu.chunk(a, 2, dim=1), lambda a: torch.chunk(a, 2, dim=1), (3, 5)),
    "chunk_more_than_size": (lambda a: a.chunk(6), lambda a: a.chunk(6), (4,)),
    "chunk_6_of_5": (lambda a: a.chunk(4, 1), lambda a: a.chunk(4, 1), (2, 6)),
    "split_int": (lambda a: a.split(2), lambda a: a.split(2), (5, 3)),
    "split_list": (lambda a: tidu.split(a, [1, 3, 0, 1], dim=1), lambda a: torch.split(a, [1, 3, 0, 1], dim=1),
                   (2, 5)),
    "unbind": (lambda a: a.unbind(), lambda a: a.unbind(), (3, 4)),
    "unbind_dim": (lambda a: tidu.unbind(a, -1), lambda a: torch.unbind(a, -1), (3, 4)),
    "narrow": (lambda a: a.narrow(1, 1, 2), lambda a: a.narrow(1, 1, 2), (3, 4)),
    "narrow_neg": (lambda a: tidu.narrow(a, 0, -2, 2), lambda a: torch.narrow(a, 0, -2, 2), (3, 4)),
    "flip": (lambda a: tidu.flip(a, [0, 2]), lambda a: torch.flip(a, [0, 2]), (2, 3, 4)),
    "flip_varargs": (lambda a: a.flip(-1), lambda a: a.flip(-1), (2, 3)),
    "roll_flat": (lambda a: a.roll(2), lambda a: a.roll(2), (3, 4)),
    "roll_dims": (lambda a: tidu.roll(a, (1, -2), (0, 1)), lambda a: torch.roll(a, (1, -2), (0, 1)), (3, 4)),
    "roll_one_dim": (lambda a: a.roll(-1, 1), lambda a: a.roll(-1, 1), (3, 4)),
    "tril": (lambda a: a.tril(), lambda a: a.tril(), (4, 5)),
    "tril_k": (lambda a: tidu.tril(a, -1), lambda a: torch.tril(a, -1), (2, 4, 4)),
    "triu": (lambda a: a.triu(1), lambda a: a.triu(1), (4, 3)),
    "triu_fn": (lambda a: tidu.triu(a, diagonal=-1), lambda a: torch.triu(a, diagonal=-1), (3, 3)),
    "tile": (lambda a: a.tile(2), lambda a: a.tile(2), (2, 3)),
    "tile_more": (lambda a: tidu.tile(a, (2, 1, 3)), lambda a: torch.tile(a, (2, 1, 3)), (2, 3)),
    "repeat_interleave": (lambda a: a.repeat_interleave(2), lambda a: a.repeat_interleave(2), (2, 3)),
    "repeat_interleave_dim": (lambda a: tidu.repeat_interleave(a, 3, dim=1),
                              lambda a: torch.repeat_interleave(a, 3, dim=1), (2, 3)),
    "repeat_interleave_tensor": (lambda a: a.repeat_interleave(tidu.tensor([1, 0, 2]), dim=0),
                                 lambda a: a.repeat_interleave(torch.tensor([1, 0, 2]), dim=0), (3, 2)),
    "unflatten": (lambda a: a.unflatten(1, (2, -1)), lambda a: a.unflatten(1, (2, -1)), (3, 6)),
    "broadcast_to": (lambda a: tidu.broadcast_to(a, (2, 3, 4)), lambda a: torch.broadcast_to(a, (2, 3, 4)),
                     (3, 1)),
    "reshape_as": (lambda a: a.reshape_as(tidu.zeros(6, 2)), lambda a: a.reshape_as(torch.zeros(6, 2)),
                   (3, 4)),
    "ravel": (lambda a: a.ravel(), lambda a: a.ravel(), (3, 4)),
    "movedim": (lambda a: tidu.movedim(a, 0, -1), lambda a: torch.movedim(a, 0, -1), (2, 3, 4)),
    "movedim_tuple": (lambda a: a.movedim((0, 1), (2, 0)), lambda a: a.movedim((0, 1), (2, 0)), (2, 3, 4)),
    "swapaxes": (lambda a: a.swapaxes(0, 2), lambda a: a.swapaxes(0, 2), (2, 3, 4)),
    "swapdims": (lambda a: tidu.swapdims(a, 0, 1), lambda a: torch.swapdims(a, 0, 1), (2, 3)),
    "mT": (lambda a: a.mT, lambda a: a.mT, (2, 3, 4)),
}


@pytest.mark.parametrize("name", sorted(SHAPE_MORE))
def test_shape_more(name):
    tf, pf, shape = SHAPE_MORE[name]
    compare_fn(tf, pf, _x(*shape))


@pytest.mark.parametrize("call, error, match", [
    (lambda a: a.split([1, 1]), ShapeError, "add up to"),
    (lambda a: a.chunk(0), ArgumentError, "chunks"),
    (lambda a: a.narrow(1, 2, 5), ShapeError, "exceeds"),
    (lambda a: a.narrow(3, 0, 1), DimError, "narrow"),
    (lambda a: tidu.tril(a[0]), DimError, "tril"),
    (lambda a: a.flip(0, 0), DimError, "flip"),
    (lambda a: a.roll((1, 2), 0), ArgumentError, "roll"),
    (lambda a: a.unbind(2), DimError, "unbind"),
    (lambda a: a[0].mT, DimError, "mT"),
    (lambda a: a.movedim(0, 5), DimError, "movedim"),
    (lambda a: a.repeat_interleave(tidu.tensor([1, 2])), ShapeError, "repeat_interleave"),
    (lambda a: a.unflatten(1, (3, 3)), ShapeError, "reshape"),
])
def test_shape_more_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(tidu.tensor(_x(3, 4)))


def test_split_pieces_share_one_gradient():
    x = tidu.tensor(_x(5, 2), requires_grad=True)
    a, b, c = x.split(2)
    (a.sum() + 2 * b.sum() + 3 * c.sum()).backward()
    np.testing.assert_array_equal(_host(x.grad)[:, 0], [1, 1, 2, 2, 3])


# ----------------------------------------------------------------------------- indexing
@pytest.mark.parametrize("dim, descending", [(-1, False), (0, True), (1, True)])
def test_argsort(dim, descending):
    x = np.round(_x(4, 5), 1)
    x[0, :2] = x[1, 0] = 0.5  # ties: stable order in both directions
    expect = torch.argsort(torch.tensor(x), dim=dim, descending=descending, stable=True)
    _same(tidu.argsort(tidu.tensor(x), dim=dim, descending=descending), expect)
    _same(tidu.tensor(x).argsort(dim, descending), expect)


def test_masked_select():
    x = _x(3, 4)
    mask = x > 0.2
    compare_fn(lambda a: tidu.masked_select(a, tidu.tensor(mask)),
               lambda a: torch.masked_select(a, torch.tensor(mask)), x)
    row = np.array([True, False, True, True])
    compare_fn(lambda a: a.masked_select(tidu.tensor(row)), lambda a: a.masked_select(torch.tensor(row)), x)
    compare_fn(lambda a: a.masked_select(tidu.tensor(mask)), lambda a: a.masked_select(torch.tensor(mask)),
               x[0:1])  # the input broadcast to the mask: its gradient sums the copies
    with pytest.raises(DTypeError, match="masked_select"):
        tidu.masked_select(tidu.tensor(x), tidu.tensor(x))


@pytest.mark.parametrize("dim, alpha", [(0, 1), (1, 2.5), (-1, 1)])
def test_index_add(dim, alpha):
    x = _x(4, 5)
    index = np.array([0, 2, 0])
    shape = list(x.shape)
    shape[dim] = 3
    src = _x(*shape)
    compare_fn(lambda a, s: tidu.index_add(a, dim, tidu.tensor(index), s, alpha=alpha),
               lambda a, s: torch.index_add(a, dim, torch.tensor(index), s, alpha=alpha), x, src)
    compare_fn(lambda a, s: a.index_add(dim, tidu.tensor(index), s, alpha=alpha),
               lambda a, s: a.index_add(dim, torch.tensor(index), s, alpha=alpha), x, src)
    compare_fn(lambda a, s: (a * 1).index_add_(dim, tidu.tensor(index), s, alpha=alpha),
               lambda a, s: (a * 1).index_add_(dim, torch.tensor(index), s, alpha=alpha), x, src)


def test_index_fill():
    x = _x(3, 4)
    index = np.array([1, 3])
    compare_fn(lambda a: tidu.index_fill(a, 1, tidu.tensor(index), -1.5),
               lambda a: torch.index_fill(a, 1, torch.tensor(index), -1.5), x)
    compare_fn(lambda a: a.index_fill(0, tidu.tensor([2]), 7.0),
               lambda a: a.index_fill(0, torch.tensor([2]), 7.0), x)
    compare_fn(lambda a, v: (a * 1).index_fill_(1, tidu.tensor(index), v),
               lambda a, v: (a * 1).index_fill_(1, torch.tensor(index), v), x, np.array(0.3))


def test_scatter_add_in_place():
    x = _x(3, 4)
    index = np.array([[0, 1, 2, 0], [2, 2, 1, 0]])
    compare_fn(lambda a, s: (a * 1).scatter_add_(0, tidu.tensor(index), s),
               lambda a, s: (a * 1).scatter_add_(0, torch.tensor(index), s), x, _x(2, 4))


def test_in_place_index_ops_under_no_grad_update_a_parameter():
    w = tidu.tensor(np.zeros((3, 2)), requires_grad=True)
    with tidu.no_grad():
        w.index_add_(0, tidu.tensor([0, 0, 2]), tidu.ones(3, 2, dtype=np.float64))
        w.index_fill_(1, tidu.tensor([1]), 5.0)
    np.testing.assert_array_equal(_host(w), [[2, 5], [0, 5], [1, 5]])
    with pytest.raises(tidu.GraphError, match="index_fill_"):
        w.index_fill_(1, tidu.tensor([1]), 5.0)


def test_take():
    x = _x(3, 4)
    index = np.array([[0, 5], [11, 5]])
    compare_fn(lambda a: tidu.take(a, tidu.tensor(index)), lambda a: torch.take(a, torch.tensor(index)), x)
    compare_fn(lambda a: a.take(tidu.tensor([-1, 0])), lambda a: a.take(torch.tensor([-1, 0])), x)
    with pytest.raises(IndexError, match="take"):
        tidu.take(tidu.tensor(x), tidu.tensor([12]))


def test_index_errors():
    x = tidu.tensor(_x(3, 4))
    with pytest.raises(ShapeError, match="index_add"):
        x.index_add(0, tidu.tensor([0, 1]), tidu.tensor(_x(3, 4)))
    with pytest.raises(DTypeError, match="index_fill"):
        x.index_fill(0, tidu.tensor([0.5]), 1.0)
    with pytest.raises(tidu.IndexRangeError, match="index_add"):
        x.index_add(0, tidu.tensor([3]), tidu.tensor(_x(1, 4)))


# ----------------------------------------------------------------------------- linalg
def test_dot_outer_mv():
    a, b = _x(5), _x(5)
    compare_fn(tidu.dot, torch.dot, a, b)
    compare_fn(lambda x, y: x.dot(y), lambda x, y: x.dot(y), a, b)
    compare_fn(tidu.outer, torch.outer, a, _x(3))
    compare_fn(lambda x, y: x.outer(y), lambda x, y: x.outer(y), a, _x(3))
    compare_fn(tidu.mv, torch.mv, _x(3, 5), a)
    compare_fn(lambda m, v: m.mv(v), lambda m, v: m.mv(v), _x(3, 5), a)
    with pytest.raises(ShapeError, match="dot"):
        tidu.dot(tidu.tensor(a), tidu.tensor(_x(4)))
    with pytest.raises(ShapeError, match="outer"):
        tidu.outer(tidu.tensor(_x(2, 2)), tidu.tensor(a))


@pytest.mark.parametrize("beta, alpha, shape", [(1, 1, (3, 4)), (0.5, 2.0, (4,)), (2, 1, (3, 1))])
def test_addmm(beta, alpha, shape):
    compare_fn(lambda c, a, b: tidu.addmm(c, a, b, beta=beta, alpha=alpha),
               lambda c, a, b: torch.addmm(c, a, b, beta=beta, alpha=alpha), _x(*shape), _x(3, 2), _x(2, 4))
    compare_fn(lambda c, a, b: c.addmm(a, b), lambda c, a, b: c.addmm(a, b), _x(*shape), _x(3, 2), _x(2, 4))


@pytest.mark.parametrize("shape, k", [((4,), 0), ((3,), 1), ((3,), -2), ((3, 4), 0), ((4, 3), 1), ((3, 5), -1)])
def test_diag(shape, k):
    compare_fn(lambda a: tidu.diag(a, k), lambda a: torch.diag(a, k), _x(*shape))
    compare_fn(lambda a: a.diag(diagonal=k), lambda a: a.diag(diagonal=k), _x(*shape))


def test_trace():
    for shape in ((4, 4), (3, 5)):
        compare_fn(tidu.trace, torch.trace, _x(*shape))
        compare_fn(lambda a: a.trace(), lambda a: a.trace(), _x(*shape))
    with pytest.raises(ShapeError, match="trace"):
        tidu.trace(tidu.tensor(_x(3)))


EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 2)]),
    ("ij,kj", [(3, 4), (2, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,i->", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("ij,ij->i", [(3, 4), (3, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ik,jk->ij", [(3, 1), (2, 4)]),
    ("ij,j->i", [(3, 4), (1,)]),
    ("ijk->ik", [(2, 3, 4)]),
    ("ij,kl->i", [(2, 3), (4, 5)]),
]


@pytest.mark.parametrize("equation, shapes", EINSUM)
def test_einsum(equation, shapes):
    arrays = [_x(*s) for s in shapes]
    compare_fn(lambda *ts: tidu.einsum(equation, *ts), lambda *ts: torch.einsum(equation, *ts), *arrays)
    compare_fn(lambda *ts: tidu.einsum(equation, list(ts)), lambda *ts: torch.einsum(equation, list(ts)),
               *arrays)


def test_einsum_finite_differences_and_errors():
    finite_difference_check(lambda a, b: tidu.einsum("bij,bkj->bik", a, b), _x(2, 3, 2), _x(2, 2, 2))
    finite_difference_check(lambda a, b: tidu.einsum("ij,kl->i", a, b), _x(2, 3), _x(2, 2))
    compare_fn(lambda a: tidu.einsum("ii->i", a), lambda a: torch.einsum("ii->i", a), _x(3, 3), grad=False)
    with pytest.raises(ShapeError, match="einsum"):
        tidu.einsum("ij,jk->ik", tidu.tensor(_x(2, 3)), tidu.tensor(_x(4, 2)))
    with pytest.raises(ShapeError, match="einsum"):
        tidu.einsum("ij,jk->ik", tidu.tensor(_x(2, 3)))
    with pytest.raises(ShapeError, match="repeated"):
        tidu.einsum("ii->i", tidu.tensor(_x(3, 3), requires_grad=True))


def test_results_agree_in_float32_too():
    x = _x(3, 4).astype(np.float32)
    assert_close(tidu.tensor(x).norm(dim=1), torch.tensor(x).norm(dim=1), "norm float32", rtol=1e-6)
    assert tidu.tensor(x).logsumexp(1).dtype == np.float32
