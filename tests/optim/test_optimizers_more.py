"""Adamax, RAdam, Rprop and ASGD against torch.optim: the same float64 network, data and
initial weights as tests/optim/test_optimizers.py; the parameters equal PyTorch's after every
one of 40 steps (weight decay, decoupled decay, several param groups), state_dict round trips
continue identically, PyTorch's defaults and its refusals of bad hyper-parameters."""
import numpy as np
import pytest
import torch

import tidu
from tests.optim.test_optimizers import (assert_matches_torch_every_step, assert_same_params,
                                         backward_ours, batches, make, make_torch, models,
                                         step_both, torch_float64_scalars)
from tidu.nn import Parameter

STEPS = 40
NAMES = ["Adamax", "RAdam", "Rprop", "ASGD"]


CONFIGS = [
    ("Adamax", dict()),
    ("Adamax", dict(lr=1e-2, weight_decay=1e-2)),
    ("Adamax", dict(lr=1e-2, betas=(0.3, 0.9), eps=1e-4)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=1e-2, weight_decay=1e-2)),
    ("RAdam", dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=1e-2, betas=(0.8, 0.9), eps=1e-6)),  # ρ_t > 5 from step 2 on…
    ("RAdam", dict(lr=1e-2, betas=(0.9, 0.99))),           # …and only after a while
    ("Rprop", dict()),
    ("Rprop", dict(lr=1e-3, etas=(0.3, 1.5), step_sizes=(1e-4, 0.02))),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=10, weight_decay=1e-2)),
]


@pytest.mark.parametrize("name, config", CONFIGS, ids=[f"{n}-{c}" for n, c in CONFIGS])
def test_matches_torch_every_step(name, config):
    assert_matches_torch_every_step(name, config, STEPS)


def test_every_optimizer_is_tested_with_several_settings():
    for name in NAMES:
        assert sum(n == name for n, _ in CONFIGS) >= 2, name


def test_radam_switches_the_adaptive_step_on_when_rho_exceeds_5():
    """With β2 = 0.999 the first five steps are m̂ alone: θ₁ = θ₀ − η·g₁."""
    p = Parameter(np.array([1.0, -2.0]), dtype=np.float64)
    opt = tidu.optim.RAdam([p], lr=0.1)
    p.grad = tidu.tensor(np.array([3.0, -0.5]), dtype=tidu.float64)
    opt.step()
    np.testing.assert_allclose(p._data, [1.0 - 0.3, -2.0 + 0.05], rtol=1e-15)


def test_asgd_average_starts_after_t0():
    ours, ref = models(6)
    config = dict(lr=0.05, t0=5)
    with torch_float64_scalars("ASGD"):
        opt = make("ASGD", ours.parameters(), **config)
        ropt = make_torch("ASGD", ref.parameters(), **config)
        for x, y in batches(12, seed=6):
            step_both(ours, ref, opt, ropt, x, y)
        rstate = ropt.state_dict()["state"]
        for i, p in enumerate(ours.parameters()):
            state = opt.state[p]
            np.testing.assert_allclose(state["ax"]._data, rstate[i]["ax"].numpy(), rtol=1e-12,
                                       atol=1e-15)
            assert state["mu"] == pytest.approx(rstate[i]["mu"].item(), rel=1e-15)
            assert state["eta"] == pytest.approx(rstate[i]["eta"].item(), rel=1e-15)
            assert not np.allclose(state["ax"]._data, p._data)  # the average now trails θ


GROUPS = {
    "Adamax": (dict(lr=1e-2), dict(lr=3e-3, weight_decay=1e-2), dict(betas=(0.8, 0.9))),
    "RAdam": (dict(lr=1e-2), dict(lr=3e-3, weight_decay=0.1, decoupled_weight_decay=True),
              dict(betas=(0.8, 0.9))),
    "Rprop": (dict(lr=1e-2), dict(lr=1e-3, etas=(0.4, 1.1)), dict(step_sizes=(1e-5, 1.0))),
    "ASGD": (dict(lr=1e-2, t0=8), dict(lr=0.05, lambd=1e-3), dict(weight_decay=1e-2)),
}


@pytest.mark.parametrize("name", NAMES)
def test_param_groups_with_different_hyper_parameters_match_torch(name):
    config, first, second = GROUPS[name]
    ours, ref = models(1)
    groups = lambda m: [{"params": list(m[0].parameters()), **first},  # noqa: E731
                        {"params": list(m[2].parameters()), **second}]
    with torch_float64_scalars(name):
        opt = make(name, groups(ours), **config)
        ropt = make_torch(name, groups(ref), **config)
        for i, (x, y) in enumerate(batches(STEPS, seed=1)):
            step_both(ours, ref, opt, ropt, x, y)
            assert_same_params(ours, ref, f"after step {i + 1}")


STATE_KEYS = {"Adamax": {"step", "exp_avg", "exp_inf"}, "RAdam": {"step", "exp_avg", "exp_avg_sq"},
              "Rprop": {"step", "prev", "step_size"}, "ASGD": {"step", "eta", "mu", "ax"}}
RICH = {"Adamax": dict(lr=1e-2, weight_decay=1e-3), "RAdam": dict(lr=1e-2, weight_decay=1e-3),
        "Rprop": dict(lr=1e-3, etas=(0.4, 1.3)), "ASGD": dict(lr=0.05, t0=10, weight_decay=1e-3)}


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_continues_identically(name, tmp_path):
    config = RICH[name]
    ours, ref = models(3)
    data = batches(STEPS, seed=3)
    with torch_float64_scalars(name):
        opt = make(name, ours.parameters(), **config)
        ropt = make_torch(name, ref.parameters(), **config)
        for x, y in data[:20]:
            step_both(ours, ref, opt, ropt, x, y)
        state = opt.state_dict()
        rstate = ropt.state_dict()
        assert {k for s in state["state"].values() for k in s} == STATE_KEYS[name]
        for i, s in state["state"].items():
            assert set(s) == set(rstate["state"][i])
            for key, value in s.items():
                expected = rstate["state"][i][key]
                expected = expected.numpy() if isinstance(expected, torch.Tensor) else expected
                if key == "step":
                    assert value == int(expected) == 20 and isinstance(value, int)
                else:
                    np.testing.assert_allclose(value, expected, rtol=1e-9, atol=1e-15,
                                               err_msg=key)
        tidu.save({"model": ours.state_dict(), "optimizer": state}, tmp_path / "ckpt.npz")
        checkpoint = tidu.load(tmp_path / "ckpt.npz")
        for x, y in data[20:22]:  # stepping on does not change the saved snapshot
            step_both(ours, ref, opt, ropt, x, y)
        resumed, _ = models(9)
        opt2 = make(name, resumed.parameters(), lr=0.5)
        resumed.load_state_dict(checkpoint["model"])
        opt2.load_state_dict(checkpoint["optimizer"])
        for key, value in config.items():
            assert opt2.param_groups[0][key] == value, key
        for x, y in data[20:22]:
            opt2.zero_grad()
            backward_ours(resumed, x, y)
            opt2.step()
        for i, (x, y) in enumerate(data[22:]):
            step_both(resumed, ref, opt2, ropt, x, y)
            assert_same_params(resumed, ref, f"after resumed step {i + 1}")


@pytest.mark.parametrize("name", NAMES)
def test_defaults_are_pytorch_defaults(name):
    ours, ref = models()
    ropt = make_torch(name, ref.parameters())
    opt = make(name, ours.parameters())
    for key, value in opt.defaults.items():
        if key in ("clipnorm", "clipvalue"):
            assert value is None
            continue
        assert ropt.defaults[key] == value, key


BAD = [
    ("Adamax", dict(lr=-1e-3), r"Adamax: lr must be in \[0, inf\), got -0.001"),
    ("Adamax", dict(betas=(1.0, 0.999)), r"Adamax: betas\[0\] must be in \[0, 1\), got 1.0"),
    ("Adamax", dict(eps=-1.0), "eps must be .*, got -1.0"),
    ("RAdam", dict(weight_decay=-0.1), r"RAdam: weight_decay must be in \[0, inf\), got -0.1"),
    ("RAdam", dict(betas=(0.9, 1.0)), r"betas\[1\] must be .*, got 1.0"),
    ("Rprop", dict(lr=-0.1), r"Rprop: lr must be in \[0, inf\), got -0.1"),
    ("Rprop", dict(etas=(1.2, 0.5)), r"Rprop: etas must be \(η⁻, η⁺\) with 0 < η⁻ < 1 < η⁺"),
    ("Rprop", dict(etas=(0.5, 1.0)), r"etas=\(0.5, 1.0\)"),
    ("ASGD", dict(lr=-0.1), r"ASGD: lr must be in \[0, inf\), got -0.1"),
    ("ASGD", dict(weight_decay=-1.0), "weight_decay must be .*, got -1.0"),
]


@pytest.mark.parametrize("name, kwargs, words", BAD, ids=[f"{n}-{k}" for n, k, _ in BAD])
def test_bad_hyper_parameters_raise(name, kwargs, words):
    ours, ref = models()
    with pytest.raises(ValueError):
        make_torch(name, ref.parameters(), **kwargs)  # torch refuses the same
    with pytest.raises(ValueError, match=words):
        make(name, ours.parameters(), **kwargs)


def test_rprop_refuses_min_step_above_max():
    ours, ref = models()
    make_torch("Rprop", ref.parameters(), step_sizes=(1.0, 0.1))  # torch accepts it
    with pytest.raises(ValueError, match=r"Rprop: step_sizes must be \(min, max\) with min ≤ max"):
        make("Rprop", ours.parameters(), step_sizes=(1.0, 0.1))


@pytest.mark.parametrize("name", NAMES)
def test_float32_parameters_and_state_stay_float32(name):
    tidu.manual_seed(0)
    model = tidu.nn.Sequential(tidu.nn.Linear(4, 5), tidu.nn.Tanh(), tidu.nn.Linear(5, 3))
    opt = make(name, model.parameters(), **RICH[name])
    data = p_data = model[0].weight._data
    for x, y in batches(3):
        opt.zero_grad()
        ((model(tidu.Tensor(x)) - tidu.Tensor(y)) ** 2).mean().backward()
        opt.step()
    assert model[0].weight._data is p_data and data.dtype == np.float32
    arrays = [v for s in opt.state_dict()["state"].values() for v in s.values()
              if isinstance(v, np.ndarray)]
    assert arrays and all(a.dtype == np.float32 for a in arrays)


@pytest.mark.parametrize("name", NAMES)
def test_loads_torch_optimizer_state(name):
    """torch trains alone for 15 steps, hands its state_dict (tensors as arrays) to tidu, and
    both go on identically."""
    config = RICH[name]
    ours, ref = models(4)
    data = batches(30, seed=4)
    with torch_float64_scalars(name):
        ropt = make_torch(name, ref.parameters(), **config)
        for x, y in data[:15]:
            ropt.zero_grad()
            ((ref(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean().backward()
            ropt.step()
        ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
        opt = make(name, ours.parameters(), **config)
        rstate = ropt.state_dict()
        opt.load_state_dict({
            "state": {i: {k: v.numpy().copy() if isinstance(v, torch.Tensor) else v
                          for k, v in s.items()} for i, s in rstate["state"].items()},
            "param_groups": [{k: v for k, v in g.items() if k in opt.defaults or k == "params"}
                             for g in rstate["param_groups"]]})
        assert all(isinstance(s["step"], int) for s in opt.state.values())
        for i, (x, y) in enumerate(data[15:]):
            step_both(ours, ref, opt, ropt, x, y)
            assert_same_params(ours, ref, f"after step {i + 1} from torch's state")
