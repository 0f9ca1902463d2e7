"""tidu.optim.SGD against torch.optim.SGD: the same float64 network, data and initial weights,
parameters equal after every one of 100 steps; state_dict round trips; bad hyper-parameters."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import StateDictError

RTOL, ATOL = 1e-7, 1e-12
STEPS = 100


def models(seed=0):
    torch.manual_seed(seed)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                              torch.nn.ReLU(), torch.nn.Linear(8, 3)).double()
    ours = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3)).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def batches(n=STEPS, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((16, 4)), rng.standard_normal((16, 3))) for _ in range(n)]


def step_both(ours, ref, opt, ropt, x, y):
    opt.zero_grad()
    ((ours(tidu.tensor(x, dtype=tidu.float64)) - tidu.tensor(y, dtype=tidu.float64)) ** 2).mean().backward()
    opt.step()
    ropt.zero_grad()
    ((ref(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean().backward()
    ropt.step()


def assert_same_params(ours, ref, where):
    rparams = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p._data, rparams[name].detach().numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name} {where}")


CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.5),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=1e-2),
    dict(lr=0.05, momentum=0.9, weight_decay=1e-2),
    dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=5e-3),
    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2),
    dict(),  # defaults: lr 1e-3, no momentum
]


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_matches_torch_every_step(config):
    ours, ref = models()
    opt = tidu.optim.SGD(ours.parameters(), **config)
    ropt = torch.optim.SGD(ref.parameters(), **config)
    start = {k: v.clone() for k, v in ours.state_dict().items()}
    for i, (x, y) in enumerate(batches()):
        step_both(ours, ref, opt, ropt, x, y)
        assert_same_params(ours, ref, f"after step {i + 1}")
    # the run did move the weights (so the comparison above means something)
    assert max(float((v - start[k]).abs().max()) for k, v in ours.state_dict().items()) > 1e-3


def test_param_groups_and_frozen_parameters_match_torch():
    ours, ref = models(1)
    ours[2].requires_grad_(False)
    ref[2].requires_grad_(False)
    groups = lambda m: [  # noqa: E731
        {"params": list(m[0].parameters()), "lr": 0.02, "momentum": 0.5},
        {"params": list(m[2].parameters()) + list(m[4].parameters()), "nesterov": True},
    ]
    opt = tidu.optim.SGD(groups(ours), lr=0.05, momentum=0.9, weight_decay=1e-3)
    ropt = torch.optim.SGD(groups(ref), lr=0.05, momentum=0.9, weight_decay=1e-3)
    frozen = ours[2].weight._data.copy()
    for i, (x, y) in enumerate(batches(30, seed=1)):
        step_both(ours, ref, opt, ropt, x, y)
        assert_same_params(ours, ref, f"after step {i + 1}")
    np.testing.assert_array_equal(ours[2].weight._data, frozen)
    assert opt.param_groups[0]["lr"] == 0.02 and opt.param_groups[1]["lr"] == 0.05
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["nesterov"] is True


def test_float32_parameters_stay_float32():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))
    opt = tidu.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2)
    for x, y in batches(3):
        opt.zero_grad()
        ((model(tidu.Tensor(x)) - tidu.Tensor(y)) ** 2).mean().backward()
        opt.step()
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert all(s["momentum_buffer"].dtype == np.float32 for s in opt.state_dict()["state"].values())


def test_zero_grad():
    ours, _ = models()
    opt = tidu.optim.SGD(ours.parameters(), lr=0.1)
    x, y = batches(1)[0]
    ((ours(tidu.tensor(x, dtype=tidu.float64)) - tidu.tensor(y, dtype=tidu.float64)) ** 2).mean().backward()
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is not None and np.all(p.grad._data == 0) for p in ours.parameters())
    opt.zero_grad()
    assert all(p.grad is None for p in ours.parameters())
    before = {k: v.clone() for k, v in ours.state_dict().items()}
    opt.step()  # no gradients: nothing moves
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


# --------------------------------------------------------------------------- state_dict
def test_state_dict_layout_matches_torch():
    ours, ref = models()
    config = dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)
    opt = tidu.optim.SGD(ours.parameters(), **config)
    ropt = torch.optim.SGD(ref.parameters(), **config)
    for x, y in batches(3):
        step_both(ours, ref, opt, ropt, x, y)
    state, rstate = opt.state_dict(), ropt.state_dict()
    assert list(state) == ["state", "param_groups"]
    assert sorted(state["state"]) == sorted(rstate["state"]) == list(range(6))
    for i, s in state["state"].items():
        np.testing.assert_allclose(s["momentum_buffer"], rstate["state"][i]["momentum_buffer"].numpy(),
                                   rtol=RTOL, atol=ATOL)
    (group,), (rgroup,) = state["param_groups"], rstate["param_groups"]
    assert group["params"] == rgroup["params"] == list(range(6))
    for key in ("lr", "momentum", "dampening", "weight_decay", "nesterov"):
        assert group[key] == rgroup[key], key
    # a snapshot: stepping on does not change a state_dict taken before
    buf = state["state"][0]["momentum_buffer"].copy()
    step_both(ours, ref, opt, ropt, *batches(1, seed=5)[0])
    np.testing.assert_array_equal(state["state"][0]["momentum_buffer"], buf)


@pytest.mark.parametrize("through_file", [False, True])
def test_state_dict_round_trip_continues_identically(through_file, tmp_path):
    config = dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-3)
    ours, ref = models(2)
    opt = tidu.optim.SGD(ours.parameters(), **config)
    ropt = torch.optim.SGD(ref.parameters(), **config)
    data = batches(seed=2)
    for x, y in data[:50]:
        step_both(ours, ref, opt, ropt, x, y)
    checkpoint = {"model": ours.state_dict(), "optimizer": opt.state_dict()}
    if through_file:
        tidu.save(checkpoint, tmp_path / "ckpt.npz")
        checkpoint = tidu.load(tmp_path / "ckpt.npz")
    else:
        checkpoint = {"model": {k: v.clone() for k, v in checkpoint["model"].items()},
                      "optimizer": checkpoint["optimizer"]}

    resumed, _ = models(9)  # other initial weights, fresh optimizer with other hyper-parameters
    ropt2 = tidu.optim.SGD(resumed.parameters(), lr=1.0)
    resumed.load_state_dict(checkpoint["model"])
    ropt2.load_state_dict(checkpoint["optimizer"])
    assert ropt2.param_groups[0]["momentum"] == 0.9 and ropt2.param_groups[0]["dampening"] == 0.1
    for i, (x, y) in enumerate(data[50:]):
        step_both(resumed, ref, ropt2, ropt, x, y)
        assert_same_params(resumed, ref, f"after resumed step {i + 1}")


def test_loads_torch_optimizer_state():
    config = dict(lr=0.05, momentum=0.9, nesterov=True)
    ours, ref = models(3)
    ropt = torch.optim.SGD(ref.parameters(), **config)
    opt = tidu.optim.SGD(ours.parameters(), **config)
    data = batches(40, seed=3)
    for x, y in data[:20]:  # train torch alone, then hand its state to tidu
        ropt.zero_grad()
        ((ref(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean().backward()
        ropt.step()
    rstate = ropt.state_dict()
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    opt.load_state_dict({
        "state": {i: {k: v.numpy().copy() for k, v in s.items()} for i, s in rstate["state"].items()},
        "param_groups": [{k: v for k, v in g.items() if k in ("params", "lr", "momentum", "dampening",
                                                               "weight_decay", "nesterov")}
                         for g in rstate["param_groups"]]})
    for i, (x, y) in enumerate(data[20:]):
        step_both(ours, ref, opt, ropt, x, y)
        assert_same_params(ours, ref, f"after step {i + 1} from torch's state")


def test_load_state_dict_mismatch_raises():
    ours, _ = models()
    opt = tidu.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    state = opt.state_dict()
    small = tidu.optim.SGD(list(ours.parameters())[:2], lr=0.1)
    with pytest.raises(StateDictError, match=r"\[6\].*\[2\]"):
        small.load_state_dict(state)


# --------------------------------------------------------------------------- bad hyper-parameters
@pytest.mark.parametrize("kwargs, words", [
    (dict(lr=-0.1), "lr must be .*, got -0.1"),
    (dict(lr=0.1, momentum=-0.5), "momentum must be .*, got -0.5"),
    (dict(lr=0.1, weight_decay=-1e-4), "weight_decay must be .*, got -0.0001"),
    (dict(lr=0.1, nesterov=True), "nesterov"),
    (dict(lr=0.1, momentum=0.9, dampening=0.5, nesterov=True), "dampening"),
])
def test_bad_hyper_parameters_raise(kwargs, words):
    ours, ref = models()
    with pytest.raises(ValueError):
        torch.optim.SGD(ref.parameters(), **kwargs)  # torch refuses the same
    with pytest.raises(ValueError, match=words):
        tidu.optim.SGD(ours.parameters(), **kwargs)


def test_empty_parameter_list_raises():
    with pytest.raises(ValueError, match="empty"):
        tidu.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError):
        torch.optim.SGD([], lr=0.1)
