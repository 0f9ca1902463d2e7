"""Module.register_full_backward_hook / register_full_backward_pre_hook against PyTorch
float64: the grad_input / grad_output a hook sees, replacements, remove(); nn.Identity's
arguments."""
import warnings

import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import GraphError
from tests.oracle import assert_close, copy_torch_weights


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _np(g):
    if g is None:
        return None
    return g.detach().cpu().numpy() if isinstance(g, torch.Tensor) else np.asarray(g.cpu().numpy())


def recorder(log):
    def hook(module, *grads):
        log.append(tuple(tuple(_np(g) for g in gs) for gs in grads))
    return hook


def assert_same_records(mine, theirs):
    assert len(mine) == len(theirs), (len(mine), len(theirs))
    for rec_t, rec_p in zip(mine, theirs):
        assert len(rec_t) == len(rec_p)
        for gs_t, gs_p in zip(rec_t, rec_p):
            assert len(gs_t) == len(gs_p)
            for a, b in zip(gs_t, gs_p):
                assert (a is None) == (b is None), (a, b)
                if a is not None:
                    assert_close(a, b, "hook gradient")


def run_both(make_tidu, make_torch, inputs, register, loss_weights_seed=3):
    """Build both modules (weights copied), register hooks via ``register(module, log)``,
    run forward and Σ out·R backward; return the two logs and the leaf gradients."""
    mt, mp = make_tidu(), make_torch()
    copy_torch_weights(mt, mp)
    logs = []
    results = []
    for lib, m in ((tidu, mt), (torch, mp)):
        log = []
        register(m, log)
        xs = [lib.tensor(x.copy(), requires_grad=rg) for x, rg in inputs]
        out = m(*xs)
        outs = out if isinstance(out, tuple) else (out,)
        total = None
        for k, o in enumerate(o for o in outs if not isinstance(o, str)):
            r = lib.tensor(rand(*o.shape, seed=loss_weights_seed + k))
            term = (o * r).sum()
            total = term if total is None else total + term
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns when no input requires grad
            total.backward()
        logs.append(log)
        results.append(([None if x.grad is None else _np(x.grad) for x in xs],
                        {n: _np(p.grad) for n, p in m.named_parameters()}))
    assert_same_records(*logs)
    (gx_t, gp_t), (gx_p, gp_p) = results
    for a, b in zip(gx_t, gx_p):
        assert (a is None) == (b is None)
        if a is not None:
            assert_close(a, b, "input gradient")
    assert set(gp_t) == set(gp_p)
    for name in gp_p:
        assert_close(gp_t[name], gp_p[name], f"gradient of {name}")
    return logs


def both_hooks(m, log):
    m.register_full_backward_pre_hook(recorder(log))
    m.register_full_backward_hook(recorder(log))


def test_linear_hooks_see_torch_gradients():
    logs = run_both(lambda: nn.Linear(4, 3), lambda: torch.nn.Linear(4, 3),
                    [(rand(5, 4), True)], both_hooks)
    assert len(logs[0]) == 2 and logs[0][1][0][0].shape == (5, 4)


def test_sequential_and_its_children_hooks_fire_in_torch_order():
    def register(m, log):
        both_hooks(m, log)
        both_hooks(m[0], log)
        m[2].register_full_backward_hook(recorder(log))

    logs = run_both(
        lambda: nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2)),
        lambda: torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(),
                                    torch.nn.Linear(6, 2)),
        [(rand(3, 4), True)], register)
    assert len(logs[0]) == 5


class TwoIn:
    """A module with two inputs and a tuple output (one element not a tensor)."""

    @staticmethod
    def make(base):
        class M(base):
            def __init__(self):
                super().__init__()
                self.lin = (nn.Linear if base is nn.Module else torch.nn.Linear)(3, 3)

            def forward(self, x, y, scale=2.0):
                return self.lin(x) * y, y * scale, "tag"
        return M


@pytest.mark.parametrize("grads", [(True, True), (True, False), (False, True), (False, False)])
def test_two_inputs_tuple_output(grads):
    inputs = [(rand(2, 3), grads[0]), (rand(2, 3, seed=1), grads[1])]
    run_both(TwoIn.make(nn.Module), TwoIn.make(torch.nn.Module), inputs, both_hooks)


def test_unused_output_and_unused_input_as_torch():
    def make(base):
        class M(base):
            def forward(self, x, y, z):
                return x * 2, y * 3
        return M

    for lib, base in ((tidu, nn.Module), (torch, torch.nn.Module)):
        m, log = make(base)(), []
        both_hooks(m, log)
        x, y, z = (lib.tensor(rand(2, seed=s), requires_grad=True) for s in range(3))
        a, _ = m(x, y, z)
        a.sum().backward()
        (pre_go,), (gi, go) = log
        assert pre_go[1] is None and go[1] is None
        np.testing.assert_array_equal(gi[1], 0)
        np.testing.assert_array_equal(gi[2], 0)
        np.testing.assert_array_equal(_np(z.grad), 0)


def test_hook_rescaling_grad_input_changes_leaf_gradients_as_torch():
    def register(m, log):
        m[1].register_full_backward_hook(lambda mod, gi, go: tuple(g * 10 for g in gi))
        m[0].register_full_backward_pre_hook(lambda mod, go: (go[0] * -0.5,))
        m.register_full_backward_hook(recorder(log))

    run_both(lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)),
             lambda: torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                         torch.nn.Linear(4, 2)),
             [(rand(5, 3), True)], register)


def test_remove_restores_the_plain_call_and_gradients():
    m = nn.Linear(3, 2).double()
    calls = []
    h1 = m.register_full_backward_hook(lambda mod, gi, go: calls.append(1) or (gi[0] * 0,))
    h2 = m.register_full_backward_pre_hook(lambda mod, go: calls.append(2))
    x = tidu.tensor(rand(4, 3), requires_grad=True)
    m(x).sum().backward()
    assert calls == [2, 1] and np.all(x.grad.cpu().numpy() == 0)
    h1.remove()
    with h2:
        pass  # leaving the block removes it
    assert m.__dict__.get("_hooks") is None  # back on the plain call path
    x.grad = None
    calls.clear()
    m(x).sum().backward()
    assert calls == [] and np.allclose(x.grad.cpu().numpy(), m.weight.cpu().numpy().sum(0))


def test_forward_hooks_survive_removing_backward_hooks():
    m, seen = nn.Linear(2, 2).double(), []
    m.register_forward_hook(lambda mod, args, out: seen.append("f"))
    m.register_full_backward_hook(lambda mod, gi, go: seen.append("b")).remove()
    m(tidu.tensor(rand(1, 2), requires_grad=True)).sum().backward()
    assert seen == ["f"]


def test_prepend_orders_hooks_as_torch():
    for lib_nn in (nn, torch.nn):
        m, order = lib_nn.Linear(2, 2).double(), []
        m.register_full_backward_hook(lambda *a: order.append("a"))
        m.register_full_backward_hook(lambda *a: order.append("b"), prepend=True)
        x = (tidu if lib_nn is nn else torch).tensor(rand(1, 2), requires_grad=True)
        m(x).sum().backward()
        assert order == ["b", "a"]


def test_no_hub_under_no_grad_and_retain_graph_twice():
    m, calls = nn.Linear(2, 2).double(), []
    m.register_full_backward_hook(lambda mod, gi, go: calls.append(gi[0].cpu().numpy().copy()))
    with tidu.no_grad():
        assert not m(tidu.tensor(rand(1, 2), requires_grad=True)).requires_grad
    x = tidu.tensor(rand(1, 2), requires_grad=True)
    out = m(x).sum()
    out.backward(retain_graph=True)
    out.backward()
    assert len(calls) == 2 and np.allclose(calls[0], calls[1])
    assert np.allclose(x.grad.cpu().numpy(), 2 * calls[0])


def test_hook_errors():
    m = nn.Linear(2, 2).double()
    with pytest.raises(TypeError, match="full backward hook must be callable"):
        m.register_full_backward_hook(3)
    h = m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(GraphError, match="Linear: a backward hook returned an invalid number "
                                         "of grad_input, got 2, but expected 1"):
        m(tidu.tensor(rand(1, 2), requires_grad=True)).sum().backward()
    h.remove()
    h = m.register_full_backward_pre_hook(lambda mod, go: (tidu.tensor(rand(3, 2)),))
    with pytest.raises(GraphError, match=r"grad_output\[0\] of shape \(3, 2\), expected \(1, 2\)"):
        m(tidu.tensor(rand(1, 2), requires_grad=True)).sum().backward()
    h.remove()
    m.register_full_backward_hook(lambda mod, gi, go: (tidu.tensor(rand(1, 2)),))
    with pytest.raises(GraphError, match="no input requires gradient should always return None"):
        m(tidu.tensor(rand(1, 2))).sum().backward()


def test_identity_accepts_and_ignores_arguments():
    for lib_nn in (nn, torch.nn):
        m = lib_nn.Identity(54, unused_argument1=0.1, unused_argument2=False)
        assert list(m.parameters()) == []
    x = tidu.tensor(rand(2, 3))
    assert nn.Identity(3, bias=False)(x) is x


def test_identity_module_passing_its_input_through():
    run_both(lambda: nn.Sequential(nn.Identity()), lambda: torch.nn.Sequential(torch.nn.Identity()),
             [(rand(2, 3), True)], lambda m, log: (both_hooks(m, log), both_hooks(m[0], log)))
