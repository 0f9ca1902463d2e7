"""tidu.save / tidu.load: .npz without pickle, nested state_dicts, atomic writes, and the
key checks of load_state_dict end-to-end."""
import io
import math
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tidu
from tidu import nn
from tidu.errors import StateDictError
from tidu.serialization import SerializationError


def mlp(seed=0, dtype=None):
    tidu.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 8, dtype=dtype), nn.Tanh(), nn.Linear(8, 8, dtype=dtype),
                         nn.ReLU(), nn.Linear(8, 3, dtype=dtype))


def assert_same(a, b, where="top"):
    """Equal values of equal types, recursively (arrays: dtype, shape and bits)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()), where
        for (ka, va), (kb, vb) in zip(a.items(), b.items()):
            assert type(ka) is type(kb), f"{where}: key {ka!r} type"
            assert_same(va, vb, f"{where}/{ka}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}/{i}")
    elif isinstance(a, tidu.Tensor):
        assert_same(a._data, b._data, where)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}"
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), where
    elif isinstance(a, float):
        assert repr(a) == repr(b), f"{where}: {a!r} vs {b!r}"  # nan, -0.0 and inf included
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


# --------------------------------------------------------------------------- round trips
@pytest.mark.host_only("checks that loaded arrays are NumPy arrays of the saved type (files load to the host)")
def test_model_state_dict_round_trip(tmp_path):
    model = mlp(0)
    path = tmp_path / "model.npz"
    tidu.save(model.state_dict(), path)
    loaded = tidu.load(path)
    assert isinstance(loaded, OrderedDict)
    assert list(loaded) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert_same(loaded, OrderedDict((k, v.clone()) for k, v in model.state_dict().items()))

    other = mlp(1)
    x = tidu.Tensor(np.random.default_rng(0).standard_normal((5, 6)))
    assert not np.allclose(other(x)._data, model(x)._data)
    other.load_state_dict(loaded)
    np.testing.assert_array_equal(other(x)._data, model(x)._data)
    # the loaded arrays were copied in: changing them does not touch the model
    loaded["0.weight"][...] = 0
    assert np.abs(other.state_dict()["0.weight"]).sum() > 0


@pytest.mark.host_only("checks that loaded arrays are NumPy arrays of the saved type (files load to the host)")
def test_float64_model_round_trip_keeps_dtype(tmp_path):
    model = mlp(0, dtype=tidu.float64)
    tidu.save(model.state_dict(), tmp_path / "m.npz")
    loaded = tidu.load(tmp_path / "m.npz")
    assert all(v.dtype == np.float64 for v in loaded.values())
    assert_same(loaded, OrderedDict((k, v.clone()) for k, v in model.state_dict().items()))


@pytest.mark.host_only("checks that loaded arrays are NumPy arrays of the saved type (files load to the host)")
def test_array_dtypes_scalars_and_tensors_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    obj = {
        "f32": rng.standard_normal((3, 4)).astype(np.float32),
        "f64": rng.standard_normal((2, 5)),
        "i64": rng.integers(-10**12, 10**12, size=(7,), dtype=np.int64),
        "f16": np.arange(4, dtype=np.float16),
        "bool": np.array([True, False, True]),
        "u8": np.arange(5, dtype=np.uint8),
        "zero_d": np.array(3.5),
        "empty": np.zeros((0, 4), dtype=np.float32),
        "fortran": np.asfortranarray(rng.standard_normal((3, 2))),
        "strided": np.arange(12.0)[::3],
        "strings": np.array(["a", "bc"]),
        "np_f32": np.float32(1.25),
        "np_i64": np.int64(-7),
        "np_bool": np.bool_(True),
        "tensor": tidu.Tensor([1.0, 2.0]),
        "tensor64": tidu.tensor([[1.0], [2.0]], dtype=tidu.float64),
    }
    tidu.save(obj, tmp_path / "a.npz")
    loaded = tidu.load(tmp_path / "a.npz")
    assert_same(loaded, obj)
    assert loaded["tensor"].dtype == np.float32 and not loaded["tensor"].requires_grad


@pytest.mark.host_only("checks that loaded arrays are NumPy arrays of the saved type (files load to the host)")
def test_nested_optimizer_state_dict_round_trip(tmp_path):
    model = mlp(0)
    opt = tidu.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
    x = tidu.Tensor(np.random.default_rng(1).standard_normal((4, 6)))
    for _ in range(2):
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()
    state = opt.state_dict()
    state["param_groups"][0]["extra"] = [None, True, False, 3, -2.5, "text", (1, 2), [0, [1, 2]]]
    checkpoint = {"model": model.state_dict(), "optimizer": state, "epoch": 7,
                  "best": float("inf"), "history": [0.5, 0.25], "note": None}
    tidu.save(checkpoint, tmp_path / "ckpt.npz")
    loaded = tidu.load(tmp_path / "ckpt.npz")
    assert_same(loaded, checkpoint)
    assert sorted(loaded["optimizer"]["state"]) == list(range(6))  # int keys stay ints
    assert loaded["optimizer"]["param_groups"][0]["params"] == [0, 1, 2, 3, 4, 5]
    assert loaded["optimizer"]["param_groups"][0]["nesterov"] is True
    # the arrays are readable with NumPy alone, under their key paths
    with np.load(tmp_path / "ckpt.npz", allow_pickle=False) as npz:
        assert "model/0.weight" in npz.files
        assert "optimizer/state/0/momentum_buffer" in npz.files
        np.testing.assert_array_equal(npz["model/2.bias"], model.state_dict()["2.bias"])


def test_checkpoint_resumes_training_identically(tmp_path):
    rng = np.random.default_rng(2)
    batches = [(tidu.Tensor(rng.standard_normal((8, 6))), tidu.Tensor(rng.standard_normal((8, 3))))
               for _ in range(10)]

    def run(model, opt, part):
        for x, y in part:
            opt.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            opt.step()

    model = mlp(0)
    opt = tidu.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    run(model, opt, batches[:5])
    tidu.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, tmp_path / "c.npz")
    run(model, opt, batches[5:])

    resumed = mlp(3)
    opt2 = tidu.optim.SGD(resumed.parameters(), lr=0.05, momentum=0.9)
    ckpt = tidu.load(tmp_path / "c.npz")
    resumed.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["optimizer"])
    run(resumed, opt2, batches[5:])
    assert_same(OrderedDict((k, v.clone()) for k, v in resumed.state_dict().items()),
                OrderedDict((k, v.clone()) for k, v in model.state_dict().items()))


def test_key_collisions_and_odd_keys_stay_distinct(tmp_path):
    obj = {"a/b": np.array([1]), "a": {"b": np.array([2]), 0: np.array([3]), "0": np.array([4])},
           "": np.array([5]), "__tidu__": np.array([6]), "file": np.array([7]),
           "allow_pickle": np.array([8]), "x.npy": np.array([9]), "\ud800\n": np.array([10])}
    tidu.save(obj, tmp_path / "k.npz")
    assert_same(tidu.load(tmp_path / "k.npz"), obj)


def test_file_objects_and_no_suffix(tmp_path):
    buf = io.BytesIO()
    tidu.save({"w": np.ones(3)}, buf)
    buf.seek(0)
    assert_same(tidu.load(buf), {"w": np.ones(3)})
    tidu.save({"w": np.ones(2)}, str(tmp_path / "weights.ckpt"))  # used as given, no .npz added
    assert os.listdir(tmp_path) == ["weights.ckpt"]
    assert_same(tidu.load(str(tmp_path / "weights.ckpt")), {"w": np.ones(2)})


def test_plain_npz_loads_as_dict_of_arrays(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.eye(2), b=np.zeros(2, np.float32))
    loaded = tidu.load(tmp_path / "plain.npz")
    assert set(loaded) == {"w", "b"}
    np.testing.assert_array_equal(loaded["w"], np.eye(2))
    assert loaded["b"].dtype == np.float32


_leaf = (st.none() | st.booleans() | st.integers(-2**62, 2**62) | st.floats(allow_nan=True)
         | st.text(max_size=5)
         | st.builds(lambda n, s: np.random.default_rng(s).standard_normal(n),
                     st.integers(0, 4), st.integers(0, 99)))
_tree = st.recursive(
    _leaf,
    lambda children: (st.lists(children, max_size=3) | st.tuples(children, children)
                      | st.dictionaries(st.text(max_size=4) | st.integers(-5, 5), children,
                                        max_size=3)),
    max_leaves=12)


@settings(max_examples=25, deadline=None)
@given(tree=st.dictionaries(st.text(max_size=4), _tree, max_size=4))
def test_round_trip_any_nested_structure(tree, tmp_path_factory):
    path = tmp_path_factory.mktemp("h") / "t.npz"
    tidu.save(tree, path)
    assert_same(tidu.load(path), tree)


# --------------------------------------------------------------------------- no pickle
class _Evil:
    """Unpickling this would run os.system — loading must never get that far."""

    def __reduce__(self):
        return (os.system, ("touch EVIL_RAN",))


def _evil_marker(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path / "EVIL_RAN"


def test_npz_with_pickled_object_array_is_refused(tmp_path, monkeypatch):
    marker = _evil_marker(tmp_path, monkeypatch)
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.ones(2), bad=np.array([_Evil()], dtype=object))
    with pytest.raises(SerializationError, match="bad"):
        tidu.load(path)
    assert not marker.exists()


def test_tidu_file_with_smuggled_object_array_is_refused(tmp_path, monkeypatch):
    marker = _evil_marker(tmp_path, monkeypatch)
    path = tmp_path / "good.npz"
    tidu.save({"w": np.ones(2)}, path)
    with np.load(path, allow_pickle=False) as npz:
        entries = {name: npz[name] for name in npz.files}
    entries["w"] = np.array([_Evil()], dtype=object)  # same structure, pickled payload
    np.savez(path, **entries)
    with pytest.raises(SerializationError, match="pickle"):
        tidu.load(path)
    assert not marker.exists()


@pytest.mark.parametrize("writer", ["pickle", "npy_object", "torch"])
def test_pickle_files_are_refused(tmp_path, monkeypatch, writer):
    marker = _evil_marker(tmp_path, monkeypatch)
    path = tmp_path / "evil.bin"
    if writer == "pickle":
        path.write_bytes(pickle.dumps({"w": _Evil()}))
    elif writer == "npy_object":
        with open(path, "wb") as f:
            np.save(f, np.array([_Evil()], dtype=object), allow_pickle=True)
    else:
        torch.save({"w": torch.ones(2)}, path)  # a zip of pickles, not an npz
    with pytest.raises(SerializationError):
        tidu.load(path)
    assert not marker.exists()


def test_malformed_structure_entry_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    np.savez(path, __tidu__=np.frombuffer(b"{not json", dtype=np.uint8))
    with pytest.raises(SerializationError, match="malformed"):
        tidu.load(path)
    np.savez(path, __tidu__=np.frombuffer(
        b'{"format": "tidu.save", "version": 1, "tree": {"t": "array", "k": "gone"}}', dtype=np.uint8))
    with pytest.raises(SerializationError, match="gone"):
        tidu.load(path)
    np.savez(path, __tidu__=np.frombuffer(
        b'{"format": "tidu.save", "version": 1, "tree": {"t": "code", "v": "1"}}', dtype=np.uint8))
    with pytest.raises(SerializationError, match="code"):
        tidu.load(path)
    np.savez(path, __tidu__=np.frombuffer(b'{"format": "tidu.save", "version": 99}', dtype=np.uint8))
    with pytest.raises(SerializationError, match="version"):
        tidu.load(path)


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(SerializationError):
        tidu.load(tmp_path / "empty.npz")
    with pytest.raises(FileNotFoundError):
        tidu.load(tmp_path / "nowhere.npz")


@pytest.mark.parametrize("value, words", [
    (np.array([object()], dtype=object), "objects"),
    (object(), "object"),
    ({1.5: np.ones(1)}, "keys must be str or int"),
    ({True: 1}, "keys must be str or int"),
    ({"a": {"b": [1, {3, 4}]}}, "a/b/1"),
])
def test_save_refuses_what_needs_pickle(tmp_path, value, words):
    with pytest.raises(SerializationError, match=words):
        tidu.save(value, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []  # nothing written, no temp file left


def test_saving_a_module_points_to_state_dict(tmp_path):
    with pytest.raises(SerializationError, match=r"state_dict\(\)"):
        tidu.save(mlp(0), tmp_path / "m.npz")


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    tidu.save({"w": np.ones(3)}, path)
    before = path.read_bytes()

    import tidu.serialization as ser
    real = ser._write_npz

    def crash(f, entries):
        real(f, entries)  # the whole temp file is written, then the "power fails"
        raise KeyboardInterrupt

    monkeypatch.setattr(ser, "_write_npz", crash)
    with pytest.raises(KeyboardInterrupt):
        tidu.save({"w": np.zeros(3)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # the temp file was removed
    monkeypatch.setattr(ser, "_write_npz", real)
    tidu.save({"w": np.zeros(3)}, path)  # overwrite works
    np.testing.assert_array_equal(tidu.load(path)["w"], np.zeros(3))


# --------------------------------------------------------------------------- into a model
def _saved_state(tmp_path, state):
    tidu.save(state, tmp_path / "s.npz")
    return tidu.load(tmp_path / "s.npz")


def test_missing_key_is_listed(tmp_path):
    state = dict(mlp(0).state_dict())
    del state["2.weight"], state["4.bias"]
    loaded = _saved_state(tmp_path, state)
    with pytest.raises(StateDictError) as err:
        mlp(1).load_state_dict(loaded)
    msg = str(err.value)
    assert "missing keys: 2.weight, 4.bias" in msg and "unexpected" not in msg


def test_extra_key_is_listed(tmp_path):
    state = dict(mlp(0).state_dict())
    state["6.weight"] = np.ones((2, 3), np.float32)
    state["extra"] = np.ones(1, np.float32)
    loaded = _saved_state(tmp_path, state)
    with pytest.raises(StateDictError) as err:
        mlp(1).load_state_dict(loaded)
    assert "unexpected keys: 6.weight, extra" in str(err.value)
    # non-strict: loads the rest and returns the lists
    model = mlp(1)
    missing, unexpected = model.load_state_dict(loaded, strict=False)
    assert missing == [] and unexpected == ["6.weight", "extra"]
    np.testing.assert_array_equal(model.state_dict()["0.weight"], state["0.weight"])


def test_mis_shaped_key_is_listed_and_nothing_is_loaded(tmp_path):
    state = dict(mlp(0).state_dict())
    state["2.weight"] = np.ones((8, 7), np.float32)
    loaded = _saved_state(tmp_path, state)
    model = mlp(1)
    before = model.state_dict()["0.weight"].clone()
    with pytest.raises(StateDictError) as err:
        model.load_state_dict(loaded, strict=False)
    assert "2.weight: model (8, 8), given (8, 7)" in str(err.value)
    np.testing.assert_array_equal(model.state_dict()["0.weight"], before)


def test_all_three_kinds_listed_together(tmp_path):
    state = dict(mlp(0).state_dict())
    del state["0.bias"]
    state["9.bias"] = np.zeros(3, np.float32)
    state["4.weight"] = np.zeros((3, 9), np.float32)
    with pytest.raises(StateDictError) as err:
        mlp(1).load_state_dict(_saved_state(tmp_path, state))
    msg = str(err.value)
    assert "missing keys: 0.bias" in msg
    assert "unexpected keys: 9.bias" in msg
    assert "4.weight: model (3, 8), given (3, 9)" in msg


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_torch_state_dict_through_npz_gives_same_outputs(tmp_path, dtype):
    torch.manual_seed(0)
    torch_model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                      torch.nn.ReLU(), torch.nn.Linear(8, 3)).to(dtype)
    tidu.save({k: v.detach().numpy() for k, v in torch_model.state_dict().items()},
              tmp_path / "torch.npz")
    np_dtype = np.float32 if dtype == torch.float32 else np.float64
    model = mlp(5, dtype=np_dtype)
    model.load_state_dict(tidu.load(tmp_path / "torch.npz"))
    x = np.random.default_rng(0).standard_normal((10, 6)).astype(np_dtype)
    expected = torch_model(torch.from_numpy(x)).detach().numpy()
    out = model(tidu.tensor(x, dtype=np_dtype))._data
    assert out.dtype == np_dtype
    tol = 1e-6 if dtype == torch.float32 else 1e-12
    np.testing.assert_allclose(out, expected, rtol=tol, atol=tol)


def test_torch_tensors_can_be_saved_directly(tmp_path):
    torch.manual_seed(0)
    torch_model = torch.nn.Linear(3, 2)
    tidu.save(torch_model.state_dict(), tmp_path / "t.npz")
    loaded = tidu.load(tmp_path / "t.npz")
    assert list(loaded) == ["weight", "bias"]
    model = nn.Linear(3, 2)
    model.load_state_dict(loaded)
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(model(tidu.Tensor(x))._data,
                               torch_model(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)
    assert math.isclose(float(loaded["bias"][0]), float(torch_model.bias.detach()[0]))
