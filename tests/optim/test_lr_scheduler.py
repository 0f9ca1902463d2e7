"""tidu.optim.lr_scheduler against torch.optim.lr_scheduler: the same schedule on the same
optimizer (two param groups with different learning rates) gives the same learning rates (and
OneCycleLR the same momentum / β1) at every one of 200 steps; state_dict round trips continue
identically; warmup_cosine follows its documented formula; bad arguments raise."""
import math

import numpy as np
import pytest
import torch

import tidu
from tidu.nn import Parameter
from tidu.optim import lr_scheduler as S

STEPS = 200
LRS = (0.1, 0.05)


def optimizers(name="SGD", **kwargs):
    """A tidu and a torch optimizer, each over two parameters in two groups (lr 0.1, 0.05)."""
    ours = [Parameter(np.ones(3)), Parameter(np.ones(2))]
    ref = [torch.ones(3, requires_grad=True), torch.ones(2, requires_grad=True)]
    groups = lambda ps: [{"params": [p], "lr": lr} for p, lr in zip(ps, LRS)]  # noqa: E731
    return (getattr(tidu.optim, name)(groups(ours), **kwargs),
            getattr(torch.optim, name)(groups(ref), **kwargs))


def plateau_losses(n=STEPS, seed=0):
    """A scripted validation loss: falls, plateaus with noise, falls again, rises."""
    rng = np.random.default_rng(seed)
    base = np.concatenate([np.linspace(1.0, 0.5, 40), np.full(50, 0.5), np.linspace(0.5, 0.2, 30),
                           np.full(40, 0.2), np.linspace(0.2, 0.4, n - 160)])
    return list(base + 1e-3 * rng.standard_normal(n))


def momentum_of(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


# Each case: (optimizer name, optimizer kwargs, scheduler factory M, opt -> scheduler).  The
# factory is called with tidu's module and with torch's: the same names and arguments.
CASES = {
    "StepLR": ("SGD", {}, lambda M, o: M.StepLR(o, step_size=30, gamma=0.5)),
    "StepLR-default-gamma": ("SGD", {}, lambda M, o: M.StepLR(o, 7)),
    "MultiStepLR": ("SGD", {}, lambda M, o: M.MultiStepLR(o, [30, 80, 80, 150], gamma=0.3)),
    "ExponentialLR": ("SGD", {}, lambda M, o: M.ExponentialLR(o, 0.98)),
    "CosineAnnealingLR-two-cycles": ("SGD", {}, lambda M, o: M.CosineAnnealingLR(o, 50, 1e-3)),
    "CosineAnnealingLR": ("SGD", {}, lambda M, o: M.CosineAnnealingLR(o, T_max=STEPS)),
    "LinearLR-warmup": ("SGD", {}, lambda M, o: M.LinearLR(o, start_factor=0.1, total_iters=20)),
    "LinearLR-decay": ("SGD", {}, lambda M, o: M.LinearLR(o, 1.0, 0.1, total_iters=150)),
    "LinearLR-defaults": ("SGD", {}, lambda M, o: M.LinearLR(o)),
    "SequentialLR-warmup-cosine": ("SGD", {}, lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, start_factor=0.01, total_iters=10),
            M.CosineAnnealingLR(o, T_max=STEPS - 10, eta_min=1e-4)], milestones=[10])),
    "SequentialLR-three": ("SGD", {}, lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, 0.2, total_iters=5), M.StepLR(o, 20, 0.5), M.ExponentialLR(o, 0.99)],
        milestones=[15, 90])),
    "OneCycleLR-cos-SGD": ("SGD", dict(momentum=0.9), lambda M, o: M.OneCycleLR(
        o, max_lr=[1.0, 0.5], total_steps=STEPS)),
    "OneCycleLR-linear-three-phase": ("SGD", dict(momentum=0.9), lambda M, o: M.OneCycleLR(
        o, max_lr=0.3, epochs=10, steps_per_epoch=20, anneal_strategy="linear", three_phase=True,
        pct_start=0.25, base_momentum=[0.8, 0.7], max_momentum=0.95, div_factor=10.0,
        final_div_factor=100.0)),
    "OneCycleLR-Adam-beta1": ("Adam", {}, lambda M, o: M.OneCycleLR(
        o, max_lr=1e-2, total_steps=STEPS, three_phase=True)),
    "OneCycleLR-no-momentum": ("SGD", {}, lambda M, o: M.OneCycleLR(
        o, max_lr=0.2, total_steps=STEPS, cycle_momentum=False, pct_start=0.5)),
    "ReduceLROnPlateau": ("SGD", {}, lambda M, o: M.ReduceLROnPlateau(o, patience=5)),
    "ReduceLROnPlateau-abs-cooldown": ("SGD", {}, lambda M, o: M.ReduceLROnPlateau(
        o, factor=0.5, patience=3, threshold=1e-3, threshold_mode="abs", cooldown=4,
        min_lr=[1e-3, 2e-3])),
    "ReduceLROnPlateau-max-rel": ("SGD", {}, lambda M, o: M.ReduceLROnPlateau(
        o, mode="max", factor=0.7, patience=0, threshold=0.01, min_lr=0.01)),
    "ReduceLROnPlateau-max-abs-eps": ("SGD", {}, lambda M, o: M.ReduceLROnPlateau(
        o, mode="max", factor=0.9, patience=2, threshold_mode="abs", threshold=0.0, eps=1e-3)),
}


def advance(opt, sched, step, losses):
    opt.step()
    if isinstance(sched, (S.ReduceLROnPlateau, torch.optim.lr_scheduler.ReduceLROnPlateau)):
        sched.step(-losses[step] if sched.mode == "max" else losses[step])
    else:
        sched.step()


def trajectory(opt, sched, steps, losses, start=0):
    """The learning rates (and momenta) in force for each of ``steps`` optimizer steps."""
    lrs, momenta = [], []
    for step in range(start, start + steps):
        lrs.append(list(sched.get_last_lr()))
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
        momenta.append(momentum_of(opt))
        advance(opt, sched, step, losses)
    return lrs, momenta


@pytest.mark.parametrize("case", list(CASES))
def test_learning_rates_equal_torch_for_200_steps(case):
    name, kwargs, factory = CASES[case]
    opt, ropt = optimizers(name, **kwargs)
    sched, rsched = factory(S, opt), factory(torch.optim.lr_scheduler, ropt)
    losses = plateau_losses()
    lrs, momenta = trajectory(opt, sched, STEPS, losses)
    rlrs, rmomenta = trajectory(ropt, rsched, STEPS, losses)
    np.testing.assert_array_equal(lrs, rlrs)  # to the last bit: the same formulas, same order
    np.testing.assert_array_equal(momenta, rmomenta)
    assert sched.last_epoch == rsched.last_epoch
    # the schedule does change the rate (so the comparison means something)
    assert len({round(lr[0], 15) for lr in lrs}) >= 3


def test_one_cycle_cycles_momentum_and_beta1():
    for name, key in (("SGD", "momentum"), ("Adam", "betas")):
        opt, _ = optimizers(name, **({"momentum": 0.9} if name == "SGD" else {}))
        sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=100)
        lrs, momenta = trajectory(opt, sched, 100, None)
        peak = int(np.argmax([lr[0] for lr in lrs]))
        assert momenta[0][0] == pytest.approx(0.95) and momenta[peak][0] == pytest.approx(0.85)
        assert lrs[0][0] == pytest.approx(1.0 / 25) and lrs[-1][0] == pytest.approx(1.0 / 25 / 1e4)
        if key == "betas":
            assert opt.param_groups[0]["betas"][1] == 0.999  # β2 untouched


def test_one_cycle_refuses_to_step_past_total_steps():
    opt, _ = optimizers()
    sched = S.OneCycleLR(opt, max_lr=0.1, total_steps=5, cycle_momentum=False)
    for _ in range(4):
        sched.step()
    with pytest.raises(ValueError, match="stepped 6 times, beyond total_steps=5"):
        sched.step()
        sched.step()


@pytest.mark.parametrize("case", list(CASES))
def test_state_dict_round_trip_continues_identically(case, tmp_path):
    assert_round_trip_continues(*CASES[case], tmp_path)


def assert_round_trip_continues(name, kwargs, factory, tmp_path):
    """A scheduler saved at step 100 (with its optimizer, through tidu.save) and loaded into a
    fresh pair continues with torch's learning rates and momenta."""
    losses = plateau_losses()
    ropt = optimizers(name, **kwargs)[1]
    rsched = factory(torch.optim.lr_scheduler, ropt)
    expected, expected_m = trajectory(ropt, rsched, STEPS, losses)

    opt = optimizers(name, **kwargs)[0]
    sched = factory(S, opt)
    trajectory(opt, sched, 100, losses)
    tidu.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp_path / "c.npz")
    for _ in range(3):  # the saved state is a snapshot
        advance(opt, sched, 100, losses)
    checkpoint = tidu.load(tmp_path / "c.npz")

    opt2 = optimizers(name, **kwargs)[0]
    sched2 = factory(S, opt2)  # PyTorch's order: scheduler, then the two load_state_dicts
    opt2.load_state_dict(checkpoint["optimizer"])
    sched2.load_state_dict(checkpoint["scheduler"])
    lrs, momenta = trajectory(opt2, sched2, 100, losses, start=100)
    np.testing.assert_array_equal(lrs, expected[100:])
    np.testing.assert_array_equal(momenta, expected_m[100:])


def test_schedulers_drive_the_optimizer_updates():
    p = Parameter(np.zeros(1))
    opt = tidu.optim.SGD([p], lr=1.0)
    sched = S.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(4):
        p.grad = tidu.Tensor(np.ones(1), dtype=np.float64)
        opt.step()
        sched.step()
    assert p._data[0] == -(1 + 0.5 + 0.25 + 0.125)


# --------------------------------------------------------------------------- warmup_cosine
def warmup_cosine_formula(base, W, T, floor, steps):
    s = np.arange(1, steps + 1, dtype=np.float64)[:, None]
    base = np.asarray(base)[None, :]
    warm = base * s / W if W else np.zeros_like(s * base)
    cos = floor + (base - floor) * (1 + np.cos(np.pi * (s - W) / (T - W))) / 2
    return np.where(s <= W, warm, np.where(s >= T, floor, cos))


@pytest.mark.parametrize("W, T, floor", [(10, 150, 1e-3), (0, 100, 0.0), (50, 51, 0.01),
                                         (1, 200, 0.0)])
def test_warmup_cosine_follows_its_formula(W, T, floor):
    opt, _ = optimizers()
    sched = S.warmup_cosine(opt, warmup_steps=W, total_steps=T, min_lr=floor)
    assert isinstance(sched, S.WarmupCosineLR)
    lrs, _ = trajectory(opt, sched, STEPS, None)
    lrs = np.array(lrs)
    np.testing.assert_allclose(lrs, warmup_cosine_formula(LRS, W, T, floor, STEPS), rtol=1e-14,
                               atol=1e-17)
    first = lrs[:, 0]
    if W:
        assert first[0] == LRS[0] / W  # starts near 0, not at 0
        assert first[W - 1] == LRS[0] and np.sum(first == LRS[0]) == 1  # the peak, once
        assert np.all(np.diff(first[:W]) > 0)
    assert np.all(np.diff(first[max(W - 1, 0):T]) < 0)
    assert np.all(first[T - 1:] == floor)  # the T-th step and later run at the floor
    if W:
        assert lrs[:, 1].max() == LRS[1]
    else:  # no warm-up: the first step is already one step down the cosine
        assert first[0] == LRS[0] * (1 + math.cos(math.pi / T)) / 2


def test_warmup_cosine_bad_arguments():
    opt, _ = optimizers()
    with pytest.raises(ValueError, match="WarmupCosineLR: total_steps must be an int > "
                                         "warmup_steps=10, got 10"):
        S.warmup_cosine(opt, 10, 10)
    with pytest.raises(ValueError, match=r"warmup_steps must be in \[0, inf\), got -1"):
        S.warmup_cosine(opt, -1, 10)
    with pytest.raises(ValueError, match=r"min_lr=0.07 is above the learning rate 0.05 of "
                                         r"param_groups\[1\]"):
        S.warmup_cosine(opt, 5, 10, min_lr=0.07)
    with pytest.raises(ValueError, match="min_lr must be .*, got -0.1"):
        S.warmup_cosine(opt, 5, 10, min_lr=-0.1)


# --------------------------------------------------------------------------- bad arguments
BAD = [
    (lambda o: S.StepLR(o, step_size=0), ValueError, r"StepLR: step_size must be in \[1, inf\)"),
    (lambda o: S.StepLR(o, step_size=2.5), ValueError, "step_size must be an int, got 2.5"),
    (lambda o: S.MultiStepLR(o, [10, -1]), ValueError, r"milestones\[1\] must be .*, got -1"),
    (lambda o: S.ExponentialLR(o, gamma=-0.5), ValueError, "gamma must be .*, got -0.5"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), ValueError, r"T_max must be in \[1, inf\)"),
    (lambda o: S.LinearLR(o, start_factor=0.0), ValueError, r"start_factor must be in \(0, 1\]"),
    (lambda o: S.LinearLR(o, end_factor=1.5), ValueError, "end_factor must be .*, got 1.5"),
    (lambda o: S.OneCycleLR(o, max_lr=0.1), ValueError, "give total_steps, or both epochs"),
    (lambda o: S.OneCycleLR(o, 0.1, total_steps=10, pct_start=1.5), ValueError, "pct_start must be .*, got 1.5"),
    (lambda o: S.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp"), ValueError,
     "anneal_strategy='exp'"),
    (lambda o: S.OneCycleLR(o, [0.1, 0.2, 0.3], total_steps=10), ValueError,
     "max_lr has 3 values for 2 param groups"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, r"factor must be in \[0, 1\)"),
    (lambda o: S.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode='avg'"),
    (lambda o: S.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "threshold_mode='pct'"),
    (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "min_lr has 1 values"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2)], milestones=[3]), ValueError,
     "expected 0 milestones for 1 schedulers"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), S.ReduceLROnPlateau(o)], milestones=[3]),
     ValueError, "not ReduceLROnPlateau"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), S.StepLR(optimizers()[0], 2)], [3]),
     ValueError, r"schedulers\[1\] \(StepLR\) belongs to another optimizer"),
    (lambda o: S.StepLR(optimizers()[1], 2), TypeError, "expected a tidu.optim optimizer"),
]


@pytest.mark.parametrize("build, error, words", BAD, ids=[w for _, _, w in BAD])
def test_bad_arguments_raise(build, error, words):
    opt, _ = optimizers()
    with pytest.raises(error, match=words):
        build(opt)


def test_one_cycle_momentum_needs_an_optimizer_with_momentum():
    opt, _ = optimizers("Adagrad")
    with pytest.raises(ValueError, match="cycle_momentum needs an optimizer with momentum or betas"):
        S.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    S.OneCycleLR(opt, max_lr=0.1, total_steps=10, cycle_momentum=False)


def test_resuming_with_last_epoch_needs_initial_lr():
    opt, _ = optimizers()
    with pytest.raises(KeyError, match="initial_lr"):
        S.CosineAnnealingLR(opt, T_max=10, last_epoch=5)


def test_reduce_on_plateau_accepts_a_tensor_metric():
    opt, _ = optimizers()
    sched = S.ReduceLROnPlateau(opt, patience=0)
    sched.step(tidu.tensor(1.0))
    sched.step(tidu.tensor(2.0))
    assert sched.get_last_lr() == [pytest.approx(0.01), pytest.approx(0.005)]
    assert math.isclose(sched.best, 1.0)
