"""Matrix product, batched and 1-D."""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tidu
from tests.oracle import compare_fn, finite_difference_check


@st.composite
def matmul_shapes(draw):
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    a_batch = tuple(draw(st.sampled_from([b, 1])) for b in batch)
    b_batch = batch[draw(st.integers(0, len(batch))):]
    a = draw(st.sampled_from([a_batch + (n, k), (k,)]))
    b = draw(st.sampled_from([b_batch + (k, m), (k,)]))
    return a, b


@given(shapes=matmul_shapes(), seed=st.integers(0, 2**16))
def test_matmul_matches_torch(shapes, seed):
    r = np.random.default_rng(seed)
    compare_fn(lambda a, b: a @ b, lambda a, b: a @ b,
               r.standard_normal(shapes[0]), r.standard_normal(shapes[1]))


@pytest.mark.parametrize("sa,sb", [((2, 3), (3, 4)), ((2, 1, 2, 3), (3, 3, 2)), ((3,), (2, 3, 2)),
                                   ((2, 3), (3,))])
def test_matmul_finite_differences(sa, sb):
    r = np.random.default_rng(0)
    finite_difference_check(lambda a, b: a @ b, r.standard_normal(sa), r.standard_normal(sb))


def test_matmul_shape_error():
    with pytest.raises(tidu.ShapeError, match=r"matmul: \(2, 3\) @ \(4, 5\): inner dimensions 3 and 4"):
        tidu.Tensor(np.ones((2, 3))) @ tidu.Tensor(np.ones((4, 5)))
