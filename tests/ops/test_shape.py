"""Shape ops: reshape, permute/transpose, indexing (scatter, accumulation), concatenate,
stack, pad."""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tidu
from tests.oracle import compare_fn, finite_difference_check

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4, 2))

CASES = {
    "reshape": (lambda t: t.reshape(4, 6), lambda t: t.reshape(4, 6)),
    "reshape_infer": (lambda t: t.reshape((2, -1)), lambda t: t.reshape(2, -1)),
    "flatten": (lambda t: t.flatten(1), lambda t: t.flatten(1)),
    "unsqueeze_squeeze": (lambda t: t.unsqueeze(1).squeeze(1) * t, lambda t: t.unsqueeze(1).squeeze(1) * t),
    "permute": (lambda t: t.permute(2, 0, 1), lambda t: t.permute(2, 0, 1)),
    "transpose": (lambda t: t.transpose(0, 2), lambda t: t.transpose(0, 2)),
    "T": (lambda t: t.reshape(12, 2).T, lambda t: t.reshape(12, 2).T),
    "slice": (lambda t: t[1:, ::2, 0], lambda t: t[1:, ::2, 0]),
    "negative_step_free_slice": (lambda t: t[-1], lambda t: t[-1]),
    "int_array_index": (lambda t: t[[0, 2, 0, 0]], lambda t: t[[0, 2, 0, 0]]),
    "mixed_index": (lambda t: t[np.array([1, 1, 2]), :, np.array([0, 0, 1])],
                    lambda t: t[torch.tensor([1, 1, 2]), :, torch.tensor([0, 0, 1])]),
    "bool_mask": (lambda t: t[np.asarray(X > 0)], lambda t: t[torch.from_numpy(X > 0)]),
    "ellipsis": (lambda t: t[..., 1], lambda t: t[..., 1]),
    "pad": (lambda t: tidu.pad(t, ((1, 0), (0, 2), (1, 1)), value=0.5),
            lambda t: torch.nn.functional.pad(t, (1, 1, 0, 2, 1, 0), value=0.5)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_ops_match_torch(name):
    compare_fn(*CASES[name], X)


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_ops_finite_differences(name):
    finite_difference_check(CASES[name][0], X)


def test_repeated_indices_accumulate():
    x = tidu.Tensor(np.arange(4.0), requires_grad=True)
    x[np.array([1, 1, 1, 3])].sum().backward()
    np.testing.assert_array_equal(x.grad._data, [0, 3, 0, 1])


def test_index_with_tensor():
    idx = tidu.Tensor(np.array([2, 0]))
    compare_fn(lambda t: t[idx], lambda t: t[torch.tensor([2, 0])], X)


@given(n=st.integers(1, 4), axis=st.integers(-2, 1), seed=st.integers(0, 1000))
def test_concatenate_and_stack(n, axis, seed):
    r = np.random.default_rng(seed)
    parts = [r.standard_normal((2, 3)) for _ in range(n)]
    compare_fn(lambda *ts: tidu.concatenate(ts, axis=axis), lambda *ts: torch.cat(ts, dim=axis), *parts)
    compare_fn(lambda *ts: tidu.stack(ts, axis=axis), lambda *ts: torch.stack(ts, dim=axis), *parts)


def test_concatenate_stack_finite_differences():
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((1, 3))
    finite_difference_check(lambda p, q: tidu.concatenate([p, q, p], axis=0), a, b)
    finite_difference_check(lambda p, q: tidu.stack([p, q * 2], axis=1), a, a.copy())


def test_reshape_error_names_shapes():
    with pytest.raises(tidu.ShapeError, match=r"reshape: cannot reshape a tensor of shape \(3, 4, 2\)"):
        tidu.Tensor(X).reshape(5, 5)


def test_concatenate_error_names_shapes():
    with pytest.raises(tidu.ShapeError, match=r"\(2, 3\), \(2, 4\)"):
        tidu.concatenate([tidu.Tensor(np.ones((2, 3))), tidu.Tensor(np.ones((2, 4)))], axis=0)


def test_stack_error_names_shapes():
    with pytest.raises(tidu.ShapeError, match="stack"):
        tidu.stack([tidu.Tensor(np.ones((2, 3))), tidu.Tensor(np.ones((3, 2)))])
