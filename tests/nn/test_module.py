"""The Module API against torch.nn.Module: names and order of parameters, children, modes,
gradients, state_dict and load_state_dict, dtype casts, error messages, and the oracle on
MLPs built from Sequential / Residual."""
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tidu
from tidu import nn
from tidu.errors import ShapeError, StateDictError
from tests.oracle import compare_module, finite_difference_check


class TorchResidual(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


def build(lib, kind):
    """The same architecture in tidu (lib=nn) or torch (lib=torch.nn)."""
    residual = nn.Residual if lib is nn else TorchResidual
    if kind == "mlp":
        return lib.Sequential(lib.Linear(5, 7), lib.Tanh(), lib.Linear(7, 6), lib.ReLU(),
                              lib.Linear(6, 3))
    if kind == "nested":
        return lib.Sequential(lib.Sequential(lib.Linear(5, 4), lib.ReLU()),
                              lib.Sequential(lib.Linear(4, 4, bias=False), lib.Tanh(),
                                             lib.Sequential(lib.Linear(4, 3))))
    if kind == "residual":
        return lib.Sequential(lib.Linear(5, 6), residual(lib.Sequential(lib.Linear(6, 8), lib.Tanh(),
                                                                         lib.Linear(8, 6))),
                              lib.ReLU(), residual(lib.Linear(6, 6)), lib.Linear(6, 3))
    if kind == "named":
        return lib.Sequential(OrderedDict([("encoder", lib.Linear(5, 4)), ("act", lib.Sigmoid()),
                                           ("head", lib.Linear(4, 3))]))
    raise ValueError(kind)


KINDS = ["mlp", "nested", "residual", "named"]


def pair(kind, seed=0):
    tidu.manual_seed(seed)
    torch.manual_seed(seed)
    return build(nn, kind), build(torch.nn, kind)


# --------------------------------------------------------------------------- names and order
@pytest.mark.parametrize("kind", KINDS)
def test_named_parameters_match_torch(kind):
    ours, ref = pair(kind)
    names = [(n, p.shape) for n, p in ours.named_parameters()]
    assert names == [(n, tuple(p.shape)) for n, p in ref.named_parameters()]
    params = list(ours.parameters())
    assert [id(p) for p in params] == [id(p) for _, p in ours.named_parameters()]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in params)


def test_residual_keys_are_prefixed_fn():
    ours, _ = pair("residual")
    assert [n for n, _ in ours.named_parameters()] == [
        "0.weight", "0.bias", "1.fn.0.weight", "1.fn.0.bias", "1.fn.2.weight", "1.fn.2.bias",
        "3.fn.weight", "3.fn.bias", "4.weight", "4.bias"]


@pytest.mark.parametrize("kind", KINDS)
def test_children_and_modules_match_torch(kind):
    ours, ref = pair(kind)
    assert [n for n, _ in ours.named_children()] == [n for n, _ in ref.named_children()]
    assert [type(m).__name__ for m in ours.children()] == \
        [type(m).__name__.replace("TorchResidual", "Residual") for m in ref.children()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in ref.named_modules()]
    assert len(list(ours.modules())) == len(list(ref.modules()))


def test_non_recursive_parameters_and_shared_parameters():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]  # once, as torch
    assert list(model.parameters(recurse=False)) == []
    assert [n for n, _ in shared.named_parameters(recurse=False)] == ["weight", "bias"]
    tshared = torch.nn.Linear(3, 3)
    tmodel = torch.nn.Sequential(tshared, torch.nn.ReLU(), tshared)
    assert [n for n, _ in tmodel.named_parameters()] == ["0.weight", "0.bias"]


@pytest.mark.parametrize("kind", KINDS)
def test_repr_matches_torch(kind):
    ours, ref = pair(kind)
    assert repr(ours) == repr(ref).replace("TorchResidual", "Residual")


def test_sequential_indexing_len_iter_append():
    model, _ = pair("mlp")
    assert len(model) == 5
    assert isinstance(model[0], nn.Linear) and model[-1] is list(model)[-1]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    model.append(nn.Tanh())
    assert len(model) == 6 and [n for n, _ in model.named_children()][-1] == "5"


def test_super_init_is_required():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


# --------------------------------------------------------------------------- modes and grads
def test_train_eval_are_recursive():
    model, _ = pair("nested")
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model[1].train()
    assert model[1][2][0].training and not model.training and not model[0][0].training
    assert model.train() is model and all(m.training for m in model.modules())
    model.train(False)
    assert not any(m.training for m in model.modules())


def _backward(model, seed=0):
    x = tidu.Tensor(np.random.default_rng(seed).standard_normal((4, 5)))
    (model(x) ** 2).sum().backward()


def test_zero_grad():
    model, _ = pair("residual")
    _backward(model)
    assert all(p.grad is not None and np.any(p.grad._data != 0) for p in model.parameters())
    grads = {n: p.grad for n, p in model.named_parameters()}
    model.zero_grad(set_to_none=False)
    for n, p in model.named_parameters():
        assert p.grad is grads[n] and np.all(p.grad._data == 0) and p.grad.shape == p.shape
    _backward(model)
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_gradients_accumulate_until_zeroed():
    model, _ = pair("mlp")
    _backward(model)
    first = {n: p.grad._data.copy() for n, p in model.named_parameters()}
    _backward(model)
    for n, p in model.named_parameters():
        np.testing.assert_allclose(p.grad._data, 2 * first[n], rtol=1e-5)


def test_requires_grad_false_freezes():
    model, _ = pair("mlp")
    model[0].requires_grad_(False)
    _backward(model)
    assert model[0].weight.grad is None and model[0].bias.grad is None
    assert model[4].weight.grad is not None


# --------------------------------------------------------------------------- state_dict
class WithBuffers(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scale", np.full(3, 2.0, dtype=np.float32))
        self.lin = nn.Linear(3, 2)
        self.register_buffer("steps", np.array(0, dtype=np.int64))
        self.register_buffer("cache", np.ones(2, dtype=np.float32), persistent=False)
        self.out = nn.Linear(2, 1)

    def forward(self, x):
        return self.out(self.lin(x * self.scale))


class TorchWithBuffers(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scale", torch.full((3,), 2.0))
        self.lin = torch.nn.Linear(3, 2)
        self.register_buffer("steps", torch.tensor(0))
        self.register_buffer("cache", torch.ones(2), persistent=False)
        self.out = torch.nn.Linear(2, 1)

    def forward(self, x):
        return self.out(self.lin(x * self.scale))


@pytest.mark.parametrize("kind", KINDS)
def test_state_dict_keys_match_torch(kind):
    ours, ref = pair(kind)
    state = ours.state_dict()
    assert isinstance(state, OrderedDict)
    assert [(k, v.shape) for k, v in state.items()] == \
        [(k, tuple(v.shape)) for k, v in ref.state_dict().items()]


def test_state_dict_with_buffers_matches_torch():
    ours, ref = WithBuffers(), TorchWithBuffers()
    assert list(ours.state_dict()) == list(ref.state_dict()) == \
        ["scale", "steps", "lin.weight", "lin.bias", "out.weight", "out.bias"]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert ours.state_dict()["steps"].dtype == np.int64


def test_state_dict_arrays_are_live():
    model, _ = pair("mlp")
    state = model.state_dict()
    assert state["0.weight"]._data is model[0].weight._data
    state["4.bias"][...] = 7.0  # as in PyTorch, the state_dict shares memory with the model
    assert np.all(model[4].bias._data == 7.0)
    buffers = WithBuffers()
    buffers.state_dict()["scale"][0] = -1
    assert buffers.scale[0] == -1


@pytest.mark.parametrize("kind", KINDS)
def test_torch_state_dict_loads_and_predicts_the_same(kind):
    ours, ref = pair(kind, seed=1)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    np.testing.assert_allclose(ours(tidu.Tensor(x))._data, ref(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_load_state_dict_copies_and_casts():
    ours, ref = pair("mlp", seed=2)
    state = {k: v.detach().numpy().astype(np.float64) for k, v in ref.state_dict().items()}
    before = ours[0].weight._data
    assert ours.load_state_dict(state) == ([], [])
    assert ours[0].weight._data is before and before.dtype == np.float32  # in place, own dtype
    np.testing.assert_allclose(before, state["0.weight"], rtol=1e-7)
    state["0.weight"][...] = 0
    assert np.any(before != 0)  # copied, not aliased
    # torch tensors and tidu tensors are accepted as values
    ours.load_state_dict(ref.state_dict())
    ours.load_state_dict({k: tidu.Tensor(v) for k, v in ours.state_dict().items()})


def test_load_state_dict_buffers():
    ours, ref = WithBuffers(), TorchWithBuffers()
    with torch.no_grad():
        ref.scale.mul_(3)
        ref.steps.add_(5)
    ours.load_state_dict(ref.state_dict())
    assert ours.steps == 5 and ours.steps.dtype == np.int64
    np.testing.assert_array_equal(ours.scale, np.full(3, 6.0))
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(ours(tidu.Tensor(x))._data, ref(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-6)


def test_load_state_dict_strict_errors_list_the_keys():
    ours, _ = pair("residual")
    state = {k: v.clone() for k, v in ours.state_dict().items()}
    del state["1.fn.2.bias"], state["4.weight"]
    state["1.fn.4.weight"] = np.zeros((2, 2), np.float32)
    state["3.fn.weight"] = np.zeros((6, 5), np.float32)
    with pytest.raises(StateDictError) as err:
        ours.load_state_dict(state)
    msg = str(err.value)
    assert "load_state_dict into Sequential failed" in msg
    assert "missing keys: 1.fn.2.bias, 4.weight" in msg
    assert "unexpected keys: 1.fn.4.weight" in msg
    assert "3.fn.weight: model (6, 6), given (6, 5)" in msg
    assert isinstance(err.value, KeyError)  # as torch raises RuntimeError; callers may catch either


def test_load_state_dict_non_strict():
    ours, ref = pair("mlp", seed=3)
    state = {k: v.detach().numpy() for k, v in ref.state_dict().items()}
    del state["4.bias"]
    state["5.weight"] = np.zeros(3, np.float32)
    bias_before = ours[4].bias._data.copy()
    missing, unexpected = ours.load_state_dict(state, strict=False)
    assert (missing, unexpected) == (["4.bias"], ["5.weight"])
    r_missing, r_unexpected = ref.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()},
                                                  strict=False)
    assert (missing, unexpected) == (r_missing, r_unexpected)  # torch reports the same keys
    np.testing.assert_array_equal(ours[0].weight._data, state["0.weight"])
    np.testing.assert_array_equal(ours[4].bias._data, bias_before)


def test_load_state_dict_mis_shaped_raises_even_non_strict_and_loads_nothing():
    ours, _ = pair("mlp")
    state = {k: v + 1 for k, v in ours.state_dict().items()}
    state["2.weight"] = np.zeros((7, 6), np.float32)
    before = {k: v.clone() for k, v in ours.state_dict().items()}
    with pytest.raises(StateDictError, match=r"2\.weight: model \(6, 7\), given \(7, 6\)"):
        ours.load_state_dict(state, strict=False)
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


# --------------------------------------------------------------------------- dtype casts
def test_double_and_to():
    model = WithBuffers()
    params = list(model.parameters())
    model(tidu.Tensor(np.ones((2, 3)))).sum().backward()
    assert model.double() is model
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]  # same Parameters
    assert all(p.dtype == np.float64 and p.grad is None for p in model.parameters())
    assert model.scale.dtype == np.float64 and model.cache.dtype == np.float64
    assert model.steps.dtype == np.int64  # integer buffers are not cast
    assert model.state_dict()["scale"]._data is model.scale._data  # shares its memory
    out = model(tidu.tensor(np.ones((2, 3)), dtype=tidu.float64))
    assert out.dtype == np.float64
    assert model.to(np.float32) is model
    assert all(p.dtype == np.float32 for p in model.parameters()) and model.scale.dtype == np.float32
    model.to("float64")
    assert all(p.dtype == np.float64 for p in model.parameters())
    model.float()
    assert all(p.dtype == np.float32 for p in model.parameters())


def test_float32_model_keeps_float32():
    model, _ = pair("residual")
    out = model(tidu.Tensor(np.ones((2, 5))))
    assert out.dtype == np.float32
    out.sum().backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


# --------------------------------------------------------------------------- errors
def test_linear_shape_error_names_the_layer():
    layer = nn.Linear(4, 3)
    with pytest.raises(ShapeError) as err:
        layer(tidu.Tensor(np.ones((2, 5))))
    msg = str(err.value)
    assert "Linear(in_features=4, out_features=3, bias=True)" in msg
    assert "4 features" in msg and "(2, 5)" in msg


def test_sequential_error_carries_a_note_naming_the_layer():
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(3, 2))
    with pytest.raises(ShapeError) as err:
        model(tidu.Tensor(np.ones((2, 5))))
    notes = getattr(err.value, "__notes__", [])
    assert len(notes) == 1
    assert "layer '2'" in notes[0] and "Linear(in_features=3, out_features=2, bias=True)" in notes[0]


def test_nested_sequential_error_notes_name_each_level():
    model = nn.Sequential(nn.Sequential(nn.Linear(5, 4), nn.ReLU()),
                          nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.Linear(3, 3))))
    with pytest.raises(ShapeError) as err:
        model(tidu.Tensor(np.ones((2, 5))))
    notes = err.value.__notes__
    assert [n.split(":")[0] for n in notes] == ["in Sequential layer '0'", "in Sequential layer '1'",
                                               "in Sequential layer '1'"]


def test_named_sequential_note_uses_the_name():
    model, _ = pair("named")
    with pytest.raises(ShapeError) as err:
        model(tidu.Tensor(np.ones((2, 4))))
    assert "layer 'encoder'" in err.value.__notes__[0]


# --------------------------------------------------------------------------- the oracle
@pytest.mark.parametrize("kind", KINDS)
def test_oracle(kind):
    ours, ref = pair(kind)
    x = np.random.default_rng(0).standard_normal((4, 5))
    compare_module(ours, ref, x)


@settings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 9), lead=st.lists(st.integers(1, 3), max_size=2), seed=st.integers(0, 99))
def test_oracle_mlp_any_batch_shape(batch, lead, seed):
    ours, ref = pair("residual", seed=seed)
    x = np.random.default_rng(seed).standard_normal((batch, *lead, 5))
    compare_module(ours, ref, x)


def test_oracle_eval_mode():
    ours, ref = pair("mlp")
    compare_module(ours, ref, np.random.default_rng(1).standard_normal((3, 5)), train=False)
    assert not ours.training


def test_finite_differences_through_input_and_parameters():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Residual(nn.Linear(4, 4)),
                          nn.Linear(4, 2)).double()
    x = np.random.default_rng(0).standard_normal((2, 3))
    finite_difference_check(model, x)  # the input gradient
    # every parameter's gradient, by central differences of L = Σ out·R
    weights = np.random.default_rng(1).standard_normal((2, 2))
    model.zero_grad()
    (model(tidu.tensor(x, dtype=tidu.float64)) * tidu.tensor(weights, dtype=tidu.float64)).sum().backward()

    def loss():
        with tidu.no_grad():
            return float((model(tidu.tensor(x, dtype=tidu.float64))._data * weights).sum())

    eps = 1e-6
    for name, p in model.named_parameters():
        numeric = np.zeros_like(p._data)
        for j in np.ndindex(p.shape):
            old = p._data[j]
            p._data[j] = old + eps
            plus = loss()
            p._data[j] = old - eps
            minus = loss()
            p._data[j] = old
            numeric[j] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(p.grad._data, numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_shared_submodule_appears_under_every_name_like_torch():
    a = nn.Linear(2, 2)
    model = nn.Sequential(a, nn.Sequential(a, nn.ReLU()))
    ta = torch.nn.Linear(2, 2)
    tmodel = torch.nn.Sequential(ta, torch.nn.Sequential(ta, torch.nn.ReLU()))
    assert list(model.state_dict()) == list(tmodel.state_dict())
    model.load_state_dict({k: v.detach().numpy() for k, v in tmodel.state_dict().items()})
    assert len(list(model.parameters())) == len(list(tmodel.parameters())) == 2


def test_apply_visits_children_before_parents_like_torch():
    def build(lib):
        return lib.Sequential(lib.Linear(1, 1), lib.Sequential(lib.ReLU(), lib.Tanh()))

    ours, theirs = [], []
    build(nn).apply(lambda m: ours.append(type(m).__name__))
    build(torch.nn).apply(lambda m: theirs.append(type(m).__name__))
    assert ours == theirs


def test_assigning_none_keeps_the_name_registered():
    model = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
    model.add_module("1", None)
    assert [n for n, _ in model._modules.items()] == ["0", "1"]
    assert [n for n, _ in model.named_children()] == ["0"]


def test_reassigning_a_parameter_or_buffer_keeps_its_state_dict_place():
    # as torch: after .double() or a BatchNorm step the keys keep torch's order
    ours = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).double()
    ref = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3)).double()
    ours[1](tidu.Tensor(np.ones((4, 3)), dtype=np.float64))
    ours[0].weight = nn.Parameter(tidu.zeros(3, 2, dtype=tidu.float64))
    assert list(ours.state_dict()) == list(ref.state_dict())


def test_state_dict_holds_tensors_as_torch():
    """The idioms of PyTorch scripts: ``v.clone()`` snapshots, ``keep_vars``, ``prefix``."""
    ours = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    ref = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    for m in (ours, ref):
        snap = {k: v.clone() for k, v in m.state_dict().items()}
        assert all(not v.requires_grad for v in m.state_dict().values())
        with (tidu if m is ours else torch).no_grad():
            m[0].weight.add_(1.0)
        assert not np.allclose(snap["0.weight"].cpu().numpy(), m[0].weight.detach().cpu().numpy())
        m.load_state_dict(snap)
        np.testing.assert_array_equal(snap["0.weight"].cpu().numpy(),
                                      m[0].weight.detach().cpu().numpy())
        assert m.state_dict(keep_vars=True)["0.weight"] is m[0].weight
        assert list(m.state_dict(prefix="net.")) == ["net." + k for k in m.state_dict()]
