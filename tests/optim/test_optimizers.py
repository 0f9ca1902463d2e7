"""Every tidu optimizer against torch.optim: the same float64 network (Linear-Tanh-Linear, MSE),
data and initial weights; the parameters equal PyTorch's after every one of 100 steps.  Also:
param groups, state_dict round trips (and loading PyTorch's state), in-place updates with no
per-step allocation, Keras-style clipnorm / clipvalue, the classic Nesterov form, bad
hyper-parameters."""
import contextlib
import tracemalloc

import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import StateDictError
from tidu.nn import Parameter

RTOL, ATOL = 1e-7, 1e-12
STEPS = 100
NAMES = ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "NAdam"]


# torch.optim.NAdam keeps its running product of momenta (mu_product), and ASGD its η and μ,
# in tensors of the default dtype, float32, and so rounds them to ~1e-7; tidu keeps float64.
# With a float64 default dtype torch keeps them in float64 too, and the runs agree to rounding.
FLOAT32_SCALARS_IN_TORCH = ("NAdam", "ASGD")


@contextlib.contextmanager
def torch_float64_scalars(name):
    """A float64 torch default dtype while an optimizer of FLOAT32_SCALARS_IN_TORCH runs."""
    if name not in FLOAT32_SCALARS_IN_TORCH:
        yield
        return
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def models(seed=0):
    torch.manual_seed(seed)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    ours = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def batches(n=STEPS, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((16, 4)), rng.standard_normal((16, 3))) for _ in range(n)]


def backward_ours(model, x, y):
    loss = ((model(tidu.tensor(x, dtype=tidu.float64)) - tidu.tensor(y, dtype=tidu.float64)) ** 2).mean()
    loss.backward()
    return loss


def backward_torch(model, x, y):
    loss = ((model(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean()
    loss.backward()
    return loss


def step_both(ours, ref, opt, ropt, x, y):
    opt.zero_grad()
    backward_ours(ours, x, y)
    opt.step()
    ropt.zero_grad()
    backward_torch(ref, x, y)
    ropt.step()


def assert_same_params(ours, ref, where, rtol=RTOL):
    rparams = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p._data, rparams[name].detach().numpy(), rtol=rtol, atol=ATOL,
                                   err_msg=f"{name} {where}")


def make(name, params, **config):
    return getattr(tidu.optim, name)(params, **config)


def make_torch(name, params, **config):
    return getattr(torch.optim, name)(params, **config)


CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=1e-2)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.1, eps=1e-6, lr_decay=1e-3)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.95)),
    ("Adadelta", dict(weight_decay=1e-2)),
    ("Adadelta", dict(lr=2.0, rho=0.5, eps=1e-4, weight_decay=1e-3)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=1e-3, alpha=0.9)),
    ("RMSprop", dict(lr=1e-3, centered=True)),
    ("RMSprop", dict(lr=1e-3, momentum=0.9)),
    ("RMSprop", dict(lr=1e-3, momentum=0.8, centered=True, weight_decay=1e-2)),
    ("RMSprop", dict(lr=1e-3, alpha=0.3, centered=True, eps=1e-6)),  # lerp from the far end
    ("Adam", dict()),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, amsgrad=True)),
    ("Adam", dict(lr=1e-2, weight_decay=1e-2)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-3, amsgrad=True)),
    ("Adam", dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=1e-2, betas=(0.3, 0.9))),  # lerp weight 1 − β1 ≥ 0.5
    ("AdamW", dict()),
    ("AdamW", dict(lr=1e-2)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=1e-2, betas=(0.5, 0.9), weight_decay=0.0)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=1e-2)),
    ("NAdam", dict(lr=1e-2, weight_decay=1e-2)),
    ("NAdam", dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=1e-2, betas=(0.95, 0.99), momentum_decay=1e-2, eps=1e-6)),
]


def assert_matches_torch_every_step(name, config, steps=None):
    """Train the same model with tidu's and torch's optimizer: equal parameters after every
    step, and the weights did move (so the comparison means something)."""
    ours, ref = models()
    with torch_float64_scalars(name):
        opt = make(name, ours.parameters(), **config)
        ropt = make_torch(name, ref.parameters(), **config)
        start = {k: v.clone() for k, v in ours.state_dict().items()}
        for i, (x, y) in enumerate(batches() if steps is None else batches(steps)):
            step_both(ours, ref, opt, ropt, x, y)
            assert_same_params(ours, ref, f"after step {i + 1}")
    assert max(float((v - start[k]).abs().max()) for k, v in ours.state_dict().items()) > 1e-3


@pytest.mark.parametrize("name, config", CONFIGS, ids=[f"{n}-{c}" for n, c in CONFIGS])
def test_matches_torch_every_step(name, config):
    assert_matches_torch_every_step(name, config)


def test_every_optimizer_is_tested_with_several_settings():
    for name in NAMES:
        assert sum(n == name for n, _ in CONFIGS) >= 2, name


def test_torch_float32_mu_product_is_why_nadam_needs_float64_scalars():
    """Without the float64 default dtype, torch's NAdam drifts from tidu's beyond 1e-7 (while
    staying within 1e-4): the difference is torch's float32 mu_product."""
    ours, ref = models()
    config = dict(lr=1e-2, betas=(0.95, 0.99), momentum_decay=1e-2, eps=1e-6)
    opt = make("NAdam", ours.parameters(), **config)
    ropt = make_torch("NAdam", ref.parameters(), **config)
    beyond = []
    for i, (x, y) in enumerate(batches()):
        step_both(ours, ref, opt, ropt, x, y)
        assert_same_params(ours, ref, f"after step {i + 1}", rtol=1e-4)
        try:
            assert_same_params(ours, ref, f"after step {i + 1}")
        except AssertionError:
            beyond.append(i + 1)
    assert ropt.state_dict()["state"][0]["mu_product"].dtype == torch.float32
    assert beyond, "torch's float32 run agreed to 1e-7 after all"


GROUP_OVERRIDES = {
    "SGD": (dict(lr=0.05, momentum=0.9), dict(lr=0.01, momentum=0.5), dict(nesterov=True)),
    "Adagrad": (dict(lr=0.1), dict(lr=0.02, lr_decay=0.1), dict(weight_decay=1e-2)),
    "Adadelta": (dict(lr=1.0), dict(lr=0.3, rho=0.5), dict(weight_decay=1e-2)),
    "RMSprop": (dict(lr=1e-3), dict(lr=3e-3, centered=True), dict(momentum=0.9)),
    "Adam": (dict(lr=1e-2), dict(lr=3e-3, amsgrad=True), dict(betas=(0.8, 0.9))),
    "AdamW": (dict(lr=1e-2), dict(lr=3e-3, weight_decay=0.1), dict(amsgrad=True)),
    "NAdam": (dict(lr=1e-2), dict(lr=3e-3, momentum_decay=1e-2), dict(weight_decay=1e-2)),
}


@pytest.mark.parametrize("name", NAMES)
def test_param_groups_with_different_hyper_parameters_match_torch(name):
    config, first, second = GROUP_OVERRIDES[name]
    ours, ref = models(1)
    groups = lambda m: [{"params": list(m[0].parameters()), **first},  # noqa: E731
                        {"params": list(m[2].parameters()), **second}]
    with torch_float64_scalars(name):
        opt = make(name, groups(ours), **config)
        ropt = make_torch(name, groups(ref), **config)
        for i, (x, y) in enumerate(batches(seed=1)):
            step_both(ours, ref, opt, ropt, x, y)
            assert_same_params(ours, ref, f"after step {i + 1}")
    for key, value in first.items():
        assert opt.param_groups[0][key] == value
    assert opt.param_groups[1]["lr"] == config["lr"]


def test_parameters_without_gradient_are_left_alone_and_get_no_state():
    ours, ref = models(2)
    ours[0].requires_grad_(False)
    ref[0].requires_grad_(False)
    opt = tidu.optim.Adam(ours.parameters(), lr=1e-2)
    ropt = torch.optim.Adam(ref.parameters(), lr=1e-2)
    frozen = ours[0].weight._data.copy()
    for i, (x, y) in enumerate(batches(20)):
        step_both(ours, ref, opt, ropt, x, y)
        assert_same_params(ours, ref, f"after step {i + 1}")
    np.testing.assert_array_equal(ours[0].weight._data, frozen)
    assert sorted(opt.state_dict()["state"]) == sorted(ropt.state_dict()["state"]) == [2, 3]


# --------------------------------------------------------------------------- state_dict
RICH = {
    "SGD": dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-3),
    "Adagrad": dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.05),
    "Adadelta": dict(lr=0.7, rho=0.8, weight_decay=1e-3),
    "RMSprop": dict(lr=1e-3, momentum=0.9, centered=True),
    "Adam": dict(lr=1e-2, amsgrad=True, weight_decay=1e-3),
    "AdamW": dict(lr=1e-2, amsgrad=True),
    "NAdam": dict(lr=1e-2, weight_decay=1e-3),
}
STATE_KEYS = {
    "SGD": {"momentum_buffer"},
    "Adagrad": {"step", "sum"},
    "Adadelta": {"step", "square_avg", "acc_delta"},
    "RMSprop": {"step", "square_avg", "momentum_buffer", "grad_avg"},
    "Adam": {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
    "AdamW": {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
    "NAdam": {"step", "mu_product", "exp_avg", "exp_avg_sq"},
}


def assert_state_matches_torch(state, rstate):
    assert sorted(state["state"]) == sorted(rstate["state"])
    for i, s in state["state"].items():
        rs = rstate["state"][i]
        assert set(s) == set(rs), (i, sorted(s), sorted(rs))
        for key, value in s.items():
            expected = rs[key].numpy() if isinstance(rs[key], torch.Tensor) else rs[key]
            if key == "step":
                assert value == int(expected) and isinstance(value, int)
            else:
                np.testing.assert_allclose(value, expected, rtol=RTOL, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("through_file", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_continues_identically(name, through_file, tmp_path):
    config = RICH[name]
    ours, ref = models(3)
    data = batches(seed=3)
    with torch_float64_scalars(name):
        opt = make(name, ours.parameters(), **config)
        ropt = make_torch(name, ref.parameters(), **config)
        for x, y in data[:50]:
            step_both(ours, ref, opt, ropt, x, y)
        state = opt.state_dict()
        assert {k for s in state["state"].values() for k in s} == STATE_KEYS[name]
        assert_state_matches_torch(state, ropt.state_dict())
        checkpoint = {"model": ours.state_dict(), "optimizer": state}
        if through_file:
            tidu.save(checkpoint, tmp_path / "ckpt.npz")
            checkpoint = tidu.load(tmp_path / "ckpt.npz")
        else:
            checkpoint = {"model": {k: v.clone() for k, v in checkpoint["model"].items()},
                          "optimizer": state}
        for x, y in data[50:52]:  # stepping on does not change the snapshot
            step_both(ours, ref, opt, ropt, x, y)
        # a fresh model (other weights) and optimizer (other hyper-parameters) take the checkpoint
        resumed, _ = models(9)
        opt2 = make(name, resumed.parameters(), lr=0.5)
        resumed.load_state_dict(checkpoint["model"])
        opt2.load_state_dict(checkpoint["optimizer"])
        for key, value in config.items():
            assert opt2.param_groups[0][key] == value, key
        if "step" in STATE_KEYS[name]:
            assert all(s["step"] == 50 for s in opt2.state_dict()["state"].values())
        for x, y in data[50:52]:  # replay the two steps the original took meanwhile
            opt2.zero_grad()
            backward_ours(resumed, x, y)
            opt2.step()
        assert_same_params(resumed, ref, "after the replayed steps")
        for i, (x, y) in enumerate(data[52:]):
            step_both(resumed, ref, opt2, ropt, x, y)
            assert_same_params(resumed, ref, f"after resumed step {i + 1}")


@pytest.mark.parametrize("name", NAMES)
def test_loads_torch_optimizer_state(name):
    config = RICH[name]
    ours, ref = models(4)
    data = batches(40, seed=4)
    with torch_float64_scalars(name):
        ropt = make_torch(name, ref.parameters(), **config)
        for x, y in data[:20]:  # torch trains alone, then hands its state to tidu
            ropt.zero_grad()
            backward_torch(ref, x, y)
            ropt.step()
        ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
        opt = make(name, ours.parameters(), **config)
        rstate = ropt.state_dict()
        opt.load_state_dict({
            "state": {i: {k: v.numpy().copy() if isinstance(v, torch.Tensor) else v
                          for k, v in s.items()} for i, s in rstate["state"].items()},
            "param_groups": [{k: v for k, v in g.items() if k in opt.defaults or k == "params"}
                             for g in rstate["param_groups"]]})
        for i, (x, y) in enumerate(data[20:]):
            step_both(ours, ref, opt, ropt, x, y)
            assert_same_params(ours, ref, f"after step {i + 1} from torch's state")


def test_load_state_dict_mismatch_raises():
    ours, _ = models()
    opt = tidu.optim.Adam(ours.parameters(), lr=0.1)
    x, y = batches(1)[0]
    backward_ours(ours, x, y)
    opt.step()
    state = opt.state_dict()
    small = tidu.optim.Adam(list(ours.parameters())[:2], lr=0.1)
    with pytest.raises(StateDictError, match=r"\[4\].*\[2\]"):
        small.load_state_dict(state)
    reordered = tidu.optim.Adam([ours[2].weight, ours[0].bias, ours[0].weight, ours[2].bias])
    with pytest.raises(StateDictError, match=r"'exp_avg' of parameter 0 has shape \(8, 4\), "
                                             r"the parameter \(3, 8\)"):
        reordered.load_state_dict(state)


def test_float32_parameters_and_state_stay_float32():
    tidu.manual_seed(0)
    for name in NAMES:
        model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
        opt = make(name, model.parameters(), **RICH[name])
        for x, y in batches(3):
            opt.zero_grad()
            ((model(tidu.Tensor(x)) - tidu.Tensor(y)) ** 2).mean().backward()
            opt.step()
        assert all(p.dtype == np.float32 for p in model.parameters()), name
        arrays = [v for s in opt.state_dict()["state"].values() for v in s.values()
                  if isinstance(v, np.ndarray)]
        assert arrays and all(a.dtype == np.float32 for a in arrays), name


# --------------------------------------------------------------------------- in place, no allocation
IN_PLACE = [("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.1)),
            ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1))] + \
           [(name, RICH[name]) for name in NAMES[1:]] + \
           [("RMSprop", dict(weight_decay=0.1)), ("Adam", dict(weight_decay=0.1, decoupled_weight_decay=True)),
            ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True)),
            ("Adam", dict(clipnorm=0.01)), ("Adadelta", dict(clipvalue=1e-4, weight_decay=0.1))]


@pytest.mark.parametrize("name, config", IN_PLACE, ids=[f"{n}-{c}" for n, c in IN_PLACE])
def test_updates_in_place_with_preallocated_state(name, config):
    rng = np.random.default_rng(0)
    p = Parameter(rng.standard_normal((400, 500)), dtype=np.float64)  # 1.6 MB
    opt = make(name, [p], **config)
    data = p._data

    def new_gradient():
        p.grad = tidu.Tensor(rng.standard_normal(p.shape), dtype=np.float64)

    new_gradient()
    opt.step()  # the first step creates the state and the scratch arrays
    state = {k: v._data for k, v in opt.state[p].items() if isinstance(v, tidu.Tensor)}
    for _ in range(2):
        new_gradient()
        before = p._data.copy()
        tracemalloc.start()
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 50_000, f"{name} step allocated {peak} bytes (the parameter is 1.6 MB)"
        assert p._data is data, "p._data must stay the same array"
        assert not np.array_equal(p._data, before), "the step moved nothing"
    for key, value in state.items():
        assert opt.state[p][key]._data is value, f"state {key!r} was reallocated"


def test_step_returns_the_closure_loss():
    ours, ref = models()
    opt = tidu.optim.Adam(ours.parameters(), lr=1e-2)
    ropt = torch.optim.Adam(ref.parameters(), lr=1e-2)
    for x, y in batches(5):
        def closure():
            opt.zero_grad()
            return backward_ours(ours, x, y)

        def rclosure():
            ropt.zero_grad()
            return backward_torch(ref, x, y)
        with tidu.no_grad():  # the closure runs with gradients enabled all the same
            loss = opt.step(closure)
        rloss = ropt.step(rclosure)
        assert loss.item() == pytest.approx(rloss.item(), rel=1e-12)
    assert_same_params(ours, ref, "after 5 closure steps")


# --------------------------------------------------------------------------- classic Nesterov
def test_classic_nesterov_is_pytorch_nesterov_up_to_the_change_of_variable():
    """The notes' NAG: v ← μv − η∇f(θ + μv), θ ← θ + v.  What holds, step for step: PyTorch's
    parameter is the classic look-ahead point θ + μv, and PyTorch's buffer is b = −v/η; the
    classic iterate θ itself is a different sequence (it trails by μv)."""
    mu, lr, wd = 0.9, 0.05, 1e-3
    ours, ref = models(5)
    opt = tidu.optim.SGD(ours.parameters(), lr=lr, momentum=mu, nesterov=True, weight_decay=wd,
                         nesterov_form="classic")
    ropt = torch.optim.SGD(ref.parameters(), lr=lr, momentum=mu, nesterov=True, weight_decay=wd)
    names = [n for n, _ in ours.named_parameters()]
    arrays = [p._data for p in ours.parameters()]
    rparams = dict(ref.named_parameters())
    largest_gap = 0.0
    for step, (x, y) in enumerate(batches(seed=5), start=1):
        def closure():
            opt.zero_grad()
            return backward_ours(ours, x, y)
        opt.step(closure)
        ropt.zero_grad()
        backward_torch(ref, x, y)
        ropt.step()
        state, rstate = opt.state_dict()["state"], ropt.state_dict()["state"]
        for i, (name, p) in enumerate(ours.named_parameters()):
            assert name == names[i]
            theta, v = p._data, state[i]["velocity"]
            torch_theta = rparams[name].detach().numpy()
            np.testing.assert_allclose(theta + mu * v, torch_theta, rtol=RTOL, atol=ATOL,
                                       err_msg=f"θ + μv vs PyTorch's {name}, step {step}")
            np.testing.assert_allclose(v, -lr * rstate[i]["momentum_buffer"].numpy(), rtol=RTOL,
                                       atol=ATOL, err_msg=f"v vs −η·b, {name}, step {step}")
            largest_gap = max(largest_gap, np.abs(theta - torch_theta).max())
    assert largest_gap > 1e-3  # the classic iterate is not PyTorch's parameter
    assert all(p._data is a for p, a in zip(ours.parameters(), arrays))  # moved in place


def test_classic_nesterov_equivalence_breaks_when_the_learning_rate_changes():
    """b = −v/η needs a constant η: after η changes, θ + μv and PyTorch's parameter part."""
    mu = 0.9
    ours, ref = models(6)
    opt = tidu.optim.SGD(ours.parameters(), lr=0.05, momentum=mu, nesterov=True,
                         nesterov_form="classic")
    ropt = torch.optim.SGD(ref.parameters(), lr=0.05, momentum=mu, nesterov=True)
    rparams = dict(ref.named_parameters())

    def gap():
        state = opt.state_dict()["state"]
        return max(np.abs(p._data + mu * state[i]["velocity"] - rparams[n].detach().numpy()).max()
                   for i, (n, p) in enumerate(ours.named_parameters()))

    for step, (x, y) in enumerate(batches(40, seed=6), start=1):
        if step == 21:
            opt.param_groups[0]["lr"] = ropt.param_groups[0]["lr"] = 0.01
        opt.step(lambda: (opt.zero_grad(), backward_ours(ours, x, y))[1])
        ropt.zero_grad()
        backward_torch(ref, x, y)
        ropt.step()
        if step == 20:
            assert gap() < 1e-10
    assert gap() > 1e-4


def test_classic_nesterov_needs_a_closure_and_nesterov():
    ours, _ = models()
    opt = tidu.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                         nesterov_form="classic")
    with pytest.raises(ValueError, match="closure"):
        opt.step()
    with pytest.raises(ValueError, match="nesterov=True"):
        tidu.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9, nesterov_form="classic")
    with pytest.raises(ValueError, match="nesterov_form='keras'"):
        tidu.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                       nesterov_form="keras")


def test_classic_nesterov_restores_the_parameters_when_the_closure_fails():
    ours, _ = models()
    opt = tidu.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                         nesterov_form="classic")
    x, y = batches(1)[0]
    opt.step(lambda: (opt.zero_grad(), backward_ours(ours, x, y))[1])
    before = {k: v.clone() for k, v in ours.state_dict().items()}

    def failing():
        raise RuntimeError("data loader broke")
    with pytest.raises(RuntimeError, match="data loader"):
        opt.step(failing)
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(v, before[k], rtol=0, atol=1e-15)


# --------------------------------------------------------------------------- clipnorm / clipvalue
def keras_clip_by_norm(g, c):
    """tf.clip_by_norm / keras.ops.clip_by_norm: g · c / max(‖g‖₂, c)."""
    return g * c / max(np.sqrt(np.sum(g * g)), c)


@pytest.mark.parametrize("clip", [dict(clipnorm=0.2), dict(clipvalue=0.01)])
def test_clipping_is_per_tensor_and_before_the_update(clip):
    # SGD with lr=1 and no momentum moves θ by exactly the (clipped) gradient, plus λθ
    ours, _ = models(7)
    wd = 0.1
    opt = tidu.optim.SGD(ours.parameters(), lr=1.0, weight_decay=wd, **clip)
    x, y = batches(1, seed=7)[0]
    backward_ours(ours, x, y)
    params = list(ours.parameters())
    grads = [p.grad._data.copy() for p in params]
    before = [p._data.copy() for p in params]
    if "clipnorm" in clip:
        expected = [keras_clip_by_norm(g, clip["clipnorm"]) for g in grads]
        norms = [np.linalg.norm(g) for g in grads]
        assert min(norms) < clip["clipnorm"] < max(norms)  # some tensors clipped, some not
    else:
        expected = [np.clip(g, -clip["clipvalue"], clip["clipvalue"]) for g in grads]
        assert any(np.abs(g).max() > clip["clipvalue"] for g in grads)
    opt.step()
    for p, g0, theta0, e in zip(params, grads, before, expected):
        np.testing.assert_allclose(theta0 - p._data, e + wd * theta0, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(p.grad._data, e, rtol=1e-12, atol=1e-15)  # clipped in place
        if np.abs(g0 - e).max() == 0:
            np.testing.assert_array_equal(p.grad._data, g0)


@pytest.mark.parametrize("name, config, clip", [
    ("Adam", dict(lr=1e-2), dict(clipnorm=0.2)),
    ("RMSprop", dict(lr=1e-3, momentum=0.9), dict(clipvalue=0.02)),
    ("NAdam", dict(lr=1e-2, weight_decay=1e-2), dict(clipnorm=0.1)),
])
def test_clipping_options_equal_torch_on_keras_clipped_gradients(name, config, clip):
    ours, ref = models(8)
    with torch_float64_scalars(name):
        opt = make(name, ours.parameters(), **config, **clip)
        ropt = make_torch(name, ref.parameters(), **config)
        for i, (x, y) in enumerate(batches(seed=8)):
            opt.zero_grad()
            backward_ours(ours, x, y)
            opt.step()
            ropt.zero_grad()
            backward_torch(ref, x, y)
            with torch.no_grad():
                for p in ref.parameters():
                    g = p.grad.numpy()
                    if "clipnorm" in clip:
                        g[...] = keras_clip_by_norm(g, clip["clipnorm"])
                    else:
                        np.clip(g, -clip["clipvalue"], clip["clipvalue"], out=g)
            ropt.step()
            assert_same_params(ours, ref, f"after step {i + 1}")


@pytest.mark.parametrize("name", NAMES)
def test_clipping_options_are_validated(name):
    ours, _ = models()
    with pytest.raises(ValueError, match=rf"{name}: clipnorm must be None or in \(0, inf\), "
                                         r"got -1.0"):
        make(name, ours.parameters(), clipnorm=-1.0)
    with pytest.raises(ValueError, match=r"clipvalue must be None or in \(0, inf\), got 0"):
        make(name, ours.parameters(), clipvalue=0)
    with pytest.raises(ValueError, match="set one of clipnorm and clipvalue"):
        make(name, ours.parameters(), clipnorm=1.0, clipvalue=1.0)
    opt = make(name, ours.parameters(), clipnorm=2.0)
    assert opt.state_dict()["param_groups"][0]["clipnorm"] == 2.0


# --------------------------------------------------------------------------- bad hyper-parameters
BAD = [
    ("Adagrad", dict(lr=-0.1), r"Adagrad: lr must be in \[0, inf\), got -0.1"),
    ("Adagrad", dict(lr_decay=-1.0), "lr_decay must be .*, got -1.0"),
    ("Adagrad", dict(initial_accumulator_value=-0.1), "initial_accumulator_value must be .*-0.1"),
    ("Adagrad", dict(eps=-1e-10), "eps must be .*, got -1e-10"),
    ("Adadelta", dict(rho=1.5), "Adadelta: rho must be in \\[0, 1\\], got 1.5"),
    ("Adadelta", dict(weight_decay=-1.0), "weight_decay must be .*, got -1.0"),
    ("RMSprop", dict(alpha=-0.1), "alpha must be .*, got -0.1"),
    ("RMSprop", dict(momentum=-0.9), "momentum must be .*, got -0.9"),
    ("Adam", dict(betas=(1.0, 0.999)), "Adam: betas\\[0\\] must be in \\[0, 1\\), got 1.0"),
    ("Adam", dict(betas=(0.9, -0.1)), "betas\\[1\\] must be .*, got -0.1"),
    ("Adam", dict(lr=-1e-3), "lr must be .*, got -0.001"),
    ("AdamW", dict(weight_decay=-0.01), r"AdamW: weight_decay must be in \[0, inf\)"),
    ("NAdam", dict(momentum_decay=-4e-3), "momentum_decay must be .*, got -0.004"),
    ("NAdam", dict(betas=(0.9, 1.0)), "betas\\[1\\] must be .*, got 1.0"),
]


@pytest.mark.parametrize("name, kwargs, words", BAD, ids=[f"{n}-{k}" for n, k, _ in BAD])
def test_bad_hyper_parameters_raise(name, kwargs, words):
    ours, ref = models()
    with pytest.raises(ValueError):
        make_torch(name, ref.parameters(), **kwargs)  # torch refuses the same
    with pytest.raises(ValueError, match=words):
        make(name, ours.parameters(), **kwargs)


def test_bad_values_in_a_param_group_raise_too():
    ours, _ = models()
    with pytest.raises(ValueError, match=r"Adam: lr must be in \[0, inf\), got -1"):
        tidu.optim.Adam([{"params": ours[0].parameters()}, {"params": ours[2].parameters(), "lr": -1}])
    with pytest.raises(ValueError, match="betas must be a pair"):
        tidu.optim.Adam(ours.parameters(), betas=0.9)
    with pytest.raises(ValueError, match="RMSprop: lr must be a real number, got '0.1'"):
        tidu.optim.RMSprop(ours.parameters(), lr="0.1")
    with pytest.raises(ValueError, match="more than once"):
        tidu.optim.Adam([{"params": ours[0].parameters()}, {"params": [ours[0].weight]}])
    with pytest.raises(TypeError, match="single Tensor"):
        tidu.optim.Adam(ours[0].weight)
    with pytest.raises(TypeError, match="tidu Tensors, got ndarray"):
        tidu.optim.Adam([np.zeros(3)])
    with pytest.raises(ValueError, match="empty"):
        tidu.optim.NAdam([])


@pytest.mark.parametrize("name", NAMES)
def test_defaults_are_pytorch_defaults(name):
    ours, ref = models()
    ropt = make_torch(name, ref.parameters())
    opt = make(name, ours.parameters())
    for key, value in opt.defaults.items():
        if key in ("clipnorm", "clipvalue", "nesterov_form"):
            assert value in (None, "pytorch")
            continue
        assert ropt.defaults[key] == value, key
