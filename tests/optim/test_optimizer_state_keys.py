"""``optimizer.state`` keyed by the parameter itself, as in PyTorch: after a few steps,
``opt.state[p]`` holds the same keys and (float64) values as torch's ``opt.state[p_torch]``
for every optimizer; a parameter without state gives {} (a defaultdict); ``state_dict()``
keeps PyTorch's integer keys and ``load_state_dict()`` maps them back to the parameters."""
import collections

import numpy as np
import pytest
import torch

import tidu
from tidu.backend import to_numpy

from .test_optimizers import batches, make, make_torch, models, step_both, torch_float64_scalars

CONFIGS = [
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("Adagrad", dict(lr=0.1)),
    ("Adadelta", dict()),
    ("RMSprop", dict(lr=1e-3, momentum=0.9, centered=True)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, amsgrad=True)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1)),
    ("Adamax", dict(lr=1e-2)),
    ("NAdam", dict(lr=1e-2)),
    ("RAdam", dict(lr=1e-2)),
    ("ASGD", dict(lr=0.05, t0=2)),
    ("Rprop", dict(lr=1e-2)),
]


def _value(v):
    if isinstance(v, torch.Tensor):
        return v.detach().numpy()
    if isinstance(v, tidu.Tensor):
        v = v._data
    if isinstance(v, (int, float)):
        return np.asarray(v)
    return to_numpy(v)


def _run(name, config, steps=4):
    ours, ref = models(3)
    with torch_float64_scalars(name):
        opt = make(name, ours.parameters(), **config)
        ropt = make_torch(name, ref.parameters(), **config)
        for x, y in batches(steps, seed=3):
            step_both(ours, ref, opt, ropt, x, y)
    return ours, ref, opt, ropt


@pytest.mark.parametrize("name,config", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_state_by_parameter_equals_torch(name, config):
    ours, ref, opt, ropt = _run(name, config)
    assert isinstance(opt.state, collections.defaultdict)
    for p, rp in zip(ours.parameters(), ref.parameters()):
        state, rstate = opt.state[p], ropt.state[rp]
        assert set(state) == set(rstate), f"{name}: keys {sorted(state)} vs torch {sorted(rstate)}"
        for key, rvalue in rstate.items():
            if isinstance(rvalue, torch.Tensor) and rvalue.dim() > 0:
                assert isinstance(state[key], tidu.Tensor), f"{name} state {key!r} not a Tensor"
            np.testing.assert_allclose(_value(state[key]), _value(rvalue), rtol=1e-10,
                                       atol=1e-14, err_msg=f"{name} state {key!r}")


@pytest.mark.parametrize("name,config", CONFIGS[:6], ids=[n for n, _ in CONFIGS[:6]])
def test_state_dict_has_torch_int_keys_and_round_trips(name, config):
    ours, ref, opt, ropt = _run(name, config)
    sd, rsd = opt.state_dict(), ropt.state_dict()
    assert list(sd["state"]) == list(rsd["state"]) == list(range(4))
    for i, rs in rsd["state"].items():
        assert set(sd["state"][i]) == set(rs)
        for key, rvalue in rs.items():
            assert not isinstance(sd["state"][i][key], tidu.Tensor)  # NumPy arrays, as saved
            np.testing.assert_allclose(_value(sd["state"][i][key]), _value(rvalue), rtol=1e-10,
                                       atol=1e-14, err_msg=f"{name} state_dict {i} {key!r}")
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in rsd["param_groups"]]
    # load into a fresh optimizer: the int keys go back to that optimizer's own parameters
    fresh_model, _ = models(3)
    fresh = make(name, fresh_model.parameters(), **config)
    fresh.load_state_dict(sd)
    params = list(fresh_model.parameters())
    assert set(fresh.state) == set(params) or (name == "Adagrad" and len(fresh.state) == 4)
    for i, p in enumerate(params):
        for key, value in sd["state"][i].items():
            got = fresh.state[p][key]
            np.testing.assert_array_equal(_value(got), _value(value))
            if not np.isscalar(value):
                assert got._data is not value, "load_state_dict must copy the arrays"
    # stepping the loaded optimizer does not change the state_dict taken before
    before = {k: _value(v).copy() for k, v in sd["state"][0].items() if not np.isscalar(v)}
    opt.zero_grad()
    ((ours(tidu.ones((2, 4), dtype=tidu.float64)) ** 2).sum()).backward()
    opt.step()
    for k, v in before.items():
        np.testing.assert_array_equal(_value(sd["state"][0][k]), v)


def test_parameter_without_state_gives_empty_dict_and_plain_sgd_keeps_none():
    ours, ref, opt, ropt = _run("SGD", dict(lr=0.1))
    p, rp = next(iter(ours.parameters())), next(iter(ref.parameters()))
    assert opt.state[p] == {} == ropt.state[rp]
    assert opt.state_dict()["state"] == ropt.state_dict()["state"] == {0: {}}  # as torch: read, so kept


def test_state_tensors_share_memory_with_the_update():
    """The momentum buffer read through ``opt.state[p]`` is the live buffer: changing it
    changes the next update (as in PyTorch), and the update keeps the same Tensor."""
    ours, ref, opt, ropt = _run("SGD", dict(lr=0.05, momentum=0.9))
    buffers = [opt.state[p]["momentum_buffer"] for p in ours.parameters()]
    with tidu.no_grad():
        for buf in buffers:
            buf.zero_()
    with torch.no_grad():
        for rp in ref.parameters():
            ropt.state[rp]["momentum_buffer"].zero_()
    for x, y in batches(2, seed=9):
        step_both(ours, ref, opt, ropt, x, y)
    for p, rp, buf in zip(ours.parameters(), ref.parameters(), buffers):
        assert opt.state[p]["momentum_buffer"] is buf
        np.testing.assert_allclose(_value(buf), ropt.state[rp]["momentum_buffer"].numpy(),
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(_value(p), rp.detach().numpy(), rtol=1e-12, atol=1e-15)
    assert float(opt.state[next(iter(ours.parameters()))]["momentum_buffer"].norm()) > 0


def test_lbfgs_state_under_the_first_parameter():
    ours, ref = models(3)
    opt = tidu.optim.LBFGS(ours.parameters(), lr=0.5, max_iter=3)
    ropt = torch.optim.LBFGS(ref.parameters(), lr=0.5, max_iter=3)
    x, y = batches(1, seed=3)[0]

    def closure():
        opt.zero_grad()
        loss = ((ours(tidu.tensor(x, dtype=tidu.float64)) - tidu.tensor(y, dtype=tidu.float64)) ** 2).mean()
        loss.backward()
        return loss

    def rclosure():
        ropt.zero_grad()
        loss = ((ref(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean()
        loss.backward()
        return loss

    for _ in range(2):
        opt.step(closure)
        ropt.step(rclosure)
    p0, r0 = next(iter(ours.parameters())), next(iter(ref.parameters()))
    state, rstate = opt.state[p0], ropt.state[r0]
    assert set(state) == set(rstate)
    assert (state["func_evals"], state["n_iter"]) == (rstate["func_evals"], rstate["n_iter"])
    np.testing.assert_allclose(_value(state["d"]), _value(rstate["d"]), rtol=1e-8, atol=1e-12)
    assert list(opt.state_dict()["state"]) == [0]
