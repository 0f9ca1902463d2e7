"""tidu.nn.utils.clip_grad_norm_ / clip_grad_value_ against torch.nn.utils: the same float64
gradients, the same returned total norm and clipped gradients (norm types 1, 2, 3, inf;
clipping and not clipping; non-finite gradients and error_if_nonfinite)."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tidu
import tidu.nn.utils
from tidu.nn import Parameter

SHAPES = [(8, 4), (8,), (3, 8), (3,), (2, 3, 5)]


def gradient_sets(seed=0, scale=1.0, shapes=SHAPES, none_at=(3,)):
    """tidu and torch parameters with the same gradients (None at the indices ``none_at``)."""
    rng = np.random.default_rng(seed)
    ours, ref = [], []
    for i, shape in enumerate(shapes):
        p = Parameter(rng.standard_normal(shape), dtype=np.float64)
        r = torch.tensor(p._data.copy(), requires_grad=True)
        if i not in none_at:
            g = scale * rng.standard_normal(shape)
            p.grad = tidu.Tensor(g.copy(), dtype=np.float64)
            r.grad = torch.tensor(g.copy())
        ours.append(p)
        ref.append(r)
    return ours, ref


def assert_same_grads(ours, ref):
    for i, (p, r) in enumerate(zip(ours, ref)):
        if r.grad is None:
            assert p.grad is None, i
        else:
            np.testing.assert_allclose(p.grad._data, r.grad.numpy(), rtol=1e-12, atol=0,
                                       equal_nan=True, err_msg=f"gradient {i}")


@pytest.mark.parametrize("norm_type", [1, 2.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 2.0, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, ref = gradient_sets()
    total = tidu.nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    rtotal = torch.nn.utils.clip_grad_norm_(ref, max_norm, norm_type=norm_type)
    assert isinstance(total, tidu.Tensor) and total.shape == () and total.dtype == np.float64
    np.testing.assert_allclose(total._data, rtotal.numpy(), rtol=1e-12)
    assert_same_grads(ours, ref)
    clipped = total.item() > max_norm
    after = tidu.nn.utils.get_total_norm([p.grad for p in ours if p.grad is not None], norm_type)
    if clipped:  # the norm is now max_norm (up to the 1e-6 in the denominator)
        assert after.item() == pytest.approx(max_norm, rel=1e-5)
        assert after.item() < max_norm
    else:  # untouched
        assert after.item() == pytest.approx(total.item(), rel=1e-12)


def test_the_total_norm_is_the_norm_of_the_norms():
    ours, _ = gradient_sets(1)
    grads = [p.grad._data for p in ours if p.grad is not None]
    flat = np.concatenate([g.ravel() for g in grads])
    for p in (1.0, 2.0, 3.0):
        expected = (np.abs(flat) ** p).sum() ** (1 / p)
        assert tidu.nn.utils.get_total_norm(grads, p).item() == pytest.approx(expected, rel=1e-12)
    assert tidu.nn.utils.get_total_norm(grads, "inf").item() == np.abs(flat).max()


def test_clip_scale_factor_is_max_norm_over_total_plus_1e_6():
    ours, _ = gradient_sets(2, scale=10.0)
    grads = [p.grad._data.copy() if p.grad is not None else None for p in ours]
    total = tidu.nn.utils.clip_grad_norm_(ours, 1.0).item()
    coef = 1.0 / (total + 1e-6)
    for p, g in zip(ours, grads):
        if g is not None:
            np.testing.assert_allclose(p.grad._data, g * coef, rtol=1e-14)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_non_finite_gradients(bad, norm_type):
    ours, ref = gradient_sets(3)
    ours[0].grad._data[1, 2] = bad
    ref[0].grad[1, 2] = bad
    name = "nan" if np.isnan(bad) else "inf"
    with pytest.raises(RuntimeError, match=rf"norm of order {norm_type} of the gradients is "
                                           rf"{name}, non-finite"):
        tidu.nn.utils.clip_grad_norm_(ours, 1.0, norm_type=norm_type, error_if_nonfinite=True)
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_(ref, 1.0, norm_type=norm_type, error_if_nonfinite=True)
    assert_same_grads(ours, ref)  # the raise left the gradients alone
    total = tidu.nn.utils.clip_grad_norm_(ours, 1.0, norm_type=norm_type)
    rtotal = torch.nn.utils.clip_grad_norm_(ref, 1.0, norm_type=norm_type)
    np.testing.assert_allclose(total._data, rtotal.numpy(), equal_nan=True)
    assert_same_grads(ours, ref)  # scaled by the non-finite norm, as torch does


@pytest.mark.parametrize("clip_value", [0.0, 0.1, 0.7, 5.0])
def test_clip_grad_value_matches_torch(clip_value):
    ours, ref = gradient_sets(4)
    assert tidu.nn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(ref, clip_value)
    assert_same_grads(ours, ref)
    assert all(np.abs(p.grad._data).max() <= clip_value for p in ours if p.grad is not None)


def test_single_tensor_empty_list_and_float32():
    p = Parameter(np.ones(4, dtype=np.float32))
    p.grad = tidu.Tensor(np.full(4, 3.0, dtype=np.float32))
    total = tidu.nn.utils.clip_grad_norm_(p, 1.0)  # one tensor, not a list
    assert total.dtype == np.float32 and total.item() == pytest.approx(6.0)
    assert p.grad.dtype == np.float32
    np.testing.assert_allclose(p.grad._data, 3.0 / (6.0 + 1e-6), rtol=1e-6)
    empty = tidu.nn.utils.clip_grad_norm_([], 1.0)
    assert empty.item() == 0.0 and torch.nn.utils.clip_grad_norm_([], 1.0).item() == 0.0
    no_grads = [Parameter(np.ones(3))]
    assert tidu.nn.utils.clip_grad_norm_(no_grads, 1.0).item() == 0.0
    tidu.nn.utils.clip_grad_value_(p, 0.1)
    np.testing.assert_allclose(p.grad._data, 0.1)


def test_works_on_a_model_between_backward_and_step():
    tidu.manual_seed(0)
    model = tidu.nn.Sequential(tidu.nn.Linear(4, 8), tidu.nn.Tanh(), tidu.nn.Linear(8, 2))
    x = tidu.Tensor(np.random.default_rng(0).standard_normal((16, 4)) * 100)
    (model(x) ** 2).sum().backward()
    total = tidu.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    assert total.item() > 1.0
    assert tidu.nn.utils.get_total_norm([p.grad for p in model.parameters()]).item() \
        == pytest.approx(1.0, rel=1e-5)


def test_bad_arguments_raise():
    ours, _ = gradient_sets()
    with pytest.raises(ValueError, match=r"clip_grad_norm_: norm_type must be a number in \(0, inf\) or inf, got 0"):
        tidu.nn.utils.clip_grad_norm_(ours, 1.0, norm_type=0)
    with pytest.raises(ValueError, match="norm_type must be .*, got 'two'"):
        tidu.nn.utils.clip_grad_norm_(ours, 1.0, norm_type="two")
    with pytest.raises(ValueError, match=r"clip_grad_norm_: max_norm must be in \[0, inf\), got -1.0"):
        tidu.nn.utils.clip_grad_norm_(ours, -1.0)
    with pytest.raises(ValueError, match=r"clip_grad_value_: clip_value must be in \[0, inf\), got -0.5"):
        tidu.nn.utils.clip_grad_value_(ours, -0.5)
    with pytest.raises(TypeError, match="expected tidu tensors"):
        tidu.nn.utils.clip_grad_norm_([np.ones(3)], 1.0)


@given(st.integers(0, 2**31 - 1), st.floats(1e-3, 1e3), st.floats(1e-2, 1e2),
       st.sampled_from([1.0, 2.0, 2.5, math.inf]))
def test_clip_grad_norm_matches_torch_on_random_gradients(seed, scale, max_norm, norm_type):
    ours, ref = gradient_sets(seed, scale=scale, none_at=())
    total = tidu.nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    rtotal = torch.nn.utils.clip_grad_norm_(ref, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(total._data, rtotal.numpy(), rtol=1e-12)
    assert_same_grads(ours, ref)
