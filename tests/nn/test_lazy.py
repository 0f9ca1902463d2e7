"""Lazy layers (LazyLinear, LazyConv2d, LazyBatchNorm1d/2d) against PyTorch float64 and
against the eager layers they become."""
import math

import numpy as np
import pytest
import torch

import tidu
from tidu import nn, optim
from tidu.nn.modules.lazy import UninitializedParameterError
from tests.oracle import compare_module


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def t64(x):
    return tidu.tensor(np.asarray(x, dtype=np.float64))


CASES = [  # (lazy tidu, eager tidu, lazy torch, input shape)
    (lambda: nn.LazyLinear(3), lambda: nn.Linear(5, 3),
     lambda: torch.nn.LazyLinear(3), (4, 5)),
    (lambda: nn.LazyLinear(2, bias=False), lambda: nn.Linear(6, 2, bias=False),
     lambda: torch.nn.LazyLinear(2, bias=False), (2, 3, 6)),
    (lambda: nn.LazyConv2d(4, 3, padding=1), lambda: nn.Conv2d(6, 4, 3, padding=1),
     lambda: torch.nn.LazyConv2d(4, 3, padding=1), (2, 6, 5, 5)),
    (lambda: nn.LazyConv2d(4, (2, 3), stride=2, groups=2),
     lambda: nn.Conv2d(6, 4, (2, 3), stride=2, groups=2),
     lambda: torch.nn.LazyConv2d(4, (2, 3), stride=2, groups=2), (2, 6, 5, 7)),
    (lambda: nn.LazyBatchNorm1d(), lambda: nn.BatchNorm1d(5),
     lambda: torch.nn.LazyBatchNorm1d(), (6, 5)),
    (lambda: nn.LazyBatchNorm2d(momentum=0.3), lambda: nn.BatchNorm2d(3, momentum=0.3),
     lambda: torch.nn.LazyBatchNorm2d(momentum=0.3), (2, 3, 4, 4)),
]


@pytest.mark.parametrize("make_lazy,make_eager,make_torch,shape", CASES)
def test_first_forward_turns_it_into_the_eager_layer_with_its_init(make_lazy, make_eager,
                                                                    make_torch, shape):
    lazy = make_lazy()
    assert all(isinstance(p, nn.UninitializedParameter) for p in lazy.parameters())
    x = rand(*shape).astype(np.float32)
    tidu.manual_seed(7)
    eager = make_eager()
    tidu.manual_seed(7)  # the lazy layer draws its weights at the first forward
    out = lazy(tidu.tensor(x))
    assert type(lazy) is type(eager)
    ref = make_torch()
    ref(torch.tensor(x))
    assert type(ref).__name__ == type(lazy).__name__  # torch swaps the class too
    assert lazy.state_dict().keys() == ref.state_dict().keys() == eager.state_dict().keys()
    for key, value in ref.state_dict().items():
        assert lazy.state_dict()[key].shape == tuple(value.shape), key
    for (name, p), (_, q) in zip(lazy.named_parameters(), eager.named_parameters()):
        assert type(p) is nn.Parameter
        np.testing.assert_array_equal(p.cpu().numpy(), q.cpu().numpy(), err_msg=name)
    np.testing.assert_allclose(out.cpu().numpy(), eager(tidu.tensor(x)).cpu().numpy(), rtol=1e-6, atol=1e-6)
    assert repr(lazy) == repr(eager)


@pytest.mark.parametrize("make_lazy,make_eager,make_torch,shape", CASES)
def test_after_init_it_matches_torch_forward_and_backward(make_lazy, make_eager, make_torch,
                                                          shape):
    lazy, ref = make_lazy(), make_torch()
    x = rand(*shape)
    lazy(tidu.tensor(x.astype(np.float32)))
    ref(torch.tensor(x, dtype=torch.float32))
    ref.reset_running_stats() if hasattr(ref, "reset_running_stats") else None
    lazy.reset_running_stats() if hasattr(lazy, "reset_running_stats") else None
    compare_module(lazy, ref, x)


def test_linear_init_bound_and_lazy_conv_fan_in():
    tidu.manual_seed(0)
    m = nn.LazyLinear(200)
    m(tidu.zeros(1, 50))
    bound = 1 / math.sqrt(50)
    w = m.weight.cpu().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01
    c = nn.LazyConv2d(64, 3, groups=4)
    c(tidu.zeros(1, 8, 3, 3))
    assert c.weight.shape == (64, 2, 3, 3)
    assert np.abs(c.weight.cpu().numpy()).max() <= 1 / math.sqrt(2 * 9)


def test_lazy_layers_inside_a_model_and_an_optimizer_built_before_the_forward():
    torch_model = torch.nn.Sequential(torch.nn.LazyLinear(8), torch.nn.ReLU(),
                                      torch.nn.LazyLinear(2)).double()
    model = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(2)).double()
    opt = optim.SGD(model.parameters(), lr=0.1)  # as PyTorch, the same objects materialize

    class TorchSGD:  # plain SGD by hand (torch.optim's first step is slow to import)
        def zero_grad(self):
            torch_model.zero_grad()

        def step(self):
            with torch.no_grad():
                for p in torch_model.parameters():
                    p -= 0.1 * p.grad

    torch_opt = TorchSGD()
    x = rand(5, 4)
    model(t64(x))
    torch_model(torch.tensor(x))
    assert [type(m) for m in model] == [nn.Linear, nn.ReLU, nn.Linear]
    assert model[0].weight.dtype == np.float64
    model.load_state_dict({k: v.cpu().numpy() for k, v in torch_model.state_dict().items()})
    for _ in range(2):
        for m, o, xs in ((model, opt, t64(x)), (torch_model, torch_opt, torch.tensor(x))):
            o.zero_grad()
            (m(xs) ** 2).sum().backward()
            o.step()
    for key, value in torch_model.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[key], value.cpu().numpy(), rtol=1e-12, err_msg=key)


def test_state_dict_round_trip_and_loading_into_a_lazy_layer():
    m = nn.LazyConv2d(3, 2)
    m(tidu.tensor(rand(1, 4, 3, 3).astype(np.float32)))
    state = {k: v.clone() for k, v in m.state_dict().items()}
    fresh = nn.LazyConv2d(3, 2)
    fresh.load_state_dict(state)  # the shapes come from the state dict, as PyTorch
    assert type(fresh) is nn.Conv2d and fresh.in_channels == 4
    eager = nn.Conv2d(4, 3, 2)
    eager.load_state_dict(state)
    x = tidu.tensor(rand(2, 4, 3, 3).astype(np.float32))
    np.testing.assert_array_equal(fresh(x).cpu().numpy(), m(x).cpu().numpy())
    np.testing.assert_array_equal(eager(x).cpu().numpy(), m(x).cpu().numpy())
    bn = nn.LazyBatchNorm1d(affine=False)
    bn.load_state_dict({"running_mean": np.arange(3.0), "running_var": np.ones(3),
                        "num_batches_tracked": np.array(4)})
    assert type(bn) is nn.BatchNorm1d and bn.num_features == 3
    np.testing.assert_array_equal(bn.running_mean, [0, 1, 2])


def test_using_an_uninitialized_parameter_raises_one_clear_line():
    m, ref = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    with pytest.raises(RuntimeError, match="uninitialized parameter"):
        ref.weight.shape
    for use in (lambda p: p.shape, lambda p: p.numpy(), lambda p: p.size(), lambda p: p.item()):
        with pytest.raises(UninitializedParameterError,
                           match=r"uninitialized parameter .*LazyLinear.*run a forward pass "
                                 r"first \(a dummy batch\)"):
            use(m.weight)
    assert repr(m.weight) == "<UninitializedParameter>"
    assert type(m) is nn.LazyLinear  # nothing was materialized


def test_lazy_errors():
    with pytest.raises(tidu.ShapeError, match="LazyConv2d: in_channels must be divisible by "
                                              r"groups.*\(1, 5, 4, 4\).*groups=2"):
        nn.LazyConv2d(4, 3, groups=2)(tidu.zeros(1, 5, 4, 4))
    with pytest.raises(tidu.ShapeError, match=r"LazyBatchNorm2d: expected 4-D.*got shape \(2, 3\)"):
        nn.LazyBatchNorm2d()(tidu.zeros(2, 3))
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.LazyConv2d(3, 3, groups=2)
