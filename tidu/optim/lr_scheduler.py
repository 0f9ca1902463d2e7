"""Learning-rate schedules, as ``torch.optim.lr_scheduler``: same classes, arguments, defaults
and values (tests/optim/test_lr_scheduler.py compares 200 steps of each with PyTorch's).

Usage is PyTorch's: build the scheduler after the optimizer (it records each group's
``initial_lr`` and sets the first learning rate), call ``optimizer.step()`` then
``scheduler.step()`` — once per batch or once per epoch, as the schedule is meant
(``ReduceLROnPlateau.step(metric)`` once per validation).  ``get_last_lr()`` is the learning
rate of each group now, ``last_epoch`` the number of ``step()`` calls so far, and
``state_dict()`` / ``load_state_dict()`` hold plain numbers, lists and dicts (``tidu.save``
can store them).

Like PyTorch's, StepLR, MultiStepLR, ExponentialLR, LinearLR and CosineAnnealingLR are
*chainable*: each step multiplies the groups' current learning rates by a factor (the ratio of
consecutive values of the closed form), so they compose (SequentialLR) and equal PyTorch's
values to the last bit.  The closed form each one follows is in its docstring.  LambdaLR
(η₀·λ(t), the usual warm-up), MultiplicativeLR, ConstantLR, PolynomialLR,
CosineAnnealingWarmRestarts, CyclicLR and ChainedScheduler are PyTorch's too.

``step(epoch)`` (PyTorch's deprecated form) sets ``last_epoch`` and uses the closed form where
the schedule has one; CosineAnnealingWarmRestarts takes a fractional epoch there, as PyTorch
(``scheduler.step(epoch + i / iters)`` once per batch).
"""
from __future__ import annotations

import copy
import math
import types
import warnings
from bisect import bisect_right
from collections import Counter

from .._checks import check_number
from ..errors import HyperParameterError
from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LinearLR", "SequentialLR", "OneCycleLR", "ReduceLROnPlateau", "WarmupCosineLR",
           "warmup_cosine", "LambdaLR", "MultiplicativeLR", "ConstantLR", "PolynomialLR",
           "CosineAnnealingWarmRestarts", "CyclicLR", "ChainedScheduler"]


def _count(owner: str, name: str, value, low: int = 1) -> int:
    """A step count or index (``step_size``, ``T_max``, ``patience``…): an int ≥ ``low``."""
    return check_number(value, name, owner, low=low, integer=True)


def _check_last_epoch(owner: str, last_epoch) -> int:
    """``last_epoch``: -1 (a fresh start) or the index of the last step when resuming."""
    return _count(owner, "last_epoch", last_epoch, low=-1)


def _check_optimizer(owner: str, optimizer) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: expected a tidu.optim optimizer, got {type(optimizer).__name__}")


def _group_name(name: str, given, index: int) -> str:
    """``max_lr`` for a scalar argument, ``max_lr[1]`` for the second of a per-group list."""
    return f"{name}[{index}]" if isinstance(given, (list, tuple)) else name


def _per_group(owner: str, name: str, optimizer: Optimizer, value) -> list:
    """A scalar for every group, or a list with one value per group."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{owner}: {name} has {len(value)} values for {n} param groups")
        return list(value)
    return [value] * n


class LRScheduler:
    """Base class: subclasses give ``get_lr()`` (the next learning rates, from the groups'
    current ones when chainable) and optionally ``_get_closed_form_lr()`` (from ``base_lrs`` and
    ``last_epoch`` alone)."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        _check_optimizer(type(self).__name__, optimizer)
        _check_last_epoch(type(self).__name__, last_epoch)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: resuming with last_epoch={last_epoch} "
                                   f"needs 'initial_lr' in param_groups[{i}]: load the "
                                   f"optimizer's state_dict first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one (call after ``optimizer.step()``).  ``epoch`` (deprecated
        in PyTorch, which warns; tidu warns too) jumps to that ``last_epoch`` instead, through
        the closed form where the schedule has one."""
        self._step_count += 1
        if epoch is not None:
            warnings.warn(f"{type(self).__name__}.step(epoch) is deprecated (as in PyTorch): "
                          f"call step() once per step", UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        values = [self._checked_lr(i, lr) for i, lr in enumerate(values)]
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _checked_lr(self, index: int, lr):
        """A learning rate this schedule computed for ``param_groups[index]``, refused if it is
        negative, NaN or infinite (ExponentialLR with a huge γ overflows after a few steps;
        OneCycleLR with a tiny div_factor starts at inf) before it reaches the optimizer."""
        return check_number(lr, f"the lr it computed for param_groups[{index}]",
                            type(self).__name__)

    def get_lr(self) -> list:
        raise NotImplementedError

    def get_last_lr(self) -> list:
        """The learning rate of each param group, as last set by this scheduler."""
        return list(self._last_lr)

    def _current_lrs(self) -> list:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """Every attribute but the optimizer (a copy)."""
        return self._own_state()

    def _own_state(self, *also_skip: str) -> dict:
        """A copy of the attributes but the optimizer and ``also_skip``."""
        skip = ("optimizer", "_is_initial") + also_skip
        return copy.deepcopy({k: v for k, v in self.__dict__.items() if k not in skip})

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(copy.deepcopy(state_dict))


class StepLR(LRScheduler):
    """η ← γ·η every ``step_size`` steps: η_t = η₀ · γ^⌊t / step_size⌋ (default γ = 0.1)."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        _count("StepLR", "step_size", step_size)
        check_number(gamma, "gamma", "StepLR")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """η ← γ·η at each milestone: η_t = η₀ · γ^(number of milestones ≤ t) (default γ = 0.1;
    a milestone listed twice decays twice)."""

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        milestones = list(milestones)
        for i, m in enumerate(milestones):
            _count("MultiStepLR", f"milestones[{i}]", m, low=0)
        check_number(gamma, "gamma", "MultiStepLR")
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base in self.base_lrs]

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        self.milestones = Counter(self.milestones)  # tidu.load gives back a plain dict


class ExponentialLR(LRScheduler):
    """η ← γ·η every step: η_t = η₀ · γᵗ."""

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        check_number(gamma, "gamma", "ExponentialLR")
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing (SGDR without restarts).  Closed form::

        η_t = η_min + (η₀ − η_min) · (1 + cos(π t / T_max)) / 2

    computed, as PyTorch does, recursively — η_t = η_min + (η_{t−1} − η_min) ·
    (1 + cos(π t/T_max)) / (1 + cos(π (t−1)/T_max)) — so that it chains with other schedulers;
    past T_max the cosine continues (the rate climbs back up over the next T_max steps).
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        _count("CosineAnnealingLR", "T_max", T_max)
        check_number(eta_min, "eta_min", "CosineAnnealingLR")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:  # resumed with last_epoch ≥ 0
            return [eta_min + (base - eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                    for base in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:  # at the bottom, where the ratio would be 0/0
            return [lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base, lr in zip(self.base_lrs, self._current_lrs())]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale η₀ by a factor going linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` steps, then stay (defaults 1/3, 1.0, 5)::

        η_t = η₀ · (s + (e − s) · min(t, total_iters) / total_iters)

    With ``start_factor`` small and ``end_factor`` 1 it is a linear warm-up.
    """

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        check_number(start_factor, "start_factor", "LinearLR", low_open=True, high=1.0)
        check_number(end_factor, "end_factor", "LinearLR", high=1.0)
        _count("LinearLR", "total_iters", total_iters)
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        s, e, n, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            return [lr * s for lr in self._current_lrs()]
        if self._is_initial or t > n:
            return self._current_lrs()
        factor = 1.0 + (e - s) / (n * s + (t - 1) * (e - s))
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        s, e, n = self.start_factor, self.end_factor, self.total_iters
        return [base * (s + (e - s) * min(n, self.last_epoch) / n) for base in self.base_lrs]


class _Composite:
    """The state of a scheduler made of schedulers (`SequentialLR`, `ChainedScheduler`): its
    own fields plus each inner scheduler's state_dict, in order."""

    def state_dict(self) -> dict:
        state = self._own_state("_schedulers")
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)
        inner = state.pop("_schedulers")
        self.__dict__.update(copy.deepcopy(state))
        for scheduler, s in zip(self._schedulers, inner):
            scheduler.load_state_dict(s)


class SequentialLR(_Composite, LRScheduler):
    """Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]`` (restarted at its
    step 0) until ``milestones[1]``, and so on — e.g. a LinearLR warm-up then CosineAnnealingLR.
    All must belong to ``optimizer``; ReduceLROnPlateau cannot be one of them."""

    def __init__(self, optimizer, schedulers: list, milestones: list, last_epoch: int = -1):
        _check_optimizer("SequentialLR", optimizer)
        _check_last_epoch("SequentialLR", last_epoch)
        for i, milestone in enumerate(milestones):
            _count("SequentialLR", f"milestones[{i}]", milestone, low=0)
        if len(schedulers) < 1:
            raise ValueError("SequentialLR: expected at least one scheduler, got none")
        for i, scheduler in enumerate(schedulers):
            if isinstance(scheduler, ReduceLROnPlateau) or not isinstance(scheduler, LRScheduler):
                raise ValueError(f"SequentialLR: schedulers[{i}] is a {type(scheduler).__name__}; "
                                 f"expected a step()-only LRScheduler (not ReduceLROnPlateau)")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"SequentialLR: schedulers[{i}] ({type(scheduler).__name__}) "
                                 f"belongs to another optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: expected {len(schedulers) - 1} milestones for "
                             f"{len(schedulers)} schedulers, got {len(milestones)}")
        self._schedulers = schedulers
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # undo the schedulers' own initial steps
            group["lr"] = group["initial_lr"]
        for scheduler in schedulers:
            scheduler.last_epoch -= 1
        index = bisect_right(self._milestones, 0)
        self._schedulers[index]._initial_step()
        self._last_lr = schedulers[index].get_last_lr()

    def step(self) -> None:
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)  # restart it from its closed form at its step 0
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()



class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin 2017), PyTorch's (fastai's) version: over
    ``total_steps`` steps (or ``epochs · steps_per_epoch``), the rate anneals from
    η_init = max_lr / div_factor up to max_lr during the first ``pct_start`` of the steps, then
    down to η_min = η_init / final_div_factor; with ``three_phase`` it goes back down to
    η_init by step 2·pct_start·total − 2 and only then to η_min.  Each phase anneals from its
    start value a to its end value b with pct ∈ [0, 1] of the phase done::

        cos:     b + (a − b)·(1 + cos(π·pct)) / 2
        linear:  a + (b − a)·pct

    With ``cycle_momentum`` the momentum (SGD's / RMSprop's ``momentum``, or β1 of Adam-type
    ``betas``) moves inversely, between ``max_momentum`` and ``base_momentum``.  Defaults:
    pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85,
    max_momentum=0.95, div_factor=25, final_div_factor=1e4, three_phase=False.  Not
    chainable; stepping past ``total_steps`` raises.
    """

    def __init__(self, optimizer, max_lr, total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1):
        owner = "OneCycleLR"
        _check_optimizer(owner, optimizer)
        _check_last_epoch(owner, last_epoch)
        self.optimizer = optimizer
        if total_steps is not None:
            self.total_steps = _count(owner, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (_count(owner, "epochs", epochs)
                                * _count(owner, "steps_per_epoch", steps_per_epoch))
        else:
            raise HyperParameterError(f"{owner}: give total_steps, or both epochs and "
                                      f"steps_per_epoch")
        check_number(pct_start, "pct_start", owner, high=1.0)
        check_number(div_factor, "div_factor", owner, low_open=True)
        check_number(final_div_factor, "final_div_factor", owner, low_open=True)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{owner}: anneal_strategy must be 'cos' or 'linear', got "
                             f"anneal_strategy={anneal_strategy!r}")
        self._anneal_func_type = anneal_strategy
        if three_phase:
            self._schedule_phases = [
                {"end_step": float(pct_start * self.total_steps) - 1, "start_lr": "initial_lr",
                 "end_lr": "max_lr", "start_momentum": "max_momentum",
                 "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct_start * self.total_steps) - 2, "start_lr": "max_lr",
                 "end_lr": "initial_lr", "start_momentum": "base_momentum",
                 "end_momentum": "max_momentum"},
                {"end_step": self.total_steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]
        else:
            self._schedule_phases = [
                {"end_step": float(pct_start * self.total_steps) - 1, "start_lr": "initial_lr",
                 "end_lr": "max_lr", "start_momentum": "max_momentum",
                 "end_momentum": "base_momentum"},
                {"end_step": self.total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]
        max_lrs = _per_group(owner, "max_lr", optimizer, max_lr)
        for i, lr in enumerate(max_lrs):
            check_number(lr, _group_name("max_lr", max_lr, i), owner)
        if last_epoch == -1:
            for lr, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"{owner}: cycle_momentum needs an optimizer with momentum or "
                                 f"betas, got {type(optimizer).__name__}; pass "
                                 f"cycle_momentum=False")
            self.use_beta1 = "betas" in optimizer.defaults
            max_momenta = _per_group(owner, "max_momentum", optimizer, max_momentum)
            base_momenta = _per_group(owner, "base_momentum", optimizer, base_momentum)
            # the cycled value becomes SGD's / RMSprop's momentum (≥ 0) or Adam's β1 ([0, 1))
            momentum_range = dict(high=1.0, high_open=True) if self.use_beta1 else {}
            for name, given, values in (("max_momentum", max_momentum, max_momenta),
                                        ("base_momentum", base_momentum, base_momenta)):
                for i, value in enumerate(values):
                    check_number(value, _group_name(name, given, i), owner, **momentum_range)
            if last_epoch == -1:
                for high, low, group in zip(max_momenta, base_momenta, optimizer.param_groups):
                    if self.use_beta1:
                        group["betas"] = (high, *group["betas"][1:])
                    else:
                        group["momentum"] = high
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: stepped {step} times, beyond total_steps="
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]],
                                                group[phase["end_momentum"]], pct)
                    break
                start_step = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs


class ReduceLROnPlateau(LRScheduler):
    """Multiply the learning rate by ``factor`` once the monitored metric has not improved for
    more than ``patience`` calls of ``step(metric)``.

    Improvement (``mode`` 'min' or 'max', ``threshold_mode`` 'rel' or 'abs', threshold τ):
    'min'/'rel': m < best·(1 − τ); 'min'/'abs': m < best − τ; 'max'/'rel': m > best·(1 + τ);
    'max'/'abs': m > best + τ.  After a reduction, ``cooldown`` calls pass in which bad calls
    are not counted.  The new rate is max(η·factor, min_lr) and is applied only if it differs
    from η by more than ``eps``.  Defaults (PyTorch's): mode='min', factor=0.1, patience=10,
    threshold=1e-4, threshold_mode='rel', cooldown=0, min_lr=0 (a number, or one per group),
    eps=1e-8.
    """

    def __init__(self, optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr=0.0, eps: float = 1e-8):
        owner = "ReduceLROnPlateau"
        _check_optimizer(owner, optimizer)
        check_number(factor, "factor", owner, high=1.0, high_open=True)
        _count(owner, "patience", patience, low=0)
        _count(owner, "cooldown", cooldown, low=0)
        check_number(threshold, "threshold", owner)
        check_number(eps, "eps", owner)
        self.optimizer = optimizer
        self.factor = factor
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = _per_group(owner, "min_lr", optimizer, min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        for i, lr in enumerate(self.min_lrs):
            check_number(lr, _group_name("min_lr", min_lr, i), owner)
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got mode={mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got "
                             f"threshold_mode={threshold_mode!r}")
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics) -> None:
        """Record this epoch's value of the monitored metric (a number or a 0-d tensor)."""
        current = float(metrics.item() if hasattr(metrics, "item") else metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer now has {len(groups)} "
                                   f"param groups, min_lr gave {len(self.min_lrs)}")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for i, (group, min_lr) in enumerate(zip(groups, self.min_lrs)):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = self._checked_lr(i, new)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)


class WarmupCosineLR(LRScheduler):
    r"""Linear warm-up, then cosine annealing to a floor.  With W = ``warmup_steps``,
    T = ``total_steps``, η₀ the group's initial lr and η_min = ``min_lr``, the rate of the
    s-th optimizer step (s = ``last_epoch`` + 1 = 1, 2, …) is::

        η_s = η₀ · s / W                                             for s ≤ W
        η_s = η_min + (η₀ − η_min) · (1 + cos(π (s − W) / (T − W))) / 2   for W < s ≤ T
        η_s = η_min                                                  for s > T

    so the first step runs at η₀/W (not 0), the W-th at η₀ (once), the T-th and later at
    η_min.  W = 0 is cosine annealing alone, whose first step already runs one step down the
    cosine, at η_min + (η₀ − η_min)·(1 + cos(π/T))/2.  A closed form (not chainable).
    """

    def __init__(self, optimizer, warmup_steps: int, total_steps: int, min_lr: float = 0.0,
                 last_epoch: int = -1):
        owner = "WarmupCosineLR"
        _check_optimizer(owner, optimizer)
        _check_last_epoch(owner, last_epoch)
        _count(owner, "warmup_steps", warmup_steps, low=0)
        _count(owner, "total_steps", total_steps)
        if total_steps <= warmup_steps:
            raise HyperParameterError(f"{owner}: total_steps must be an int > warmup_steps="
                                      f"{warmup_steps}, got {total_steps}")
        check_number(min_lr, "min_lr", owner)
        for i, group in enumerate(optimizer.param_groups):
            base = group.get("initial_lr", group["lr"]) if last_epoch != -1 else group["lr"]
            if min_lr > base:
                raise HyperParameterError(f"{owner}: min_lr={min_lr!r} is above the learning rate "
                                 f"{base!r} of param_groups[{i}]")
        self.warmup_steps, self.total_steps, self.min_lr = warmup_steps, total_steps, min_lr
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return self._get_closed_form_lr()

    def _get_closed_form_lr(self):
        s, W, T, floor = self.last_epoch + 1, self.warmup_steps, self.total_steps, self.min_lr
        if s <= W:
            return [base * s / W for base in self.base_lrs]
        if s >= T:
            return [floor for _ in self.base_lrs]
        cosine = (1 + math.cos(math.pi * (s - W) / (T - W))) / 2
        return [floor + (base - floor) * cosine for base in self.base_lrs]


def warmup_cosine(optimizer, warmup_steps: int, total_steps: int,
                  min_lr: float = 0.0) -> WarmupCosineLR:
    """A `WarmupCosineLR`: ``warmup_steps`` of linear warm-up to each group's lr, then cosine
    annealing down to ``min_lr`` at step ``total_steps`` (step once per batch)."""
    return WarmupCosineLR(optimizer, warmup_steps, total_steps, min_lr)


# --------------------------------------------------------------------------- PyTorch's other schedules
def _lambdas(owner: str, optimizer: Optimizer, lr_lambda) -> list:
    """One callable per param group: the one given for all, or a list with one per group."""
    n = len(optimizer.param_groups)
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != n:
            raise ValueError(f"{owner}: expected {n} lr_lambdas (one per param group), got "
                             f"{len(lr_lambda)}")
        lambdas = list(lr_lambda)
    else:
        lambdas = [lr_lambda] * n
    for i, fn in enumerate(lambdas):
        if not callable(fn):
            raise TypeError(f"{owner}: lr_lambda must be a function of the step (or a list of "
                            f"them), got {type(fn).__name__} for param_groups[{i}]")
    return lambdas


class _LambdaState:
    """state_dict as PyTorch's LambdaLR / MultiplicativeLR: a plain function or lambda is not
    saved (``None`` in its place; the scheduler built to load the state brings its own), a
    callable object's attributes (``__dict__``) are, and are loaded back into the new one's."""

    def state_dict(self) -> dict:
        state = self._own_state("lr_lambdas")
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType)
                               else copy.deepcopy(fn.__dict__) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)
        saved = state.pop("lr_lambdas")
        self.__dict__.update(copy.deepcopy(state))
        for fn, attributes in zip(self.lr_lambdas, saved):
            if attributes is not None:
                fn.__dict__.update(copy.deepcopy(attributes))


class LambdaLR(_LambdaState, LRScheduler):
    """η_t = η₀ · λ(t): the initial rate times ``lr_lambda(last_epoch)`` (one function for every
    group, or a list of one per group).  The common warm-up: ``LambdaLR(opt, lambda t:
    min(1.0, (t + 1) / warmup))``.  Not chainable (a closed form).  ``state_dict`` saves a
    function only if it is a callable object (its attributes), as PyTorch: a plain function or
    lambda must be passed again to the scheduler that loads the state."""

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        _check_optimizer("LambdaLR", optimizer)
        self.lr_lambdas = _lambdas("LambdaLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaState, LRScheduler):
    """η_t = η_{t−1} · λ(t) for t ≥ 1: each step multiplies the current rate by
    ``lr_lambda(last_epoch)`` (one function, or one per group); chainable.  ``state_dict`` as
    `LambdaLR`."""

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        _check_optimizer("MultiplicativeLR", optimizer)
        self.lr_lambdas = _lambdas("MultiplicativeLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, self._current_lrs())]


class ConstantLR(LRScheduler):
    """η_t = η₀ · factor for t < ``total_iters``, then η₀ (defaults factor=1/3, total_iters=5):
    a constant warm-up.  Chainable.  PyTorch accepts factor = 0 (and then divides by it at
    ``total_iters``); tidu asks for a factor in (0, 1]."""

    def __init__(self, optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1):
        check_number(factor, "factor", "ConstantLR", low_open=True, high=1.0)
        _count("ConstantLR", "total_iters", total_iters)
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """η_t = η₀ · (1 − min(t, total_iters) / total_iters)^power (defaults total_iters=5,
    power=1.0: a linear decay to 0); chainable (each step multiplies by the ratio of
    consecutive values)."""

    def __init__(self, optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1):
        _count("PolynomialLR", "total_iters", total_iters)
        check_number(power, "power", "PolynomialLR")
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, n = self.last_epoch, self.total_iters
        if self._is_initial or t > n:
            return self._current_lrs()
        factor = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** self.power
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
                ** self.power for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""SGDR (Loshchilov & Hutter 2017): cosine annealing restarted every T_i steps, the
    period growing by ``T_mult`` after each restart (T_0, T_0·T_mult, T_0·T_mult², …)::

        η = η_min + (η₀ − η_min) · (1 + cos(π·T_cur / T_i)) / 2

    T_cur counts the steps since the last restart.  ``step()`` advances it by 1; ``step(epoch)``
    sets the position directly and takes a fractional epoch (``step(epoch + i / iters)``
    per batch), as PyTorch — without a warning, that form is the intended one here.  Defaults
    T_mult=1, eta_min=0.  Not chainable.
    """

    def __init__(self, optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1):
        owner = "CosineAnnealingWarmRestarts"
        self.T_0 = _count(owner, "T_0", T_0)
        self.T_mult = _count(owner, "T_mult", T_mult)
        self.eta_min = check_number(eta_min, "eta_min", owner)
        self.T_i = T_0
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2 for base in self.base_lrs]

    def step(self, epoch=None) -> None:
        self._step_count += 1
        self._update_lr(epoch)

    def _update_lr(self, epoch=None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
        else:
            check_number(epoch, "epoch", "CosineAnnealingWarmRestarts.step")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:  # n restarts so far: T_0·(T_mult^n − 1)/(T_mult − 1) ≤ epoch
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        values = [self._checked_lr(i, lr) for i, lr in enumerate(self.get_lr())]
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = self._current_lrs()


_CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


class CyclicLR(LRScheduler):
    r"""Cyclical learning rates (Smith 2017): the rate goes linearly from ``base_lr`` up to
    ``max_lr`` in ``step_size_up`` steps and back down in ``step_size_down`` (default: the
    same), the height of the triangle scaled by ``scale_fn``.  With S = up + down, at step t::

        cycle = ⌊1 + t/S⌋;   x = 1 + t/S − cycle ∈ [0, 1)
        s = x/r  if x ≤ r  else  (x − 1)/(r − 1)        (r = up/S)
        η = base_lr + (max_lr − base_lr) · s · scale

    scale is 1 (``mode="triangular"``), 1/2^(cycle−1) (``"triangular2"``, halving each cycle)
    or γᵗ (``"exp_range"``), or ``scale_fn(cycle)`` / ``scale_fn(t)`` (``scale_mode`` 'cycle'
    or 'iterations') for your own.  With ``cycle_momentum`` (default True, as PyTorch) the
    momentum (SGD's / RMSprop's ``momentum``, or β1 of ``betas``) moves the opposite way, from
    ``max_momentum`` down to ``base_momentum`` and back; on an SGD built without momentum this
    turns momentum on (PyTorch does the same).  Defaults step_size_up=2000, mode='triangular',
    gamma=1.0, scale_mode='cycle', base_momentum=0.8, max_momentum=0.9.  Step once per batch.
    ``state_dict`` keeps a ``scale_fn`` only if it is a callable object (its attributes), as
    PyTorch.  Not chainable.
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular", gamma: float = 1.0,
                 scale_fn=None, scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum=0.8, max_momentum=0.9, last_epoch: int = -1):
        owner = "CyclicLR"
        _check_optimizer(owner, optimizer)
        _check_last_epoch(owner, last_epoch)
        self.optimizer = optimizer
        base_lrs = _per_group(owner, "base_lr", optimizer, base_lr)
        self.max_lrs = _per_group(owner, "max_lr", optimizer, max_lr)
        for name, given, values in (("base_lr", base_lr, base_lrs),
                                    ("max_lr", max_lr, self.max_lrs)):
            for i, value in enumerate(values):
                check_number(value, _group_name(name, given, i), owner)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        up = float(_count(owner, "step_size_up", step_size_up))
        down = float(_count(owner, "step_size_down", step_size_down)) \
            if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in _CYCLIC_MODES and scale_fn is None:
            raise ValueError(f"{owner}: mode must be one of {_CYCLIC_MODES} (or give scale_fn), "
                             f"got mode={mode!r}")
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"{owner}: scale_fn must be a function, got {type(scale_fn).__name__}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"{owner}: scale_mode must be 'cycle' or 'iterations', got "
                             f"scale_mode={scale_mode!r}")
        self.mode = mode
        self.gamma = check_number(gamma, "gamma", owner)
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_mode()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"{owner}: cycle_momentum needs an optimizer with momentum or "
                                 f"betas, got {type(optimizer).__name__}; pass "
                                 f"cycle_momentum=False")
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _per_group(owner, "base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group(owner, "max_momentum", optimizer, max_momentum)
            momentum_range = dict(high=1.0, high_open=True) if self.use_beta1 else {}
            for name, given, values in (("max_momentum", max_momentum, self.max_momentums),
                                        ("base_momentum", base_momentum, self.base_momentums)):
                for i, value in enumerate(values):
                    check_number(value, _group_name(name, given, i), owner, **momentum_range)
            if last_epoch == -1:
                for high, low, group in zip(self.max_momentums, self.base_momentums,
                                            optimizer.param_groups):
                    if self.use_beta1:
                        group["betas"] = (high, *group["betas"][1:])
                    else:
                        group["momentum"] = high
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_mode(self) -> None:
        if self._scale_fn_custom is None:  # the built-in modes fix their scale_mode
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x) -> float:
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base + (high - base) * scale_factor * scale
               for base, high in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, low, high in zip(self.optimizer.param_groups, self.base_momentums,
                                        self.max_momentums):
                momentum = high - (high - low) * scale_factor * scale
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs

    def state_dict(self) -> dict:
        fn = self._scale_fn_custom
        state = self._own_state("_scale_fn_custom")
        state["_scale_fn_custom"] = None if fn is None or isinstance(fn, types.FunctionType) \
            else copy.deepcopy(fn.__dict__)
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)
        saved = state.pop("_scale_fn_custom", None)
        self.__dict__.update(copy.deepcopy(state))
        if saved is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(copy.deepcopy(saved))
        self._init_scale_mode()


class ChainedScheduler(_Composite, LRScheduler):
    """Step several schedulers of one optimizer together, every step: their (chainable)
    factors multiply, e.g. ``ChainedScheduler([ConstantLR(opt, 0.1, total_iters=2),
    ExponentialLR(opt, 0.9)])``.  ``optimizer`` defaults to the first scheduler's;
    ReduceLROnPlateau cannot be one of them."""

    def __init__(self, schedulers, optimizer=None):
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError("ChainedScheduler: expected at least one scheduler, got none")
        for i, scheduler in enumerate(schedulers):
            if isinstance(scheduler, ReduceLROnPlateau) or not isinstance(scheduler, LRScheduler):
                raise ValueError(f"ChainedScheduler: schedulers[{i}] is a "
                                 f"{type(scheduler).__name__}; expected a step()-only "
                                 f"LRScheduler (not ReduceLROnPlateau)")
        optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
        _check_optimizer("ChainedScheduler", optimizer)
        for i, scheduler in enumerate(schedulers):
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"ChainedScheduler: schedulers[{i}] "
                                 f"({type(scheduler).__name__}) belongs to another optimizer")
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = self._current_lrs()

    def step(self) -> None:
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()

