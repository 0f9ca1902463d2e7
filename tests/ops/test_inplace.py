"""In-place ops, ``t[i] = v``, ``+=`` and ``.data`` with PyTorch's rules (issue 11): the same
values and gradients as torch in float64, the same refusals, and the training idioms that
used to be silently wrong (``p -= lr * p.grad`` under no_grad, ``p.data -= …``)."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import compare_fn
from tidu.errors import DTypeError, GraphError, ShapeError

RNG = np.random.default_rng(3)


def _x(*shape):
    return RNG.standard_normal(shape)


def _pair(x):
    return (tidu.tensor(x.copy(), dtype=tidu.float64, requires_grad=True),
            torch.tensor(x.copy(), requires_grad=True))


# op name → (args for tidu, args for torch) built from the other operand(s)
BINARY = {
    "add_": lambda o: ((o,), {"alpha": 0.5}),
    "sub_": lambda o: ((o,), {"alpha": 2}),
    "mul_": lambda o: ((o,), {}),
    "div_": lambda o: ((o,), {}),
    "lerp_": lambda o: ((o, 0.3), {}),
}
UNARY = ["neg_", "abs_", "exp_", "sigmoid_", "tanh_", "relu_"]


@pytest.mark.parametrize("name", BINARY)
def test_binary_inplace_records_the_graph_like_torch(name):
    # in a recorded graph the op acts on an intermediate: value and both gradients as torch
    def run(lib_tensor, a, b):
        y = a * 2.0
        args, kw = BINARY[name](b)
        out = getattr(y, name)(*args, **kw)
        assert out is y  # in-place ops return the tensor itself
        return y

    compare_fn(lambda a, b: run(tidu, a, b), lambda a, b: run(torch, a, b),
               _x(3, 4), np.abs(_x(3, 4)) + 1)


@pytest.mark.parametrize("name", UNARY + ["sqrt_", "log_"])
def test_unary_inplace_records_the_graph_like_torch(name):
    x = np.abs(_x(3, 4)) + 0.5

    def run(a):
        y = a * 1.5
        getattr(y, name)()
        return y

    compare_fn(run, run, x)


def test_addcmul_addcdiv_clamp_masked_fill_on_intermediates():
    def run(a, b, c, lib):
        y = a + 0.0
        y.addcmul_(b, c, value=0.5).addcdiv_(b, c.abs() + 1, value=-2)
        y.clamp_(-1.0, 1.5)
        y.masked_fill_(a > 1.0, 0.25)
        return y

    compare_fn(lambda a, b, c: run(a, b, c, tidu), lambda a, b, c: run(a, b, c, torch),
               _x(4, 3), _x(4, 3), _x(4, 3))


def test_augmented_assignment_in_a_forward_as_resnet_does():
    # `out += identity` in a residual block: the graph goes through both branches
    def block(x, w):
        out = x @ w
        out += x
        out *= 0.5
        return out.relu()

    compare_fn(block, block, _x(5, 4), _x(4, 4))


def test_setitem_records_both_sides():
    def run(a, v):
        y = a * 1.0
        y[1] = v           # a row from a tensor that requires grad
        y[:, 0] = 3.0      # a constant column
        return y

    compare_fn(run, run, _x(3, 4), _x(4))


def test_setitem_on_a_plain_tensor_builds_inputs_in_place():
    ours, theirs = tidu.zeros(4, 3), torch.zeros(4, 3)
    for lib, t in ((tidu, ours), (torch, theirs)):
        t[0] = 1.0
        t[1:3, 2] = lib.tensor([5.0, 6.0])
        t[t > 4] = -1.0
        t[:, 1] += 2.0
    np.testing.assert_array_equal(ours.cpu().numpy(), theirs.cpu().numpy())
    assert not ours.requires_grad and ours.is_leaf


# ----------------------------------------------------------------------------- leaves
@pytest.mark.parametrize("name, args", [("add_", (1.0,)), ("mul_", (2.0,)), ("zero_", ()),
                                        ("fill_", (3.0,)), ("normal_", ()), ("uniform_", ()),
                                        ("clamp_", (0.0, 1.0)), ("copy_", "t")])
def test_inplace_on_a_leaf_that_requires_grad_raises_outside_no_grad(name, args):
    ours, theirs = tidu.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    for t in (ours, theirs):
        a = (t.detach() * 2,) if args == "t" else args
        with pytest.raises(RuntimeError, match="leaf"):
            getattr(t, name)(*a)
    with pytest.raises(RuntimeError, match="leaf"):
        ours += 1
    with pytest.raises(RuntimeError, match="leaf"):
        ours[0] = 5.0


def test_sgd_by_hand_under_no_grad_updates_the_parameter():
    """`param -= lr * param.grad` under no_grad: the parameter itself changes (it used to be
    left untouched, the result going to a new tensor)."""
    x = _x(6, 3)
    results = []
    for lib in (tidu, torch):
        w = lib.tensor(np.ones((3, 1)), requires_grad=True)
        w_id = id(w)
        for _ in range(3):
            loss = ((lib.tensor(x) @ w) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                w -= 0.1 * w.grad
                w.grad.zero_()
        assert id(w) == w_id and w.requires_grad and w.is_leaf
        results.append(w.detach().cpu().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_data_idioms_change_the_parameter():
    lin, ref = tidu.nn.Linear(4, 2), torch.nn.Linear(4, 2)
    for m in (lin, ref):
        m.weight.data.fill_(0.5)
        m.bias.data.zero_()
        m.weight.grad = m.weight.detach() * 0 + 1.0
        m.weight.data -= 0.1 * m.weight.grad          # p.data -= lr * p.grad
        m.bias.data.copy_(m.bias.data + 2.0)
    np.testing.assert_allclose(lin.weight.detach().cpu().numpy(), ref.weight.detach().cpu().numpy())
    np.testing.assert_allclose(lin.bias.detach().cpu().numpy(), ref.bias.detach().cpu().numpy())
    assert not isinstance(lin.weight._data, tidu.Tensor)  # never a Tensor inside a parameter
    assert lin.weight.data.requires_grad is False and lin.weight.requires_grad
    lin.weight.data.normal_(0, 0.01)
    assert 0 < lin.weight.detach().cpu().numpy().std() < 0.05
    before = id(lin.weight)
    lin.weight.data = tidu.zeros(2, 4)               # p.data = t keeps the Parameter object
    assert id(lin.weight) == before and float(lin.weight.sum()) == 0.0
    with pytest.raises(TypeError, match="Tensor"):
        lin.weight.data = np.zeros((2, 4))  # PyTorch refuses arrays too


def test_data_shares_memory_and_is_cut_from_the_graph():
    a = tidu.tensor([1.0, 2.0], requires_grad=True)
    d = a.data
    d[0] = 7.0
    assert a.cpu().numpy()[0] == 7.0 and not d.requires_grad and d.is_leaf


def test_random_fills_take_a_generator_and_the_bounds():
    t = tidu.empty(1000)
    t.uniform_(-0.1, 0.1, generator=tidu.manual_seed(0))
    assert -0.1 <= t.cpu().numpy().min() and t.cpu().numpy().max() <= 0.1
    u = tidu.empty(1000).uniform_(**{"from": -0.1, "to": 0.1}, generator=tidu.manual_seed(0))
    np.testing.assert_array_equal(t.cpu().numpy(), u.cpu().numpy())
    n = tidu.empty(20000).normal_(2.0, 0.5)
    assert abs(n.cpu().numpy().mean() - 2.0) < 0.02 and abs(n.cpu().numpy().std() - 0.5) < 0.02


# ----------------------------------------------------------------------------- refusals
def test_inplace_keeps_shape_and_dtype():
    with pytest.raises(ShapeError, match="keep the tensor's shape"):
        tidu.zeros(3).add_(tidu.zeros(2, 3))
    with pytest.raises(RuntimeError):
        torch.zeros(3).add_(torch.zeros(2, 3))
    with pytest.raises(DTypeError, match="int64"):
        tidu.tensor([1, 2]).add_(0.5)
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).add_(0.5)
    # PyTorch casts an in-place result to the tensor's dtype (float64 into float32 is fine)
    a = tidu.zeros(2)
    a.add_(tidu.ones(2, dtype=tidu.float64))
    assert a.dtype == np.float32 and a.cpu().numpy().tolist() == [1.0, 1.0]


def test_int_tensors_and_copy_with_a_cast():
    ours, theirs = tidu.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    for t in (ours, theirs):
        t.mul_(3).sub_(1)
        t[0] = 10
    np.testing.assert_array_equal(ours.cpu().numpy(), theirs.cpu().numpy())
    np.testing.assert_array_equal(tidu.zeros(3, dtype=tidu.int64).copy_(tidu.tensor([1.7, -2.2, 3.0])).cpu().numpy(),
                                  torch.zeros(3, dtype=torch.int64).copy_(torch.tensor([1.7, -2.2, 3.0])).cpu().numpy())


def test_copy_broadcasts_and_sends_the_gradient_to_the_source():
    def run(a, s):
        y = a * 1.0
        y.copy_(s)
        return y * a

    compare_fn(run, run, _x(3, 4), _x(4))


def test_a_broadcast_view_refuses_writes():
    e = tidu.tensor([1.0, 2.0]).expand(3, 2)
    with pytest.raises(ShapeError, match="clone"):
        e.fill_(0.0)
