"""Tensor.fill_diagonal_ and renorm / Tensor.renorm / renorm_ against PyTorch float64."""
import numpy as np
import pytest
import torch

import tidu
from tidu.errors import ArgumentError, DimError, DTypeError, GraphError, ShapeError
from tests.oracle import assert_close, compare_fn, finite_difference_check


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("shape,wrap", [((4, 4), False), ((3, 5), False), ((7, 3), False),
                                        ((7, 3), True), ((8, 3), True), ((4, 3), True),
                                        ((3, 3, 3), False), ((2, 2, 2, 2), True)])
def test_fill_diagonal_matches_torch(shape, wrap):
    """Values and gradient (through a recorded graph: the tensor is a non-leaf)."""
    def ours(x):
        y = x * 1.0
        return y.fill_diagonal_(2.5, wrap=wrap)

    def ref(x):
        y = x * 1.0
        return y.fill_diagonal_(2.5, wrap=wrap)

    compare_fn(ours, ref, rand(*shape))


def test_fill_diagonal_returns_self_and_integer_tensors():
    t = tidu.zeros(2, 3, dtype=tidu.long)
    assert t.fill_diagonal_(1.5) is t
    np.testing.assert_array_equal(t.cpu().numpy(), torch.zeros(2, 3, dtype=torch.long)
                                  .fill_diagonal_(1.5).numpy())


def test_fill_diagonal_on_a_parameter_follows_inplace_rules():
    p = tidu.nn.Parameter(np.ones((3, 3)))
    with pytest.raises(GraphError, match="fill_diagonal_"):
        p.fill_diagonal_(0)
    with tidu.no_grad():
        p.fill_diagonal_(0)
    np.testing.assert_array_equal(p.detach().cpu().numpy(), 1 - np.eye(3))
    view = p.data
    view.fill_diagonal_(5)
    np.testing.assert_array_equal(np.diag(p.detach().cpu().numpy()), [5, 5, 5])


def test_fill_diagonal_errors_as_torch():
    for shape, msg in [((3,), "dimensions must larger than 1"),
                       ((3, 3, 2), "all dimensions of input must be of equal length")]:
        with pytest.raises(RuntimeError, match=msg):
            torch.zeros(shape).fill_diagonal_(1)
        with pytest.raises(ShapeError, match=msg):
            tidu.zeros(*shape).fill_diagonal_(1)
    with pytest.raises(ShapeError, match="one-element"):
        tidu.zeros(2, 2).fill_diagonal_(tidu.zeros(2))


@pytest.mark.parametrize("p", [1, 2, 3, 1.5, float("inf")])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_renorm_matches_torch(p, dim):
    x = rand(4, 5, 3)
    x[1] *= 0.05  # some sub-tensors below maxnorm, some above
    x[:, 2] *= 0.05
    compare_fn(lambda x: tidu.renorm(x, p, dim, 1.2), lambda x: torch.renorm(x, p, dim, 1.2), x)
    compare_fn(lambda x: x.renorm(p=p, dim=dim, maxnorm=1.2),
               lambda x: x.renorm(p=p, dim=dim, maxnorm=1.2), x)


def test_renorm_finite_differences_and_epsilon():
    x = rand(3, 4)
    finite_difference_check(lambda x: tidu.renorm(x, 2, 0, 0.8), x)
    y = tidu.renorm(tidu.tensor([[3.0, 4.0]], dtype=tidu.float64), 2, 0, 1.0).cpu().numpy()
    np.testing.assert_allclose(y, [[3.0, 4.0]] / np.float64(5 + 1e-7), rtol=1e-15)


def test_renorm_inplace_as_torch():
    x = rand(4, 3)
    t, r = tidu.tensor(x.copy()), torch.tensor(x.copy())
    assert t.renorm_(2, 0, 0.5) is t
    r.renorm_(2, 0, 0.5)
    assert_close(t, r, "renorm_")
    # on a parameter: refused outside no_grad, allowed inside (the max-norm constraint recipe)
    p = tidu.nn.Parameter(x.copy(), dtype=np.float64)
    with pytest.raises(GraphError, match="renorm_"):
        p.renorm_(2, 0, 0.5)
    with tidu.no_grad():
        p.copy_(tidu.renorm(p, p=2, dim=0, maxnorm=0.5))
    assert_close(p, r, "renorm under no_grad")
    # recorded in a graph: gradient through the in-place op
    compare_fn(lambda x: (x * 1.0).renorm_(2, 1, 0.7), lambda x: (x * 1.0).renorm_(2, 1, 0.7), x)


def test_renorm_errors_as_torch():
    cases = [((np.ones(3), 2, 0, 1.0), ShapeError, "at least 2 dimensions"),
             ((np.ones((3, 2)), 0, 0, 1.0), ArgumentError, "non-positive-norm"),
             ((np.ones((3, 2)), -1, 0, 1.0), ArgumentError, "non-positive-norm"),
             ((np.ones((3, 2)), 2, 0, -1.0), ArgumentError, "maxnorm to be >= 0"),
             ((np.ones((3, 2)), 2, 2, 1.0), DimError, "out of range"),
             ((np.ones((3, 2), dtype=np.int64), 2, 0, 1.0), DTypeError, "float")]
    for (x, p, dim, maxnorm), err, msg in cases:
        with pytest.raises((RuntimeError, IndexError)):
            torch.renorm(torch.tensor(x), p, dim, maxnorm)
        with pytest.raises(err, match=msg):
            tidu.renorm(tidu.tensor(x), p, dim, maxnorm)
