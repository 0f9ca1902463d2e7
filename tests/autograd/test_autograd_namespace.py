"""torch.autograd names old and new code imports: Variable, backward over several roots,
the grad-mode switches, and gradgradcheck (double backward against finite differences)."""
import numpy as np
import pytest
import torch

import tidu
from tidu.autograd import Variable, backward, gradgradcheck

from ..oracle import assert_close


def _t(x, grad=False):
    return tidu.Tensor(np.asarray(x, dtype=np.float64), dtype=np.float64, requires_grad=grad)


def test_variable_returns_a_tensor_sharing_storage():
    x = _t([1.0, 2.0])
    v = Variable(x, requires_grad=True)
    assert isinstance(v, tidu.Tensor) and v is not x
    assert v.requires_grad and not x.requires_grad
    assert isinstance(x, Variable) and isinstance(v, Variable) and not isinstance(1.0, Variable)
    assert issubclass(tidu.Tensor, Variable)
    (v * v).sum().backward()
    np.testing.assert_allclose(v.grad.cpu().numpy(), [2.0, 4.0])
    assert not Variable(x).requires_grad
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1.0])


def test_backward_over_several_roots_matches_torch():
    a0, b0 = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.7, -1.1])
    g = np.array([1.0, 2.0, -1.0])
    ta, tb = _t(a0, True), _t(b0, True)
    pa, pb = torch.tensor(a0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    backward([ta * tb, (ta.exp() * tb).sum()], [_t(g), None])
    torch.autograd.backward([pa * pb, (pa.exp() * pb).sum()], [torch.tensor(g), None])
    assert_close(ta.grad, pa.grad, "grad a")
    assert_close(tb.grad, pb.grad, "grad b")
    # inputs= restricts accumulation; a single tensor works as torch
    tc = _t(a0, True)
    td = _t(b0, True)
    backward((tc * td).sum(), inputs=[tc])
    assert td.grad is None
    np.testing.assert_allclose(tc.grad.cpu().numpy(), b0)


def test_backward_create_graph_gives_differentiable_grads():
    x = _t([1.5], True)
    backward((x ** 3).sum(), create_graph=True)
    first = x.grad
    np.testing.assert_allclose(first.detach().cpu().numpy(), [3 * 1.5 ** 2])
    (g2,) = tidu.autograd.grad(first.sum(), [x])
    np.testing.assert_allclose(g2.cpu().numpy(), [6 * 1.5])


def test_backward_errors_match_torch():
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        backward([_t([1.0, 2.0], True) * 2])
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        backward([_t([1.0])])
    with pytest.raises(RuntimeError, match="same length"):
        backward([_t([1.0], True) * 2], [None, None])


def test_grad_mode_switches_are_tidus():
    assert tidu.autograd.set_grad_enabled is tidu.set_grad_enabled
    assert tidu.autograd.inference_mode is tidu.inference_mode
    assert tidu.autograd.no_grad is tidu.no_grad and tidu.autograd.enable_grad is tidu.enable_grad
    x = _t([1.0], True)
    with tidu.autograd.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with tidu.autograd.inference_mode():
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


def test_gradgradcheck_passes_for_smooth_functions():
    x = _t(np.random.default_rng(0).standard_normal((2, 3)), True)
    y = _t(np.random.default_rng(1).standard_normal(3), True)
    assert gradgradcheck(lambda a, b: (a.sin() * b).tanh(), (x, y))
    assert gradgradcheck(lambda a: a.pow(3).sum(), (x,), _t(1.0, True))


def test_gradgradcheck_catches_a_wrong_second_derivative():
    # value a³/3 and first derivative a² are right, but the a² is detached: f'' reads 0
    def cube_third_detached(a):
        d = a.detach()
        return (d * d * a - (2.0 / 3.0) * d * d * d).sum()

    x = _t([0.5, 1.5], True)
    assert tidu.autograd.gradcheck(cube_third_detached, (x,))
    assert not gradgradcheck(cube_third_detached, (x,), raise_exception=False)
    with pytest.raises(RuntimeError, match="mismatch"):
        gradgradcheck(cube_third_detached, (x,))
