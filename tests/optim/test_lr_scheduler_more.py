"""LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR
and ChainedScheduler against torch.optim.lr_scheduler, with the helpers of
tests/optim/test_lr_scheduler.py: two param groups, the same learning rates (and CyclicLR's
momentum / β1) bit for bit at each of 200 steps, state_dict round trips through tidu.save that
continue identically, the fractional-epoch form of CosineAnnealingWarmRestarts, bad arguments."""
import warnings

import numpy as np
import pytest
import torch

from tests.optim.test_lr_scheduler import (STEPS, assert_round_trip_continues, optimizers,
                                           plateau_losses, trajectory)
from tidu.optim import lr_scheduler as S


def warmup(t):
    return min(1.0, (t + 1) / 10)


class Warmup:
    """A callable object: its attributes are what a LambdaLR state_dict keeps."""

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, t):
        return min(1.0, (t + 1) / self.steps)


CASES = {
    "LambdaLR-warmup": ("SGD", {}, lambda M, o: M.LambdaLR(o, warmup)),
    "LambdaLR-per-group": ("SGD", {}, lambda M, o: M.LambdaLR(
        o, [lambda t: 0.95 ** t, lambda t: 1.0 / (1 + 0.1 * t)])),
    "LambdaLR-callable-object": ("SGD", {}, lambda M, o: M.LambdaLR(o, Warmup(25))),
    "MultiplicativeLR": ("SGD", {}, lambda M, o: M.MultiplicativeLR(o, lambda t: 0.97)),
    "MultiplicativeLR-per-group": ("SGD", {}, lambda M, o: M.MultiplicativeLR(
        o, [lambda t: 0.99, lambda t: 0.9 if t % 20 == 0 else 1.0])),
    "ConstantLR-defaults": ("SGD", {}, lambda M, o: M.ConstantLR(o)),
    "ConstantLR": ("SGD", {}, lambda M, o: M.ConstantLR(o, factor=0.3, total_iters=40)),
    "PolynomialLR-defaults": ("SGD", {}, lambda M, o: M.PolynomialLR(o)),
    "PolynomialLR-power": ("SGD", {}, lambda M, o: M.PolynomialLR(o, total_iters=150, power=2.0)),
    "CosineAnnealingWarmRestarts": ("SGD", {}, lambda M, o: M.CosineAnnealingWarmRestarts(o, 10)),
    "CosineAnnealingWarmRestarts-T_mult": ("SGD", {}, lambda M, o: M.CosineAnnealingWarmRestarts(
        o, T_0=7, T_mult=2, eta_min=1e-3)),
    "CyclicLR-triangular": ("SGD", dict(momentum=0.9), lambda M, o: M.CyclicLR(
        o, base_lr=[0.01, 0.005], max_lr=0.1, step_size_up=15)),
    "CyclicLR-triangular2-asymmetric": ("SGD", dict(momentum=0.9), lambda M, o: M.CyclicLR(
        o, 0.001, [0.1, 0.2], step_size_up=12, step_size_down=5, mode="triangular2",
        base_momentum=[0.7, 0.75], max_momentum=0.95)),
    "CyclicLR-exp_range-Adam-beta1": ("Adam", {}, lambda M, o: M.CyclicLR(
        o, 1e-4, 1e-2, step_size_up=20, mode="exp_range", gamma=0.99)),
    "CyclicLR-plain-SGD-gets-momentum": ("SGD", {}, lambda M, o: M.CyclicLR(
        o, 0.01, 0.1, step_size_up=10)),
    "CyclicLR-no-momentum": ("Adagrad", {}, lambda M, o: M.CyclicLR(
        o, 0.01, 0.1, step_size_up=8, cycle_momentum=False)),
    "CyclicLR-scale_fn-iterations": ("SGD", dict(momentum=0.5), lambda M, o: M.CyclicLR(
        o, 0.01, 0.1, step_size_up=9, scale_fn=lambda x: 1 / (1 + 0.01 * x),
        scale_mode="iterations")),
    "ChainedScheduler": ("SGD", {}, lambda M, o: M.ChainedScheduler(
        [M.ConstantLR(o, factor=0.1, total_iters=5), M.ExponentialLR(o, gamma=0.97)])),
    "ChainedScheduler-three": ("SGD", {}, lambda M, o: M.ChainedScheduler(
        [M.LinearLR(o, 0.1, total_iters=10), M.PolynomialLR(o, total_iters=180, power=0.5),
         M.MultiplicativeLR(o, lambda t: 0.999)], optimizer=o)),
    "SequentialLR-lambda-warmup-then-restarts": ("SGD", {}, lambda M, o: M.SequentialLR(
        o, [M.LambdaLR(o, warmup), M.CosineAnnealingWarmRestarts(o, T_0=30, T_mult=2)],
        milestones=[10])),
}


def momenta_are_cycled(case):
    return case.startswith("CyclicLR") and "no-momentum" not in case


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
    assert sched.get_last_lr() == rsched.get_last_lr()
    levels = 2 if case.startswith("ConstantLR") else 3  # the schedule does change the rate
    assert len({round(lr[0], 15) for lr in lrs}) >= levels
    if momenta_are_cycled(case):
        assert len({m[0] for m in momenta}) >= 3


@pytest.mark.parametrize("case", list(CASES))
def test_state_dict_round_trip_continues_identically(case, tmp_path):
    assert_round_trip_continues(*CASES[case], tmp_path)


def test_lambda_state_dict_keeps_callable_objects_not_functions():
    opt, ropt = optimizers()
    sched = S.LambdaLR(opt, [warmup, Warmup(25)])
    rsched = torch.optim.lr_scheduler.LambdaLR(ropt, [warmup, Warmup(25)])
    assert sched.state_dict()["lr_lambdas"] == rsched.state_dict()["lr_lambdas"] \
        == [None, {"steps": 25}]
    for _ in range(5):
        sched.step()
    state = sched.state_dict()
    other = S.LambdaLR(optimizers()[0], [warmup, Warmup(3)])
    other.load_state_dict(state)
    assert other.lr_lambdas[1].steps == 25  # the object's attributes came back
    assert other.lr_lambdas[0] is warmup  # the function is the one the new scheduler was given
    assert state["lr_lambdas"] == [None, {"steps": 25}]  # loading did not consume the dict
    assert other.last_epoch == 5 and other.get_last_lr() == sched.get_last_lr()


@pytest.mark.parametrize("T_0, T_mult", [(10, 1), (5, 2), (3, 3)])
def test_warm_restarts_fractional_epochs_equal_torch(T_0, T_mult):
    """The per-batch form of SGDR: ``step(epoch + i / iters)``, including jumps back."""
    opt, ropt = optimizers()
    sched = S.CosineAnnealingWarmRestarts(opt, T_0, T_mult=T_mult, eta_min=1e-4)
    rsched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(ropt, T_0, T_mult=T_mult,
                                                                  eta_min=1e-4)
    iters = 7
    epochs = [e + i / iters for e in range(40) for i in range(iters)] + [3.5, 0, 12.25, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the intended form here: no deprecation warning
        for epoch in epochs:
            sched.step(epoch)
            rsched.step(epoch)
            assert sched.get_last_lr() == rsched.get_last_lr(), epoch
            assert (sched.T_cur, sched.T_i, sched.last_epoch) == \
                (rsched.T_cur, rsched.T_i, rsched.last_epoch)
    assert [g["lr"] for g in opt.param_groups] == sched.get_last_lr()


def test_step_with_an_epoch_warns_and_uses_the_closed_form():
    opt, ropt = optimizers()
    sched = S.PolynomialLR(opt, total_iters=20, power=2.0)
    rsched = torch.optim.lr_scheduler.PolynomialLR(ropt, total_iters=20, power=2.0)
    for epoch in (3, 15, 7, 30):
        with pytest.warns(UserWarning, match="deprecated"):
            sched.step(epoch)
        with pytest.warns(UserWarning):
            rsched.step(epoch)
        assert sched.get_last_lr() == rsched.get_last_lr() and sched.last_epoch == epoch


def test_cyclic_lr_shape():
    """Triangular: base → max in step_size_up steps, back in step_size_down, repeating;
    triangular2 halves the height each cycle; momentum moves the opposite way."""
    opt, _ = optimizers("SGD", momentum=0.9)
    sched = S.CyclicLR(opt, base_lr=0.1, max_lr=1.1, step_size_up=4, step_size_down=6,
                       mode="triangular2")
    lrs, momenta = trajectory(opt, sched, 21, None)
    first = [lr[0] for lr in lrs]
    np.testing.assert_allclose(first[:11], [0.1, 0.35, 0.6, 0.85, 1.1, 0.1 + 5 / 6, 0.1 + 4 / 6,
                                            0.1 + 3 / 6, 0.1 + 2 / 6, 0.1 + 1 / 6, 0.1], rtol=1e-14)
    assert first[14] == pytest.approx(0.6) and first[20] == pytest.approx(0.1)  # height halved
    assert momenta[0][0] == pytest.approx(0.9) and momenta[4][0] == pytest.approx(0.8)
    assert opt.param_groups[0]["max_momentum"] == 0.9


BAD = [
    (lambda o: S.LambdaLR(o, [warmup]), ValueError, r"LambdaLR: expected 2 lr_lambdas"),
    (lambda o: S.LambdaLR(o, 0.5), TypeError, "lr_lambda must be a function .* got float"),
    (lambda o: S.MultiplicativeLR(o, [warmup, 2]), TypeError, r"got int for param_groups\[1\]"),
    (lambda o: S.ConstantLR(o, factor=1.5), ValueError, r"ConstantLR: factor must be in \(0, 1\]"),
    (lambda o: S.PolynomialLR(o, total_iters=0), ValueError, r"total_iters must be in \[1, inf\)"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, r"T_0 must be in \[1, inf\)"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, 10, T_mult=1.5), ValueError,
     "T_mult must be an int, got 1.5"),
    (lambda o: S.CyclicLR(o, 0.01, 0.1, mode="cosine"), ValueError, "mode='cosine'"),
    (lambda o: S.CyclicLR(o, [0.01], 0.1), ValueError, "base_lr has 1 values for 2 param groups"),
    (lambda o: S.CyclicLR(o, 0.01, -0.1), ValueError, "max_lr must be .*, got -0.1"),
    (lambda o: S.ChainedScheduler([]), ValueError, "at least one scheduler"),
    (lambda o: S.ChainedScheduler([S.StepLR(o, 2), S.ReduceLROnPlateau(o)]), ValueError,
     "not ReduceLROnPlateau"),
    (lambda o: S.ChainedScheduler([S.StepLR(o, 2), S.StepLR(optimizers()[0], 2)]), ValueError,
     r"schedulers\[1\] \(StepLR\) belongs to another optimizer"),
]
TORCH_RAISES_TOO = [0, 3, 5, 6, 7, 8, 10, 11, 12]  # the same bad input also fails in PyTorch


@pytest.mark.parametrize("build, error, words", BAD, ids=[w for _, _, w in BAD])
def test_bad_arguments_raise(build, error, words):
    opt, _ = optimizers()
    with pytest.raises(error, match=words):
        build(opt)


@pytest.mark.parametrize("index", TORCH_RAISES_TOO)
def test_torch_refuses_the_same(index):
    _, ropt = optimizers()
    M = torch.optim.lr_scheduler
    bad = {0: lambda: M.LambdaLR(ropt, [warmup]), 3: lambda: M.ConstantLR(ropt, factor=1.5),
           5: lambda: M.CosineAnnealingWarmRestarts(ropt, T_0=0),
           6: lambda: M.CosineAnnealingWarmRestarts(ropt, 10, T_mult=1.5),
           7: lambda: M.CyclicLR(ropt, 0.01, 0.1, mode="cosine"),
           8: lambda: M.CyclicLR(ropt, [0.01], 0.1), 10: lambda: M.ChainedScheduler([]),
           11: lambda: M.ChainedScheduler([M.StepLR(ropt, 2), M.ReduceLROnPlateau(ropt)]),
           12: lambda: M.ChainedScheduler([M.StepLR(ropt, 2), M.StepLR(optimizers()[1], 2)])}
    with pytest.raises((ValueError, TypeError)):
        bad[index]()


def test_cyclic_momentum_needs_an_optimizer_with_momentum():
    opt, ropt = optimizers("Adagrad")
    with pytest.raises(ValueError):
        torch.optim.lr_scheduler.CyclicLR(ropt, 0.01, 0.1)
    with pytest.raises(ValueError, match="CyclicLR: cycle_momentum needs an optimizer with "
                                         "momentum or betas, got Adagrad"):
        S.CyclicLR(opt, 0.01, 0.1)
