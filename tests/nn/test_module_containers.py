"""ModuleList, ModuleDict, ParameterList, ParameterDict against PyTorch's: the same
state_dict keys, the same outputs and gradients after copying weights, list/dict behaviour
(renumbering on delete and insert), and one ArgumentError for anything but a Module."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import ArgumentError, IndexRangeError
from tests.oracle import compare_module


def _lib_list(lib):
    return lib.nn.ModuleList([lib.nn.Linear(4, 5), lib.nn.Tanh(), lib.nn.Linear(5, 3)])


class _Net:
    """The same model in either library: a ModuleList of blocks and a ModuleDict of heads."""

    @staticmethod
    def build(lib):
        base = lib.nn.Module

        class Net(base):
            def __init__(self):
                super().__init__()
                self.layers = lib.nn.ModuleList([lib.nn.Linear(4, 6), lib.nn.Linear(6, 6)])
                self.layers.append(lib.nn.Linear(6, 5))
                self.heads = lib.nn.ModuleDict({"cls": lib.nn.Linear(5, 3)})
                self.heads["reg"] = lib.nn.Linear(5, 1)
                self.scale = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(5))])
                self.bias = lib.nn.ParameterDict({"b": lib.nn.Parameter(lib.zeros(3))})

            def forward(self, x):
                for layer in self.layers[:-1]:
                    x = lib.tanh(layer(x))
                x = self.layers[-1](x) * self.scale[0]
                return self.heads["cls"](x) + self.bias["b"], self.heads["reg"](x)

        return Net()


def _torch_net():
    return _Net.build(torch)


def _tidu_net():
    return _Net.build(tidu)


def test_state_dict_keys_match_torch():
    t_net, p_net = _tidu_net(), _torch_net()
    assert list(t_net.state_dict()) == list(p_net.state_dict())
    assert [n for n, _ in t_net.named_parameters()] == [n for n, _ in p_net.named_parameters()]
    assert [n for n, _ in t_net.named_modules()] == [n for n, _ in p_net.named_modules()]


def test_model_outputs_and_gradients_match_torch():
    t_net, p_net = _tidu_net(), _torch_net()
    with torch.no_grad():
        for p in p_net.parameters():
            p.uniform_(-1, 1)
    x = np.random.default_rng(0).standard_normal((7, 4))
    compare_module(t_net, p_net, x)
    for key, value in p_net.state_dict().items():
        np.testing.assert_array_equal(t_net.state_dict()[key], value.numpy(), err_msg=key)


@pytest.mark.parametrize("op", ["del0", "del-1", "delslice", "insert0", "insert1", "insert-1",
                                "insertend", "pop", "pop0", "setitem", "extend", "iadd",
                                "add", "slice", "slicestep"])
def test_modulelist_operations_match_torch(op):
    lists = {}
    for name, lib in (("tidu", tidu), ("torch", torch)):
        ml = _lib_list(lib)
        extra = lib.nn.Linear(3, 2)
        if op == "del0":
            del ml[0]
        elif op == "del-1":
            del ml[-1]
        elif op == "delslice":
            del ml[0:3:2]
        elif op.startswith("insert"):
            index = {"insert0": 0, "insert1": 1, "insert-1": -1, "insertend": 3}[op]
            if name == "torch" and index < 0:
                index += len(ml)  # torch's insert has no negative indexing; tidu's is list's
            ml.insert(index, extra)
        elif op == "pop":
            assert isinstance(ml.pop(1), lib.nn.Tanh)
        elif op == "pop0":
            assert isinstance(ml.pop(0), lib.nn.Linear)
        elif op == "setitem":
            ml[-2] = extra
        elif op == "extend":
            assert ml.extend([extra, lib.nn.ReLU()]) is ml
        elif op == "iadd":
            ml += [extra]
        elif op == "add":
            ml = ml + lib.nn.ModuleList([extra])
        elif op == "slice":
            ml = ml[1:]
        elif op == "slicestep":
            ml = ml[::-2]
        lists[name] = ml
    t, p = lists["tidu"], lists["torch"]
    assert len(t) == len(p)
    assert [type(m).__name__ for m in t] == [type(m).__name__ for m in p]
    assert list(t.state_dict()) == list(p.state_dict())
    assert [k for k, _ in t.named_children()] == [k for k, _ in p.named_children()]
    assert [k for k, _ in t.named_children()] == [str(i) for i in range(len(t))]
    assert all(getattr(t, str(i)) is t[i] for i in range(len(t)))  # attributes renumbered too
    assert not hasattr(t, str(len(t)))


def test_modulelist_slice_shares_modules_and_indexing():
    ml = _lib_list(tidu)
    assert isinstance(ml[1:], nn.ModuleList) and ml[1:][0] is ml[1]
    assert ml[-1] is ml[2] and list(ml) == [ml[0], ml[1], ml[2]]
    with pytest.raises(IndexRangeError, match="index 3 is out of range"):
        ml[3]
    with pytest.raises(IndexRangeError, match="index -4 is out of range"):
        ml[-4] = nn.ReLU()
    with pytest.raises(ArgumentError, match="indices must be ints"):
        ml["0"]
    with pytest.raises(NotImplementedError):
        ml(tidu.ones(2))


NOT_MODULES = {
    "class": (nn.ReLU, "the class ReLU"),
    "function": (nn.functional.relu, "function"),
    "tensor": (tidu.Tensor(np.ones(2)), "Tensor"),
    "none": (None, "NoneType"),
    "number": (3, "int 3"),
}
BUILDERS = {
    "ModuleList": (lambda bad: nn.ModuleList([nn.Linear(2, 3), bad]), "the module at position 1"),
    "ModuleList.append": (lambda bad: nn.ModuleList([nn.ReLU()]).append(bad),
                          "the module appended at position 1"),
    "ModuleList.extend": (lambda bad: nn.ModuleList([nn.ReLU()]).extend([nn.ReLU(), bad]),
                          "the module at position 2"),
    "ModuleList.insert": (lambda bad: nn.ModuleList([nn.ReLU()]).insert(0, bad),
                          "the module inserted at index 0"),
    "ModuleList.setitem": (lambda bad: nn.ModuleList([nn.ReLU()]).__setitem__(0, bad),
                           "the module set at position 0"),
    "ModuleDict": (lambda bad: nn.ModuleDict({"fc": nn.Linear(2, 3), "act": bad}),
                   "the module for key 'act'"),
    "ModuleDict.setitem": (lambda bad: nn.ModuleDict().__setitem__("act", bad),
                           "the module for key 'act'"),
    "ModuleDict.update_pairs": (lambda bad: nn.ModuleDict().update([("a", nn.ReLU()), ("b", bad)]),
                                "the module for key 'b'"),
}


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize("item", NOT_MODULES)
def test_module_containers_refuse_anything_but_module_instances(builder, item):
    build, where = BUILDERS[builder]
    bad, kind = NOT_MODULES[item]
    with pytest.raises(ArgumentError) as info:
        build(bad)
    assert where in str(info.value) and kind in str(info.value)


def test_refused_extend_and_update_leave_the_container_unchanged():
    ml = nn.ModuleList([nn.ReLU()])
    with pytest.raises(ArgumentError):
        ml.extend([nn.Tanh(), nn.ReLU])
    assert len(ml) == 1
    md = nn.ModuleDict({"a": nn.ReLU()})
    with pytest.raises(ArgumentError):
        md.update({"b": nn.Tanh(), "c": 4})
    assert list(md) == ["a"]


def test_moduledict_matches_torch():
    made = {}
    for name, lib in (("tidu", tidu), ("torch", torch)):
        md = lib.nn.ModuleDict({"b": lib.nn.Linear(2, 3), "a": lib.nn.ReLU()})
        md.update([("c", lib.nn.Linear(3, 1)), ("b", lib.nn.Linear(2, 4))])  # b overwritten in place
        md["d"] = lib.nn.Tanh()
        popped = md.pop("a")
        assert isinstance(popped, lib.nn.ReLU)
        del md["d"]
        made[name] = md
    t, p = made["tidu"], made["torch"]
    assert list(t) == list(p) == list(t.keys()) == ["b", "c"]
    assert [k for k, _ in t.items()] == list(p.keys())
    assert [type(v).__name__ for v in t.values()] == [type(v).__name__ for v in p.values()]
    assert list(t.state_dict()) == list(p.state_dict())
    assert t["b"].out_features == 4 and len(t) == 2
    assert "c" in t and "a" not in t and not hasattr(t, "a")
    t.clear()
    assert len(t) == 0 and list(t.state_dict()) == [] and not hasattr(t, "b")


@pytest.mark.parametrize("key, match", [(1, "keys must be strings"), ("", "non-empty"),
                                         ("a.b", "contain no '.'"), ("keys", "shadow"),
                                         ("train", "shadow")])
def test_moduledict_refuses_bad_keys(key, match):
    with pytest.raises(ArgumentError, match=match):
        nn.ModuleDict({key: nn.ReLU()})
    with pytest.raises(ArgumentError, match=match):
        nn.ModuleDict()[key] = nn.ReLU()


@pytest.mark.parametrize("bad, match", [(3, "iterable"), ([nn.ReLU()], "element #0"),
                                         ([("a", nn.ReLU(), 1)], "has length 3")])
def test_moduledict_update_refuses_non_pairs(bad, match):
    with pytest.raises(ArgumentError, match=match):
        nn.ModuleDict().update(bad)


def test_moduledict_missing_key_is_keyerror():
    with pytest.raises(KeyError):
        nn.ModuleDict()["x"]
    with pytest.raises(KeyError):
        del nn.ModuleDict()["x"]


def test_parameterlist_matches_torch():
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((2, 3)), rng.standard_normal(4)]
    t = nn.ParameterList([tidu.Tensor(arrays[0], dtype=np.float64)])
    t.append(nn.Parameter(arrays[1], dtype=np.float64))
    p = torch.nn.ParameterList([torch.tensor(arrays[0])])
    p.append(torch.nn.Parameter(torch.tensor(arrays[1])))
    assert len(t) == len(p) == 2
    assert list(t.state_dict()) == list(p.state_dict()) == ["0", "1"]
    assert all(isinstance(x, nn.Parameter) and x.requires_grad for x in t)
    for key, value in p.state_dict().items():
        np.testing.assert_array_equal(t.state_dict()[key], value.numpy())
    assert t[-1] is t[1] and isinstance(t[:1], nn.ParameterList) and t[:1][0] is t[0]
    t[0] = tidu.zeros(3)
    assert isinstance(t[0], nn.Parameter) and t[0].shape == (3,)
    t += [tidu.ones(1)]
    assert len(t) == 3 and list(t.state_dict()) == ["0", "1", "2"]
    assert len(list(t.parameters())) == 3


@pytest.mark.parametrize("bad", [np.ones(2), 3.0, "w", nn.ReLU()])
def test_parameterlist_refuses_non_tensors(bad):
    with pytest.raises(ArgumentError, match="must be a Parameter or Tensor"):
        nn.ParameterList([tidu.ones(1), bad])
    with pytest.raises(ArgumentError, match="iterable"):
        nn.ParameterList().extend(tidu.ones(3))
    with pytest.raises(IndexRangeError):
        nn.ParameterList()[0]
    with pytest.raises(RuntimeError, match="should not be called"):
        nn.ParameterList()(1)


def test_parameterdict_matches_torch():
    t = nn.ParameterDict({"w": tidu.ones(2), "b": nn.Parameter(np.zeros(1))})  # sorted: b, w
    p = torch.nn.ParameterDict({"w": torch.ones(2), "b": torch.nn.Parameter(torch.zeros(1))})
    t["c"] = tidu.ones(3)
    p["c"] = torch.ones(3)
    assert list(t.state_dict()) == list(p.state_dict()) == ["b", "w", "c"]
    assert isinstance(t["w"], nn.Parameter) and t.get("zz") is None and "c" in t
    assert t.pop("b").shape == (1,) and list(t) == ["w", "c"] and not hasattr(t, "b")
    t.update([("d", tidu.ones(1))])
    assert list(t.keys()) == ["w", "c", "d"] and len(list(t.parameters())) == 3
    with pytest.raises(ArgumentError, match="must be a Parameter or Tensor"):
        t["e"] = [1.0]
    with pytest.raises(ArgumentError, match="shadow"):
        t["cuda"] = tidu.ones(1)


def test_existing_module_methods_match_torch():
    """apply (children first), modules/named_modules, requires_grad_, add_module,
    register_buffer and forward hooks behave as PyTorch's on a ModuleList model."""
    orders = {}
    for name, lib in (("tidu", tidu), ("torch", torch)):
        net = _Net.build(lib)
        seen = []
        net.apply(lambda m: seen.append(type(m).__name__))
        orders[name] = (seen, [type(m).__name__ for m in net.modules()])
        net.requires_grad_(False)
        assert not any(p.requires_grad for p in net.parameters())
        net.layers.add_module("3", lib.nn.ReLU())
        assert len(net.layers) == 4
        net.register_buffer("count", lib.zeros(1) if name == "torch" else np.zeros(1))
        assert "count" in net.state_dict()
    assert orders["tidu"] == orders["torch"]
    calls = []
    lin = nn.Linear(2, 2)
    h1 = lin.register_forward_pre_hook(lambda m, args: calls.append("pre"))
    h2 = lin.register_forward_hook(lambda m, args, out: out * 0)
    out = nn.ModuleList([lin])[0](tidu.ones(1, 2))
    assert calls == ["pre"] and np.all(out._data == 0)
    h1.remove(), h2.remove()
    assert np.any(lin(tidu.ones(1, 2))._data != 0)


def test_unflatten_as_torch():
    from tests.oracle import compare_fn
    x = np.random.default_rng(0).standard_normal((2, 12))
    compare_fn(lambda a: tidu.nn.Unflatten(1, (3, -1))(a), lambda a: torch.nn.Unflatten(1, (3, -1))(a), x)
    assert repr(tidu.nn.Unflatten(1, (3, 4))) == repr(torch.nn.Unflatten(1, (3, 4)))
