"""tidu.linalg.lstsq against torch.linalg.lstsq (float64, CPU): the four fields for every
driver, vectors and broadcast batches, the errors, and gradients through the solution (and
the residuals) against torch and finite differences."""
import doctest

import numpy as np
import pytest
import torch

import tidu
import tidu.linalg
from tidu.backend import to_numpy
from tidu.errors import ArgumentError, DTypeError, ShapeError

from .oracle import assert_close, compare_fn, finite_difference_check

RNG = np.random.default_rng(81)


def _pair(a_shape, b_shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(a_shape), rng.standard_normal(b_shape)


def _both(a, b, **kw):
    ours = tidu.linalg.lstsq(tidu.Tensor(a, dtype=np.float64), tidu.Tensor(b, dtype=np.float64), **kw)
    ref = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), **kw)
    return ours, ref


def _assert_same(ours, ref, what):
    assert type(ours).__name__ == "LstsqResult" and ours._fields == (
        "solution", "residuals", "rank", "singular_values")
    for field in ours._fields:
        mine, theirs = getattr(ours, field), getattr(ref, field)
        assert mine.dtype == {torch.float64: np.float64, torch.int64: np.int64}[theirs.dtype], \
            f"{what} {field}: dtype {mine.dtype} vs torch {theirs.dtype}"
        assert_close(mine, theirs, f"{what} {field}", rtol=1e-10, atol=1e-12)


SHAPES = [
    ((6, 3), (6, 2)),        # tall: residuals where the driver gives them
    ((6, 3), (6,)),          # one right-hand side as a vector
    ((3, 3), (3, 2)),        # square
    ((3, 5), (3, 2)),        # wide: the minimum-norm solution
    ((4, 6, 3), (4, 6, 2)),  # a batch
    ((1, 6, 3), (4, 6, 2)),  # A broadcast over B's batch
    ((4, 6, 3), (1, 6, 2)),  # B broadcast over A's batch
    ((2, 4, 6, 3), (2, 4, 6)),  # a batch of vectors
]


@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("a_shape,b_shape", SHAPES)
def test_fields_equal_torch(a_shape, b_shape, driver):
    a, b = _pair(a_shape, b_shape)
    ours, ref = _both(a, b, driver=driver)
    _assert_same(ours, ref, f"A{a_shape} B{b_shape} driver={driver}")


def test_rank_deficient_gelsd_gives_the_minimum_norm_solution_and_no_residuals():
    a, b = _pair((6, 3), (6, 2), seed=1)
    a[:, 0] = a[:, 1]
    ours, ref = _both(a, b, driver="gelsd")
    _assert_same(ours, ref, "rank 2 gelsd")
    assert int(ours.rank) == 2 and ours.residuals.shape == (0,)
    np.testing.assert_allclose(to_numpy(ours.solution._data), np.linalg.pinv(a) @ b, rtol=1e-10)


def test_one_rank_deficient_matrix_empties_the_batch_residuals():
    a, b = _pair((3, 6, 3), (3, 6, 2), seed=2)
    a[1, :, 2] = 0
    ours, ref = _both(a, b, driver="gelss")
    _assert_same(ours, ref, "batch with one rank-deficient A")
    assert ours.rank.tolist() == [3, 2, 3]


def test_rcond_sets_the_effective_rank():
    a = np.diag([1.0, 1e-3, 1e-8])[:, :3]
    a = np.vstack([a, np.ones((2, 3)) * 1e-12])
    b = RNG.standard_normal((5, 2))
    for rcond in (None, 1e-5, 1e-2, 0.5):
        ours, ref = _both(a, b, rcond=rcond, driver="gelsd")
        _assert_same(ours, ref, f"rcond={rcond}")
    assert int(tidu.linalg.lstsq(tidu.Tensor(a, dtype=np.float64), tidu.Tensor(b, dtype=np.float64),
                                 rcond=1e-5, driver="gelsd").rank) == 2


def test_float32_solution_close_to_torch():
    a, b = _pair((8, 3), (8, 2), seed=4)
    ours = tidu.linalg.lstsq(tidu.Tensor(a, dtype=np.float32), tidu.Tensor(b, dtype=np.float32))
    ref = torch.linalg.lstsq(torch.tensor(a, dtype=torch.float32), torch.tensor(b, dtype=torch.float32))
    assert ours.solution.dtype == np.float32
    np.testing.assert_allclose(to_numpy(ours.solution._data), ref.solution.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("a_shape,b_shape", [((6, 3), (6, 2)), ((6, 3), (6,)), ((3, 5), (3, 2)),
                                             ((4, 6, 3), (4, 6, 2)), ((1, 6, 3), (4, 6, 2)),
                                             ((3, 3), (3, 1))])
def test_gradient_of_the_solution_equals_torch(a_shape, b_shape):
    a, b = _pair(a_shape, b_shape, seed=5)
    compare_fn(lambda A, B: tidu.linalg.lstsq(A, B).solution,
               lambda A, B: torch.linalg.lstsq(A, B).solution, a, b, rtol=1e-9, atol=1e-11)


def test_gradient_of_solution_and_residuals_equals_torch_gelsd():
    a, b = _pair((7, 3), (7, 2), seed=6)
    compare_fn(lambda A, B: tidu.linalg.lstsq(A, B, driver="gelsd")[:2],
               lambda A, B: torch.linalg.lstsq(A, B, driver="gelsd")[:2], a, b,
               rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("a_shape,b_shape", [((5, 3), (5, 2)), ((2, 5), (2, 1)), ((2, 5, 3), (2, 5))])
def test_gradient_of_the_solution_by_finite_differences(a_shape, b_shape):
    a, b = _pair(a_shape, b_shape, seed=7)
    finite_difference_check(lambda A, B: tidu.linalg.lstsq(A, B).solution, a, b)


def test_pseudo_inverse_form_of_the_gradient():
    """For a full-rank tall A and L = Σ X·G: dL/dB = A⁺ᵀ G (PyTorch's, spelled out)."""
    a, b = _pair((6, 3), (6, 2), seed=8)
    g = RNG.standard_normal((3, 2))
    B = tidu.Tensor(b, dtype=np.float64, requires_grad=True)
    (tidu.linalg.lstsq(tidu.Tensor(a, dtype=np.float64), B).solution * tidu.Tensor(g, dtype=np.float64)).sum().backward()
    np.testing.assert_allclose(to_numpy(B.grad._data), np.linalg.pinv(a).T @ g, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("a,b,kw,error,words", [
    (np.ones((5,)), np.ones((5,)), {}, ShapeError, "at least 2 dimensions"),
    (np.ones((5, 3)), np.ones((4, 2)), {}, ShapeError, "rows (m) differ"),
    (np.ones((4, 5, 3)), np.ones((5, 2)), {}, ShapeError, "rows (m) differ"),
    (np.ones((5, 3)), np.ones((2, 5, 2)), {}, ShapeError, "B must be"),
    (np.ones((2, 5, 3)), np.ones((3, 5, 2)), {}, ShapeError, "do not broadcast"),
    (np.ones((5, 3)), np.ones((5, 2)), {"driver": "foo"}, ArgumentError, "driver"),
])
def test_bad_input_raises_where_torch_raises(a, b, kw, error, words):
    with pytest.raises(RuntimeError):
        torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), **kw)
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        tidu.linalg.lstsq(tidu.Tensor(a, dtype=np.float64), tidu.Tensor(b, dtype=np.float64), **kw)


def test_dtypes_refused_as_torch():
    with pytest.raises(RuntimeError):
        torch.linalg.lstsq(torch.ones(5, 3), torch.ones(5, 2, dtype=torch.float64))
    with pytest.raises(DTypeError, match="same dtype"):
        tidu.linalg.lstsq(tidu.ones((5, 3)), tidu.ones((5, 2), dtype=tidu.float64))
    with pytest.raises(DTypeError, match="float tensor"):
        tidu.linalg.lstsq(tidu.ones((5, 3), dtype=tidu.int64), tidu.ones((5, 2), dtype=tidu.int64))


def test_docstring_example_runs():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(tidu.linalg.lstsq, "lstsq", globs={}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 0
