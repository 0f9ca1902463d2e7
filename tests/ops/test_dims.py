"""Every dim/axis argument is checked against the tensor's rank: an out-of-range dim raises
one `DimError` (an IndexError, as PyTorch) naming the op, the argument and the valid range,
never wraps silently onto another axis; valid negative dims mean what PyTorch means."""
import numpy as np
import pytest
import torch

import tidu
from tidu.errors import DimError, ShapeError
from tidu.nn import functional as F

from ..oracle import compare_fn

SHAPE = (2, 3, 4)
REDUCTIONS = {
    "sum": (tidu.sum, lambda t, d: t.sum(d)),
    "mean": (tidu.mean, lambda t, d: t.mean(d)),
    "amax": (tidu.amax, lambda t, d: t.amax(d)),  # max(dim) is PyTorch's (values, indices)
    "amin": (tidu.amin, lambda t, d: t.amin(d)),
    "var": (tidu.var, lambda t, d: t.var(d)),
    "std": (tidu.std, lambda t, d: t.std(d)),
}
BAD_DIMS = [3, 4, -4, -7, 100, (0, 3), (-4, 1)]


def _x(shape=SHAPE, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dim", BAD_DIMS, ids=str)
def test_reductions_refuse_out_of_range_dims(name, dim):
    fn, _ = REDUCTIONS[name]
    t = tidu.Tensor(_x(), requires_grad=True)
    with pytest.raises(DimError, match=rf"^{name}: axis=-?\d+ is out of range for a 3-D tensor"):
        fn(t, dim)
    with pytest.raises(IndexError):  # PyTorch's exception type, for code written against it
        getattr(t, name)(dim)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dim", [-1, -2, -3, 0, 2, (0, -1), (-3, -2)], ids=str)
def test_reductions_take_negative_dims_as_pytorch(name, dim):
    fn, torch_fn = REDUCTIONS[name]
    compare_fn(lambda t: fn(t, dim), lambda t: torch_fn(t, dim), _x())


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_refuse_a_repeated_dim(name):
    with pytest.raises(DimError, match="more than once"):
        REDUCTIONS[name][0](tidu.Tensor(_x()), (1, -2))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("dim", [None, 0, 1, 2, -1, -3])
def test_argmax_argmin_agree_with_pytorch(name, dim):
    x = _x()
    got = getattr(tidu.Tensor(x), name)(dim)
    want = getattr(torch.from_numpy(x), name)(dim)
    np.testing.assert_array_equal(got._data, want.numpy())
    assert got.dtype == np.int64


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("dim", [3, -4])
def test_argmax_argmin_refuse_out_of_range_dims(name, dim):
    with pytest.raises(DimError, match=rf"^{name}: axis={dim}"):
        getattr(tidu.Tensor(_x()), name)(dim)


@pytest.mark.parametrize("name", ["max", "min", "argmax"])
def test_extremes_of_an_empty_dim_are_refused(name):
    with pytest.raises(ShapeError, match=name):
        getattr(tidu.Tensor(np.zeros((0, 3))), name)(0)


SHAPE_OPS = {
    # op: (call with a bad dim, the argument the message must name)
    "softmax": (lambda t: F.softmax(t, 3), "dim=3"),
    "log_softmax": (lambda t: F.log_softmax(t, -4), "dim=-4"),
    "unsqueeze": (lambda t: t.unsqueeze(4), "dim=4"),
    "unsqueeze_neg": (lambda t: t.unsqueeze(-5), "dim=-5"),
    "squeeze": (lambda t: t.squeeze(3), "dim=3"),
    "transpose": (lambda t: t.transpose(0, 3), "dim1=3"),
    "transpose_neg": (lambda t: t.transpose(-4, 0), "dim0=-4"),
    "permute": (lambda t: t.permute(0, 1, 3), "dims=3"),
    "flatten": (lambda t: t.flatten(3), "start_dim=3"),
    "flatten_end": (lambda t: t.flatten(0, -4), "end_dim=-4"),
    "concatenate": (lambda t: tidu.cat([t, t], 3), "axis=3"),
    "stack": (lambda t: tidu.stack([t, t], 4), "axis=4"),
    "stack_neg": (lambda t: tidu.stack([t, t], -5), "axis=-5"),
}


@pytest.mark.parametrize("case", SHAPE_OPS)
def test_shape_ops_refuse_out_of_range_dims(case):
    call, arg = SHAPE_OPS[case]
    with pytest.raises(DimError) as info:
        call(tidu.Tensor(_x()))
    assert arg in str(info.value) and "out of range" in str(info.value)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, -3, None, (0, 2), (1, -1)], ids=str)
def test_squeeze_keeps_dims_that_are_not_1_as_pytorch(dim):
    x = _x((1, 3, 1))
    want = torch.from_numpy(x).squeeze() if dim is None else torch.from_numpy(x).squeeze(dim)
    got = tidu.Tensor(x).squeeze(dim)
    assert got.shape == tuple(want.shape)
    compare_fn(lambda t: t.squeeze(dim), lambda t: t.squeeze() if dim is None else t.squeeze(dim), x)


@pytest.mark.parametrize("args", [(0, 2), (-1, 0), (1, -1), (2, 2)], ids=str)
def test_transpose_and_flatten_take_negative_dims_as_pytorch(args):
    compare_fn(lambda t: t.transpose(*args), lambda t: t.transpose(*args), _x())
    start, end = sorted(a % 3 for a in args)
    compare_fn(lambda t: t.flatten(start - 3, end), lambda t: t.flatten(start - 3, end), _x())


def test_stack_and_unsqueeze_accept_one_past_the_last_dim():
    t = tidu.Tensor(_x())
    assert t.unsqueeze(3).shape == (2, 3, 4, 1)
    assert t.unsqueeze(-4).shape == (1, 2, 3, 4)
    assert tidu.stack([t, t], -1).shape == (2, 3, 4, 2)


def test_zero_dim_tensors_take_dims_0_and_minus_1_only():
    s = tidu.Tensor(3.0)
    assert s.sum(0).item() == 3.0 and s.sum(-1).item() == 3.0
    with pytest.raises(DimError):
        s.sum(1)


@pytest.mark.parametrize("dim", [2, -3, 5])
def test_size_refuses_out_of_range_dims(dim):
    t = tidu.Tensor(_x((2, 3)))
    assert (t.size(0), t.size(-1)) == (2, 3)
    with pytest.raises(DimError, match=rf"size: dim={dim}"):
        t.size(dim)
    with pytest.raises(DimError, match="0-d"):
        tidu.Tensor(1.0).size(0)
