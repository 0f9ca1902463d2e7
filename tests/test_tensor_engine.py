"""The autograd engine itself: graph walking, accumulation, freeing, grad mode, dtypes."""
import numpy as np
import pytest
import torch

import tidu


def test_chain_of_5000_ops_backpropagates_without_recursion():
    x = tidu.tensor([1.5], requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, [1.0001 ** 5000], rtol=1e-12)


def test_deep_branching_graph_matches_torch():
    def build(lib_x, ops):
        y = lib_x
        for i in range(300):
            y = ops.tanh(y) * 0.5 + y * 0.5 if i % 2 else y + ops.exp(-y * y)
        return y.sum()

    xs = np.linspace(-1, 1, 5)
    a = tidu.tensor(xs, requires_grad=True, dtype=np.float64)
    b = torch.tensor(xs, requires_grad=True)
    F = tidu.nn.functional
    build(a, type("ops", (), {"tanh": staticmethod(F.tanh), "exp": staticmethod(tidu.exp)})).backward()
    build(b, torch).backward()
    np.testing.assert_allclose(a.grad._data, b.grad.numpy(), rtol=1e-10)


def test_gradients_accumulate_until_zeroed():
    x = tidu.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad._data, 3 * 2 * np.array([1.0, 2.0]))
    x.zero_grad_()
    assert x.grad is None


def test_same_tensor_used_twice_sums_both_paths():
    x = tidu.tensor([3.0], requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad._data, [7.0])


def test_leaves_never_share_a_gradient_array():
    a = tidu.tensor([1.0, 2.0], requires_grad=True)
    b = tidu.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    (a + b).sum().backward()  # in-place accumulation into a.grad must not touch b.grad
    np.testing.assert_allclose(a.grad._data, [2.0, 2.0])
    np.testing.assert_allclose(b.grad._data, [2.0, 2.0])
    assert a.grad._data is not b.grad._data


def test_second_backward_through_freed_graph_raises():
    x = tidu.tensor([1.0], requires_grad=True)
    y = tidu.exp(x * 2)
    y.sum().backward()
    with pytest.raises(tidu.GraphError, match="second time.*retain_graph=True"):
        y.sum().backward()


def test_retain_graph_allows_second_backward():
    x = tidu.tensor([1.0], requires_grad=True)
    y = tidu.exp(x * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad._data, [4 * np.exp(2.0)], rtol=1e-6)


def test_non_scalar_backward_needs_gradient():
    x = tidu.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(tidu.GraphError, match=r"non-scalar output of shape \(2,\)"):
        (x * 2).backward()
    (x * 2).backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad._data, [2.0, 20.0])


def test_backward_on_constant_raises():
    with pytest.raises(tidu.GraphError, match="does not require grad"):
        tidu.tensor([1.0]).sum().backward()


def test_no_grad_records_nothing_and_works_as_decorator():
    x = tidu.tensor([1.0], requires_grad=True)
    with tidu.no_grad():
        y = x * 2
    assert not y.requires_grad and y.is_leaf

    @tidu.no_grad()
    def f(t):
        return t * 3

    assert not f(x).requires_grad
    assert tidu.is_grad_enabled()
    with tidu.no_grad():
        with tidu.enable_grad():
            assert (x * 2).requires_grad


def test_detach_cuts_the_graph_and_shares_data():
    x = tidu.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad
    y = (x * d).sum()
    y.backward()
    np.testing.assert_allclose(x.grad._data, [2.0, 4.0])


def test_intermediate_gradients_are_not_retained():
    x = tidu.tensor([1.0], requires_grad=True)
    h = x * 2
    (h * h).sum().backward()
    assert h.grad is None and x.grad is not None


def test_default_dtype_is_float32_and_float64_on_request():
    assert tidu.tensor([1.0, 2.0]).dtype == np.float32
    assert tidu.Tensor(np.zeros(3)).dtype == np.float32  # float64 NumPy data takes the default
    assert tidu.tensor([1.0], dtype=np.float64).dtype == np.float64
    assert tidu.tensor([1, 2]).dtype == np.int64
    tidu.set_default_dtype(np.float64)
    try:
        assert tidu.tensor([1.0]).dtype == np.float64
    finally:
        tidu.set_default_dtype(np.float32)


def test_requires_grad_on_integer_tensor_is_refused():
    with pytest.raises(tidu.DTypeError, match="float"):
        tidu.tensor([1, 2], requires_grad=True)


def test_item_numpy_and_repr():
    x = tidu.tensor([[2.5]], device="cpu")  # numpy() shares a CPU tensor's memory
    assert x.item() == 2.5
    assert isinstance(x.numpy(), np.ndarray)
    with pytest.raises(ValueError, match=r"one-element.*\(2,\)"):
        tidu.tensor([1.0, 2.0]).item()
    assert "requires_grad=True" in repr(tidu.tensor([1.0], requires_grad=True))


def test_to_casts_differentiably():
    x = tidu.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad._data, [3.0, 3.0])


def test_manual_seed_makes_draws_reproducible():
    tidu.manual_seed(7)
    a = tidu.nn.Linear(3, 4).weight._data.copy()
    tidu.manual_seed(7)
    b = tidu.nn.Linear(3, 4).weight._data.copy()
    np.testing.assert_array_equal(a, b)


def test_numpy_array_on_the_left_defers_to_tensor():
    x = tidu.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, tidu.Tensor) and y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, [3.0, 4.0])


def test_full_reductions_give_zero_dim_arrays():
    x = tidu.tensor([1.0, 2.0, 4.0])
    for r in (x.sum(), x.mean(), x.var(), x.std(), x.max(), x.min()):
        assert hasattr(r._data, "dtype") and r._data.shape == () and r.dtype == np.float32


def test_ops_on_zero_dim_tensors_keep_arrays():
    a, b = tidu.tensor(1.0, requires_grad=True), tidu.tensor(2.0)
    for r in (a + b, a * b, tidu.exp(a), -a, a ** 2):
        assert type(r._data) is type(a._data) and r._data.shape == () and r.dtype == np.float32


def test_grad_mode_is_per_thread():
    import threading

    x = tidu.tensor([1.0], requires_grad=True)
    inside, seen = threading.Event(), {}

    def evaluate():
        with tidu.no_grad():
            inside.set()
            done.wait(5)

    done = threading.Event()
    t = threading.Thread(target=evaluate)
    t.start()
    inside.wait(5)
    seen["main"] = (x * 2).requires_grad  # the other thread's no_grad must not reach here
    done.set()
    t.join()
    assert seen["main"] is True
