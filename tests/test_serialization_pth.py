"""PyTorch's ``.pth`` checkpoint idioms on tidu: ``save(model.state_dict(), "model.pth")`` /
``model.load_state_dict(load("model.pth"))``, a training checkpoint dict resumed with identical
next steps (SGD with momentum, Adam; against PyTorch doing the same with torch.save/torch.load),
and the one-line refusal of a whole Module (tidu never pickles)."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.serialization import SerializationError

RTOL, ATOL = 1e-10, 1e-12


def models(seed=0):
    """The same float64 network in PyTorch and tidu (a BatchNorm for buffers in the state)."""
    torch.manual_seed(seed)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.Tanh(),
                              torch.nn.Linear(8, 3)).double()
    ours = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 3)).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def batches(n, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((16, 4)), rng.standard_normal((16, 3))) for _ in range(n)]


def train(model, opt, data, lib):
    for x, y in data:
        opt.zero_grad()
        loss = ((model(lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
    return float(loss.item())


def as_numpy(state_dict):
    return {k: (v.detach().numpy() if isinstance(v, torch.Tensor) else np.asarray(v._data)
                if isinstance(v, tidu.Tensor) else np.asarray(v)) for k, v in state_dict.items()}


def test_model_state_dict_round_trips_through_pth(tmp_path):
    ours, ref = models()
    train(ours, tidu.optim.SGD(ours.parameters(), lr=0.1), batches(2), tidu)  # moves the buffers
    path = str(tmp_path / "model.pth")
    tidu.save(ours.state_dict(), path)
    fresh, _ = models(seed=1)
    fresh.load_state_dict(tidu.load(path))
    saved = ours.state_dict()
    assert list(tidu.load(path)) == list(saved)  # the file keeps the keys' order
    assert set(fresh.state_dict()) == set(saved) == set(ref.state_dict())
    for key, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value, saved[key], err_msg=key)
        assert value.dtype == saved[key].dtype, key
    fresh.eval(), ours.eval()
    x = tidu.tensor(np.random.default_rng(3).standard_normal((5, 4)))
    np.testing.assert_array_equal(fresh(x).numpy(), ours(x).numpy())


def test_pathlib_and_file_object_paths(tmp_path):
    ours, _ = models()
    tidu.save(ours.state_dict(), tmp_path / "model.pth")
    with open(tmp_path / "model2.pth", "wb") as f:
        tidu.save(ours.state_dict(), f)
    with open(tmp_path / "model2.pth", "rb") as f:
        from_file = tidu.load(f)
    for loaded in (tidu.load(tmp_path / "model.pth"), from_file):
        assert list(loaded) == list(ours.state_dict())
        for key, value in loaded.items():
            np.testing.assert_array_equal(value, ours.state_dict()[key], err_msg=key)


def test_a_torch_state_dict_saved_by_tidu_loads_into_tidu(tmp_path):
    ours, ref = models()
    tidu.save(ref.state_dict(), tmp_path / "from_torch.pth")  # torch tensors are saved as arrays
    fresh, _ = models(seed=2)
    fresh.load_state_dict(tidu.load(tmp_path / "from_torch.pth"))
    for key, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value, ref.state_dict()[key].numpy(), err_msg=key)


OPTIMIZERS = {
    "sgd_momentum": (lambda lib, params: lib.optim.SGD(params, lr=0.05, momentum=0.9,
                                                       nesterov=True, weight_decay=1e-3)),
    "adam": (lambda lib, params: lib.optim.Adam(params, lr=1e-2, weight_decay=1e-3)),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_checkpoint_resumes_with_identical_next_steps(name, tmp_path):
    make_opt = OPTIMIZERS[name]
    data = batches(6)
    ours, ref = models()
    opt, ropt = make_opt(tidu, ours.parameters()), make_opt(torch, ref.parameters())
    loss = train(ours, opt, data[:3], tidu)
    rloss = train(ref, ropt, data[:3], torch)
    # the tutorial checkpoint, in both libraries
    tidu.save({"epoch": 3, "model_state_dict": ours.state_dict(),
               "optimizer_state_dict": opt.state_dict(), "loss": loss}, tmp_path / "ckpt.pth")
    torch.save({"epoch": 3, "model_state_dict": ref.state_dict(),
                "optimizer_state_dict": ropt.state_dict(), "loss": rloss}, tmp_path / "ref.pth")
    train(ours, opt, data[3:], tidu)  # the run that was never interrupted

    # resume: a new model and optimizer, as a script started again would build them
    model, _ = models(seed=5)
    optimizer = make_opt(tidu, model.parameters())
    checkpoint = tidu.load(tmp_path / "ckpt.pth")
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    assert checkpoint["epoch"] == 3 and type(checkpoint["epoch"]) is int
    assert checkpoint["loss"] == loss and type(checkpoint["loss"]) is float
    model.train()
    train(model, optimizer, data[3:], tidu)

    _, rmodel = models(seed=5)
    roptimizer = make_opt(torch, rmodel.parameters())
    rcheckpoint = torch.load(tmp_path / "ref.pth", weights_only=True)
    rmodel.load_state_dict(rcheckpoint["model_state_dict"])
    roptimizer.load_state_dict(rcheckpoint["optimizer_state_dict"])
    train(rmodel, roptimizer, data[3:], torch)

    resumed, uninterrupted, reference = (as_numpy(m.state_dict()) for m in (model, ours, rmodel))
    for key in uninterrupted:
        np.testing.assert_array_equal(resumed[key], uninterrupted[key], err_msg=key)
        np.testing.assert_allclose(resumed[key], reference[key], rtol=RTOL, atol=ATOL, err_msg=key)


def test_optimizer_state_dict_keeps_its_int_keys_and_hyper_parameters(tmp_path):
    ours, _ = models()
    opt = tidu.optim.Adam(ours.parameters(), lr=3e-3, betas=(0.8, 0.99))
    train(ours, opt, batches(1), tidu)
    tidu.save(opt.state_dict(), tmp_path / "opt.pth")
    loaded = tidu.load(tmp_path / "opt.pth")
    assert sorted(loaded["state"]) == list(range(len(list(ours.parameters()))))
    assert loaded["param_groups"][0]["lr"] == 3e-3
    assert tuple(loaded["param_groups"][0]["betas"]) == (0.8, 0.99)


@pytest.mark.parametrize("obj, where", [
    (lambda m, o: m, "at the top level"),
    (lambda m, o: {"epoch": 1, "model": m}, "at key model"),
    (lambda m, o: o, "at the top level"),
])
def test_whole_module_or_optimizer_refused_in_one_line(obj, where, tmp_path):
    model, _ = models()
    opt = tidu.optim.SGD(model.parameters(), lr=0.1)
    value = obj(model, opt)
    with pytest.raises(SerializationError) as info:
        tidu.save(value, tmp_path / "m.pth")
    message = str(info.value)
    assert "\n" not in message
    assert f"cannot save a {type(obj(model, opt) if not isinstance(value, dict) else model).__name__}" \
        in message and where in message
    assert "without pickle" in message and "state_dict()" in message
    assert not (tmp_path / "m.pth").exists()


def test_load_takes_torch_keywords(tmp_path):
    """torch.load(path, map_location=..., weights_only=True) calls run unchanged."""
    model = tidu.nn.Linear(3, 2)
    path = tmp_path / "m.pth"
    tidu.save({"w": model.weight.detach(), "n": 3}, path)
    for kwargs in ({"map_location": "cpu"}, {"map_location": tidu.device("cpu")},
                   {"weights_only": True}, {"weights_only": False, "map_location": "cpu"}):
        out = tidu.load(path, **kwargs)
        np.testing.assert_array_equal(np.asarray(out["w"]._data), model.weight._data)
        assert out["n"] == 3
    with pytest.raises(TypeError, match="map_location"):
        tidu.load(path, map_location={"cuda:0": "cpu"})
