"""The smaller parts of PyTorch's tensor API (issue 11): gradient hooks and retain_grad, grad
modes, `Generator`, the ``new_*`` factories and queries — each against torch."""
import numpy as np
import pytest
import torch

import tidu
from tidu.errors import GraphError

X = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])


def _both(fn):
    """Run ``fn(lib)`` with tidu and torch; return both results as float64 arrays."""
    out = []
    for lib in (tidu, torch):
        r = fn(lib)
        out.append(np.asarray(r.detach().cpu().numpy() if hasattr(r, "detach") else r,
                              dtype=np.float64))
    return out


def test_register_hook_sees_and_replaces_the_gradient():
    seen = {}

    def run(lib):
        x = lib.tensor(X, requires_grad=True)
        y = x * 3
        y.register_hook(lambda g: seen.update({lib.__name__: g.detach().cpu().numpy().copy()}))
        y.register_hook(lambda g: g * 2)              # a returned tensor replaces the gradient
        x.register_hook(lambda g: g + 1)              # a leaf's hook runs before accumulation
        (y * y).sum().backward()
        return x.grad

    ours, theirs = _both(run)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(seen["tidu"], seen["torch"], rtol=1e-12)


def test_hook_handle_remove_and_refusals():
    x = tidu.tensor(X, requires_grad=True)
    handle = x.register_hook(lambda g: g * 0)
    handle.remove()
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.full_like(X, 2.0))
    with pytest.raises(GraphError, match="doesn't require gradient"):
        tidu.tensor(X).register_hook(lambda g: g)
    with pytest.raises(GraphError, match="shape"):
        y = tidu.tensor(X, requires_grad=True)
        y.register_hook(lambda g: g.sum())
        (y * 1).sum().backward()


def test_retain_grad_keeps_the_gradient_after_the_other_hooks():
    def run(lib):
        x = lib.tensor(X, requires_grad=True)
        y = x.exp()
        y.retain_grad()
        y.register_hook(lambda g: g * 10)  # torch runs the retain_grad hook last
        (y * x).sum().backward()
        return y.grad

    ours, theirs = _both(run)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_grad_fn_and_detach_():
    x = tidu.tensor(X, requires_grad=True)
    assert x.grad_fn is None and (x * 2).grad_fn is not None
    assert "Backward" in repr((x * 2).grad_fn)
    y = x * 2
    assert y.detach_() is y and y.grad_fn is None and not y.requires_grad


@pytest.mark.parametrize("mode", [False, True])
def test_set_grad_enabled_as_function_context_and_decorator(mode):
    x = tidu.tensor(X, requires_grad=True)
    with tidu.set_grad_enabled(mode):
        assert (x * 2).requires_grad is mode
    assert (x * 2).requires_grad

    @tidu.set_grad_enabled(mode)
    def f():
        return x * 2
    assert f().requires_grad is mode and (x * 2).requires_grad
    tidu.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        tidu.set_grad_enabled(True)


def test_inference_mode():
    x = tidu.tensor(X, requires_grad=True)
    with tidu.inference_mode():
        assert not (x * 2).requires_grad
    with tidu.inference_mode(False):
        assert (x * 2).requires_grad

    @tidu.inference_mode()
    def f():
        return x * 2
    assert not f().requires_grad and (x * 2).requires_grad


def test_generator_object_as_torch():
    g = tidu.Generator().manual_seed(42)
    assert isinstance(g, np.random.Generator) and g.initial_seed() == 42
    a = tidu.randn(5, generator=g)
    b = tidu.randn(5, generator=tidu.Generator().manual_seed(42))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    state = g.get_state()
    c = tidu.rand(3, generator=g)
    g.set_state(state)
    np.testing.assert_array_equal(c.numpy(), tidu.rand(3, generator=g).numpy())
    with pytest.raises(TypeError, match="seed"):
        tidu.Generator().manual_seed(-1)
    assert tidu.Generator().seed() >= 0


@pytest.mark.parametrize("name, args", [("new_zeros", (2, 3)), ("new_ones", ((4,),)),
                                        ("new_full", ((2, 2), 7.0)), ("new_tensor", ([1, 2],))])
def test_new_factories_take_dtype_and_device_from_the_tensor(name, args):
    for dtype in (np.float64, np.int64):
        ours = getattr(tidu.tensor(X).to(dtype) if dtype == np.float64 else tidu.tensor([1, 2]),
                       name)(*args)
        src = torch.tensor(X) if dtype == np.float64 else torch.tensor([1, 2])
        theirs = getattr(src, name)(*args)
        assert ours.shape == tuple(theirs.shape)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_array_equal(ours.cpu().numpy(), theirs.numpy())
    assert tidu.zeros(2).new_empty(3).shape == (3,)


def test_small_queries_as_torch():
    a, b = tidu.tensor(X), torch.tensor(X)
    for name in ("is_floating_point", "is_contiguous", "element_size", "nelement", "ndimension"):
        assert getattr(a, name)() == getattr(b, name)(), name
    assert a.T.is_contiguous() == b.T.is_contiguous()
    assert tidu.is_tensor(a) and not tidu.is_tensor(X)
    assert a.type_as(tidu.tensor([1, 2])).dtype == np.int64


def test_format_spec_on_a_0d_tensor_as_torch():
    assert f"{tidu.tensor(1.23456):.3f}" == f"{torch.tensor(1.23456):.3f}" == "1.235"
    assert f"{tidu.tensor([1.5])}" == str(tidu.tensor([1.5]))
    for lib in (tidu, torch):
        with pytest.raises(TypeError, match="unsupported format string"):
            f"{lib.tensor([1.5]):.2f}"


@pytest.mark.parametrize("data", [np.array([1.5, 2.0]), np.array([1.5], dtype=np.float32),
                                  np.array([1, 2]), np.array([True]), [1.5, 2.0], [1, 2], 3.0,
                                  np.float64(2.5)])
def test_tensor_and_as_tensor_keep_dtypes_as_torch(data):
    for make in ("tensor", "as_tensor"):
        ours, theirs = getattr(tidu, make)(data), getattr(torch, make)(data)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", ""), (make, data)
    # the constructor gives float data the default dtype, as torch.Tensor
    if np.asarray(data).dtype.kind == "f":
        assert tidu.Tensor(data).dtype == np.float32 == torch.Tensor(np.asarray(data)).numpy().dtype


def test_autograd_grad_matches_torch_and_leaves_grad_alone():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    out = []
    for lib in (tidu, torch):
        a = lib.tensor(x, requires_grad=True)
        w = lib.tensor(x * 3, requires_grad=True)
        h = (a @ w).tanh()                      # a non-leaf input too
        y = (h * h).sum()
        z = a.exp()
        ga, gw, gh = lib.autograd.grad([y, z], [a, w, h],
                                       grad_outputs=[None, lib.ones(2, 2, dtype=lib.float64)],
                                       retain_graph=True)
        assert a.grad is None and w.grad is None
        out.append([t.detach().cpu().numpy() for t in (ga, gw, gh)])
        (g_only,) = lib.autograd.grad(y, a)     # the graph was retained
        out[-1].append(g_only.detach().cpu().numpy())
    for ours, theirs in zip(*out):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_autograd_grad_refusals():
    a = tidu.tensor([1.0, 2.0], requires_grad=True)
    b = tidu.tensor([1.0], requires_grad=True)
    with pytest.raises(GraphError, match="create_graph=True: tidu has no differentiable"):
        tidu.autograd.grad(a.cumprod(0).sum(), a, create_graph=True)
    with pytest.raises(GraphError, match="not used"):
        tidu.autograd.grad((a * a).sum(), [a, b])
    ga, gb = tidu.autograd.grad((a * a).sum(), [a, b], allow_unused=True)
    assert gb is None and ga.tolist() == [2.0, 4.0]
    with pytest.raises(GraphError, match="grad_outputs is needed"):
        tidu.autograd.grad(a * a, a)


@pytest.mark.parametrize("call", [lambda L, t: L.flip(t, dims=(0,)), lambda L, t: t.flip(dims=[1]),
                                  lambda L, t: t.flip(0, 1), lambda L, t: L.flip(t, [0, 1])])
def test_flip_takes_dims_as_torch(call):
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(call(tidu, tidu.tensor(x)).cpu().numpy(),
                                  call(torch, torch.tensor(x)).numpy())


def test_backward_inputs_accumulates_only_into_them():
    grads = []
    for lib in (tidu, torch):
        a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([3.0, -1.0], dtype=lib.float64, requires_grad=True)
        loss = (a * b * b).sum()
        loss.backward(inputs=[b], retain_graph=True)
        assert a.grad is None
        loss.backward(inputs=b)
        grads.append(b.grad.detach().cpu().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-15)


def test_setitem_drops_a_value_s_leading_ones_as_torch():
    out = []
    for lib in (tidu, torch):
        b = lib.zeros(4, dtype=lib.int64)
        c = lib.tensor([7, 8, 9])
        b[1] = c[lib.tensor([2])]              # a (1,) value into one element
        b[2:4] = lib.tensor([[5, 6]])          # (1, 2) into (2,)
        w = lib.zeros(3, dtype=lib.float64, requires_grad=True)
        v = lib.tensor([[2.0]], dtype=lib.float64, requires_grad=True)
        y = w * 1
        y[0] = v
        (y * lib.tensor([3.0, 1.0, 1.0], dtype=lib.float64)).sum().backward()
        out.append((b.tolist(), v.grad.tolist()))
    assert out[0] == out[1] == ([0, 9, 5, 6], [[3.0]])
