"""Bad hyper-parameters are refused, one `HyperParameterError` each, naming the class and the
argument: every optimizer × every numeric hyper-parameter × NaN, ±inf, and the finite values
outside its range; every scheduler × its numeric arguments; a bad lr set through
``add_param_group``, ``param_groups`` or ``load_state_dict``; schedules that compute a
non-finite lr.  The ranges are PyTorch's (checked against torch.optim: where tidu refuses a
finite value, PyTorch refuses it too, unless listed in TIDU_STRICTER), plus finiteness, which
PyTorch does not check.  Valid edge values PyTorch accepts (lr=0, momentum=0, eps=0, …) still
work and step like PyTorch's."""
import inspect
import math

import numpy as np
import pytest
import torch

import tidu
from tidu.errors import HyperParameterError
from tidu.nn import Parameter
from tidu.optim import lr_scheduler as S

from .test_optimizers import assert_same_params, backward_ours, make, make_torch, models, step_both

NAN, INF = math.nan, math.inf
NOT_NUMBERS = ["0.1", True, None, [0.1]]

# The ranges, written out here independently of tidu's tables, and the bad values each implies
NON_NEGATIVE = [NAN, INF, -INF, -1e-3, -1.0]
POSITIVE = [NAN, INF, -INF, 0.0, -1.0]
ANY_REAL = [NAN, INF, -INF]
UNIT = [NAN, INF, -INF, -0.1, 1.5]              # [0, 1]
UNIT_OPEN = [NAN, INF, -INF, -0.1, 1.0, 1.5]     # [0, 1)

CLIPPING = {"clipnorm": POSITIVE, "clipvalue": POSITIVE}  # None or > 0
ADAM = {"lr": NON_NEGATIVE, "eps": NON_NEGATIVE, "weight_decay": NON_NEGATIVE,
        "betas": "pair", **CLIPPING}
RANGES = {
    "SGD": {"lr": NON_NEGATIVE, "momentum": NON_NEGATIVE, "dampening": ANY_REAL,
            "weight_decay": NON_NEGATIVE, **CLIPPING},
    "Adagrad": {"lr": NON_NEGATIVE, "lr_decay": NON_NEGATIVE, "weight_decay": NON_NEGATIVE,
                "initial_accumulator_value": NON_NEGATIVE, "eps": NON_NEGATIVE, **CLIPPING},
    "Adadelta": {"lr": NON_NEGATIVE, "rho": UNIT, "eps": NON_NEGATIVE,
                 "weight_decay": NON_NEGATIVE, **CLIPPING},
    "RMSprop": {"lr": NON_NEGATIVE, "alpha": UNIT, "eps": NON_NEGATIVE,
                "weight_decay": NON_NEGATIVE, "momentum": NON_NEGATIVE, **CLIPPING},
    "Adam": ADAM,
    "AdamW": ADAM,
    "NAdam": {**ADAM, "momentum_decay": NON_NEGATIVE},
}
# finite values tidu refuses and PyTorch accepts: clipping is not a torch.optim argument;
# RMSprop's alpha > 1 makes the running mean of g² negative (√ then gives nan)
TIDU_STRICTER = {("RMSprop", "alpha", 1.5)}
BAD_BETAS = [(NAN, 0.999), (0.9, INF), (-INF, 0.999), (1.0, 0.999), (0.9, 1.0), (-0.1, 0.999),
             (0.9, -0.1)]
BAD_BETA_SHAPES = [0.9, (0.9,), (0.9, 0.99, 0.999), "ab"]


def _bad_cases():
    for name, ranges in RANGES.items():
        for arg, bad in ranges.items():
            if bad == "pair":
                for betas in BAD_BETAS:
                    index = 0 if not (math.isfinite(betas[0]) and 0 <= betas[0] < 1) else 1
                    yield name, arg, betas, f"betas[{index}]"
                for betas in BAD_BETA_SHAPES:
                    yield name, arg, betas, "betas"
                continue
            for value in bad + NOT_NUMBERS:
                if value is None and arg in CLIPPING:
                    continue  # None means no clipping
                yield name, arg, value, arg


BAD_CASES = list(_bad_cases())


def _refused(name, arg, value, words):
    ours, _ = models()
    with pytest.raises(HyperParameterError) as caught:
        make(name, ours.parameters(), **{arg: value})
    message = str(caught.value)
    assert message.startswith(f"{name}: {words}"), message
    return message


@pytest.mark.parametrize("name, arg, value, words", BAD_CASES,
                         ids=[f"{n}-{a}={v!r}" for n, a, v, _ in BAD_CASES])
def test_every_bad_hyper_parameter_is_refused_naming_the_optimizer_and_argument(name, arg, value,
                                                                                 words):
    message = _refused(name, arg, value, words)
    assert "must be" in message and "got" in message  # the expected range, the value
    finite = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                 for v in (value if isinstance(value, tuple) else (value,)))
    if finite and arg not in CLIPPING and (name, arg, value) not in TIDU_STRICTER \
            and not (arg == "betas" and value in BAD_BETA_SHAPES):
        _, ref = models()
        with pytest.raises(ValueError):  # PyTorch refuses the same finite value
            make_torch(name, ref.parameters(), **{arg: value})


@pytest.mark.parametrize("name", RANGES)
def test_the_table_above_covers_every_numeric_argument(name):
    """A numeric argument added to an optimizer must be added to RANGES (and to its class's
    ``hyper_ranges``) too."""
    cls = getattr(tidu.optim, name)
    signature = inspect.signature(cls.__init__).parameters.values()
    numeric = {p.name for p in signature
               if p.name not in ("self", "params") and not isinstance(p.default, (bool, str))}
    assert numeric == set(RANGES[name]) == set(cls.hyper_ranges)


# --------------------------------------------------------------------------- valid edges
EDGES = [
    ("SGD", dict(lr=0.0)),
    ("SGD", dict(lr=0.1, momentum=0.0, weight_decay=0.0, dampening=0.0)),
    ("SGD", dict(lr=0.01, momentum=1.0)),                  # PyTorch accepts momentum ≥ 1
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=-0.5)),   # and any dampening
    ("SGD", dict(lr=1)),                                   # an int
    ("Adagrad", dict(lr=0.0, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0)),
    ("Adagrad", dict(eps=0.0, initial_accumulator_value=0.1)),
    ("Adadelta", dict(rho=0.0)),
    ("Adadelta", dict(rho=1.0, eps=1e-6)),
    ("Adadelta", dict(lr=0.0, eps=0.0, weight_decay=0.0)),
    ("RMSprop", dict(alpha=0.0)),
    ("RMSprop", dict(alpha=1.0, eps=1e-3)),
    ("RMSprop", dict(lr=0.0, momentum=0.0, weight_decay=0.0)),
    ("Adam", dict(lr=0.0, weight_decay=0.0)),
    ("Adam", dict(betas=(0.0, 0.0))),
    ("Adam", dict(betas=[0.5, 0.5])),                      # a list, as PyTorch takes it
    ("Adam", dict(eps=0.0)),                               # PyTorch accepts eps = 0
    ("AdamW", dict(weight_decay=0.0)),
    ("NAdam", dict(momentum_decay=0.0, eps=0.0)),
]


@pytest.mark.parametrize("name, kwargs", EDGES, ids=[f"{n}-{k}" for n, k in EDGES])
def test_valid_edge_values_still_step_as_pytorch(name, kwargs):
    ours, ref = models()
    opt, ropt = make(name, ours.parameters(), **kwargs), make_torch(name, ref.parameters(), **kwargs)
    rng = np.random.default_rng(0)
    for _ in range(3):
        step_both(ours, ref, opt, ropt, rng.standard_normal((16, 4)), rng.standard_normal((16, 3)))
    assert_same_params(ours, ref, f"{name}{kwargs}", rtol=1e-6)


def test_zero_d_arrays_and_tensors_are_accepted_as_numbers():
    ours, _ = models()
    opt = tidu.optim.SGD(ours.parameters(), lr=np.float32(0.5), momentum=np.array(0.9))
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.9)
    opt = tidu.optim.Adam(ours.parameters(), lr=tidu.tensor(0.01), betas=(np.float64(0.8), 0.9))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)
    assert opt.param_groups[0]["betas"] == (0.8, 0.9)


# --------------------------------------------------------------------------- groups
@pytest.mark.parametrize("value", [NAN, INF, -INF, -0.1])
@pytest.mark.parametrize("name", RANGES)
def test_a_bad_lr_through_add_param_group_is_refused(name, value):
    ours, _ = models()
    opt = make(name, ours[0].parameters())
    with pytest.raises(HyperParameterError, match=f"^{name}: lr must be"):
        opt.add_param_group({"params": ours[2].parameters(), "lr": value})
    assert len(opt.param_groups) == 1
    with pytest.raises(HyperParameterError, match=f"^{name}: lr must be"):
        make(name, [{"params": ours[0].parameters()}, {"params": ours[2].parameters(), "lr": value}])


@pytest.mark.parametrize("value", [NAN, INF, -INF, -0.1, "0.1"])
@pytest.mark.parametrize("name", RANGES)
def test_a_bad_lr_set_in_param_groups_is_refused_by_the_next_step(name, value):
    ours, _ = models()
    opt = make(name, ours.parameters())
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 4)), rng.standard_normal((16, 3))
    backward_ours(ours, x, y)
    opt.step()
    before = {k: v.clone() for k, v in ours.state_dict().items()}
    opt.param_groups[0]["lr"] = value
    with pytest.raises(HyperParameterError, match=f"^{name}: lr must be"):
        opt.step()
    for k, v in ours.state_dict().items():  # nothing was updated with the bad rate
        np.testing.assert_array_equal(v, before[k], err_msg=k)
    opt.param_groups[0]["lr"] = 1e-3  # a good value again: stepping goes on
    opt.step()


def test_other_hyper_parameters_set_in_param_groups_are_refused_too():
    ours, _ = models()
    opt = tidu.optim.Adam(ours.parameters())
    opt.param_groups[0]["betas"] = (0.9, 1.0)
    with pytest.raises(HyperParameterError, match=r"^Adam: betas\[1\] must be in \[0, 1\)"):
        opt.step()
    sgd = tidu.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    sgd.param_groups[0]["momentum"] = 0.0  # breaks nesterov's rule
    with pytest.raises(HyperParameterError, match="^SGD: nesterov needs momentum > 0"):
        sgd.step()
    sgd.param_groups[0]["momentum"] = np.ones(3)  # an array put there by hand
    with pytest.raises(HyperParameterError, match="^SGD: momentum must be a real number"):
        sgd.step()


@pytest.mark.parametrize("value", [NAN, INF, -1.0])
def test_a_bad_lr_in_a_loaded_state_dict_is_refused_and_changes_nothing(value):
    ours, _ = models()
    opt = tidu.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    state = opt.state_dict()
    state["param_groups"][0]["lr"] = value
    with pytest.raises(HyperParameterError, match="^SGD: lr must be"):
        opt.load_state_dict(state)
    assert opt.param_groups[0]["lr"] == 0.1


# --------------------------------------------------------------------------- schedulers
def _optimizer(name="SGD", **kwargs):
    ps = [Parameter(np.ones(3)), Parameter(np.ones(2))]
    return getattr(tidu.optim, name)([{"params": [ps[0]], "lr": 0.1},
                                      {"params": [ps[1]], "lr": 0.05}], **kwargs)


COUNT1 = [0, -1, 2.5, NAN, INF, "3", True]       # an int ≥ 1
COUNT0 = [-1, 2.5, NAN, INF, "3", True]          # an int ≥ 0
LAST_EPOCH = [-2, 0.5, NAN, INF, "0"]            # an int ≥ −1
NUMBER_NON_NEGATIVE = NON_NEGATIVE + ["0.1", True]
NUMBER_POSITIVE = POSITIVE + ["0.1", True]
NUMBER_UNIT = UNIT + ["0.1", True]
NUMBER_UNIT_OPEN = UNIT_OPEN + ["0.1", True]
FACTOR_HALF_OPEN = [NAN, INF, -INF, 0.0, -0.1, 1.5, "1", True]  # (0, 1]

# (scheduler class, a factory taking the optimizer and the argument, argument, bad values)
SCHEDULER_CASES = [
    (S.StepLR, lambda o, v: S.StepLR(o, step_size=v), "step_size", COUNT1),
    (S.StepLR, lambda o, v: S.StepLR(o, 2, gamma=v), "gamma", NUMBER_NON_NEGATIVE),
    (S.StepLR, lambda o, v: S.StepLR(o, 2, last_epoch=v), "last_epoch", LAST_EPOCH),
    (S.MultiStepLR, lambda o, v: S.MultiStepLR(o, [3, v]), "milestones[1]", COUNT0),
    (S.MultiStepLR, lambda o, v: S.MultiStepLR(o, [3], gamma=v), "gamma", NUMBER_NON_NEGATIVE),
    (S.ExponentialLR, lambda o, v: S.ExponentialLR(o, gamma=v), "gamma", NUMBER_NON_NEGATIVE),
    (S.ExponentialLR, lambda o, v: S.ExponentialLR(o, 0.9, last_epoch=v), "last_epoch",
     LAST_EPOCH),
    (S.CosineAnnealingLR, lambda o, v: S.CosineAnnealingLR(o, T_max=v), "T_max", COUNT1),
    (S.CosineAnnealingLR, lambda o, v: S.CosineAnnealingLR(o, 10, eta_min=v), "eta_min",
     NUMBER_NON_NEGATIVE),
    (S.LinearLR, lambda o, v: S.LinearLR(o, start_factor=v), "start_factor", FACTOR_HALF_OPEN),
    (S.LinearLR, lambda o, v: S.LinearLR(o, end_factor=v), "end_factor", NUMBER_UNIT),
    (S.LinearLR, lambda o, v: S.LinearLR(o, total_iters=v), "total_iters", COUNT1),
    (S.SequentialLR, lambda o, v: S.SequentialLR(o, [S.StepLR(o, 2), S.ExponentialLR(o, 0.9)],
                                                 milestones=[v]), "milestones[0]", COUNT0),
    (S.SequentialLR, lambda o, v: S.SequentialLR(o, [S.StepLR(o, 2)], [], last_epoch=v),
     "last_epoch", LAST_EPOCH),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, max_lr=v, total_steps=10), "max_lr",
     NUMBER_NON_NEGATIVE),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, max_lr=[0.1, v], total_steps=10), "max_lr[1]",
     NUMBER_NON_NEGATIVE),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, 0.1, total_steps=v), "total_steps", COUNT1),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, 0.1, epochs=v, steps_per_epoch=5), "epochs",
     COUNT1),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=v),
     "steps_per_epoch", COUNT1),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, 0.1, 10, pct_start=v), "pct_start", NUMBER_UNIT),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, 0.1, 10, div_factor=v), "div_factor",
     NUMBER_POSITIVE),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, 0.1, 10, final_div_factor=v), "final_div_factor",
     NUMBER_POSITIVE),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, 0.1, 10, base_momentum=v), "base_momentum",
     NUMBER_NON_NEGATIVE),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, 0.1, 10, max_momentum=v), "max_momentum",
     NUMBER_NON_NEGATIVE),
    (S.OneCycleLR, lambda o, v: S.OneCycleLR(o, 0.1, 10, last_epoch=v), "last_epoch",
     LAST_EPOCH),
    (S.ReduceLROnPlateau, lambda o, v: S.ReduceLROnPlateau(o, factor=v), "factor",
     NUMBER_UNIT_OPEN),
    (S.ReduceLROnPlateau, lambda o, v: S.ReduceLROnPlateau(o, patience=v), "patience", COUNT0),
    (S.ReduceLROnPlateau, lambda o, v: S.ReduceLROnPlateau(o, cooldown=v), "cooldown", COUNT0),
    (S.ReduceLROnPlateau, lambda o, v: S.ReduceLROnPlateau(o, threshold=v), "threshold",
     NUMBER_NON_NEGATIVE),
    (S.ReduceLROnPlateau, lambda o, v: S.ReduceLROnPlateau(o, eps=v), "eps", NUMBER_NON_NEGATIVE),
    (S.ReduceLROnPlateau, lambda o, v: S.ReduceLROnPlateau(o, min_lr=v), "min_lr",
     NUMBER_NON_NEGATIVE),
    (S.ReduceLROnPlateau, lambda o, v: S.ReduceLROnPlateau(o, min_lr=[0.0, v]), "min_lr[1]",
     NUMBER_NON_NEGATIVE),
    (S.WarmupCosineLR, lambda o, v: S.warmup_cosine(o, warmup_steps=v, total_steps=100),
     "warmup_steps", COUNT0),
    (S.WarmupCosineLR, lambda o, v: S.warmup_cosine(o, 5, total_steps=v), "total_steps",
     COUNT1 + [5, 3]),
    (S.WarmupCosineLR, lambda o, v: S.warmup_cosine(o, 5, 100, min_lr=v), "min_lr",
     NUMBER_NON_NEGATIVE),
    (S.WarmupCosineLR, lambda o, v: S.WarmupCosineLR(o, 5, 100, last_epoch=v), "last_epoch",
     LAST_EPOCH),
]
SCHEDULER_BAD = [(cls, build, arg, value) for cls, build, arg, values in SCHEDULER_CASES
                 for value in values]


@pytest.mark.parametrize("cls, build, arg, value", SCHEDULER_BAD,
                         ids=[f"{c.__name__}-{a}={v!r}" for c, _, a, v in SCHEDULER_BAD])
def test_every_bad_scheduler_argument_is_refused_naming_the_scheduler_and_argument(cls, build,
                                                                                    arg, value):
    opt = _optimizer()
    lrs = [g["lr"] for g in opt.param_groups]
    with pytest.raises(HyperParameterError) as caught:
        build(opt, value)
    message = str(caught.value)
    assert message.startswith(f"{cls.__name__}: {arg} must be"), message
    assert [g["lr"] for g in opt.param_groups] == lrs  # refused before touching the optimizer


def test_one_cycle_momentum_of_adam_is_beta1_so_below_1():
    with pytest.raises(HyperParameterError, match=r"^OneCycleLR: max_momentum must be in \[0, 1\)"):
        S.OneCycleLR(_optimizer("Adam"), 0.1, 10, max_momentum=1.0)
    S.OneCycleLR(_optimizer("SGD"), 0.1, 10, max_momentum=1.0)  # SGD's momentum may reach 1


SCHEDULER_EDGES = [
    ("StepLR", dict(step_size=1, gamma=0.0)),
    ("MultiStepLR", dict(milestones=[0, 2, 2], gamma=0.0)),
    ("ExponentialLR", dict(gamma=0.0)),
    ("ExponentialLR", dict(gamma=1.5)),
    ("CosineAnnealingLR", dict(T_max=1, eta_min=0.0)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.0, total_iters=1)),
    ("OneCycleLR", dict(max_lr=0.0, total_steps=1)),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=10, pct_start=0.0)),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=10, pct_start=1.0, base_momentum=0.0)),
]


@pytest.mark.parametrize("name, kwargs", SCHEDULER_EDGES, ids=[f"{n}-{k}" for n, k in SCHEDULER_EDGES])
def test_valid_edge_scheduler_arguments_give_pytorch_s_rates(name, kwargs):
    opt = _optimizer("SGD", momentum=0.9)
    ps = [torch.ones(3, requires_grad=True), torch.ones(2, requires_grad=True)]
    ropt = torch.optim.SGD([{"params": [ps[0]], "lr": 0.1}, {"params": [ps[1]], "lr": 0.05}],
                           momentum=0.9)
    ours, ref = getattr(S, name)(opt, **kwargs), getattr(torch.optim.lr_scheduler, name)(ropt, **kwargs)
    steps = kwargs.get("total_steps", 10) - 1
    for _ in range(steps):
        opt.step()
        ropt.step()
        ours.step()
        ref.step()
        np.testing.assert_allclose(ours.get_last_lr(), ref.get_last_lr(), rtol=1e-12)


def test_reduce_on_plateau_edges_follow_pytorch():
    opt = _optimizer()
    ours = S.ReduceLROnPlateau(opt, factor=0.0, patience=0, cooldown=0, threshold=0.0, eps=0.0)
    ref_opt = torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1)
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(ref_opt, factor=0.0, patience=0, cooldown=0,
                                                     threshold=0.0, eps=0.0)
    for metric in (1.0, 1.0, 0.5, 0.5):
        ours.step(metric)
        ref.step(metric)
        assert ours.get_last_lr()[0] == ref.get_last_lr()[0]


# --------------------------------------------------------------------------- computed rates
def test_a_schedule_that_overflows_to_inf_is_refused_before_the_optimizer_gets_it():
    opt = _optimizer()
    scheduler = S.ExponentialLR(opt, gamma=1e200)
    scheduler.step()  # 0.1 · 1e200: large but finite
    lrs = [g["lr"] for g in opt.param_groups]
    with pytest.raises(HyperParameterError,
                       match=r"^ExponentialLR: the lr it computed for param_groups\[0\] must be "
                             r"finite, got inf"):
        scheduler.step()
    assert [g["lr"] for g in opt.param_groups] == lrs


def test_one_cycle_whose_initial_lr_overflows_is_refused():
    with pytest.raises(HyperParameterError,
                       match=r"^OneCycleLR: the lr it computed for param_groups\[0\] must be "
                             r"finite, got inf"):
        S.OneCycleLR(_optimizer(), max_lr=0.1, total_steps=10, div_factor=1e-320)


@pytest.mark.parametrize("build", [lambda o: S.StepLR(o, 1, gamma=0.5),
                                   lambda o: S.ExponentialLR(o, 0.9),
                                   lambda o: S.CosineAnnealingLR(o, 10),
                                   lambda o: S.LinearLR(o, total_iters=10),
                                   lambda o: S.MultiStepLR(o, [1, 2])],
                         ids=["StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                              "MultiStepLR"])
@pytest.mark.parametrize("value", [NAN, INF])
def test_a_chained_schedule_on_a_non_finite_lr_set_by_hand_is_refused(build, value):
    opt = _optimizer()
    scheduler = build(opt)
    opt.param_groups[1]["lr"] = value
    with pytest.raises(HyperParameterError,
                       match=rf"^{type(scheduler).__name__}: the lr it computed for "
                             rf"param_groups\[1\] must be finite"):
        scheduler.step()
