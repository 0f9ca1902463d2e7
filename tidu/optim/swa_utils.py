"""Stochastic Weight Averaging and EMA, as ``torch.optim.swa_utils``: `AveragedModel`,
`SWALR`, `update_bn` and the averaging functions.

`AveragedModel` follows PyTorch's CPU arithmetic, so the averaged weights equal PyTorch's to
the last bit for its default SWA (W̄ ← W̄ + (W − W̄)/(n+1), on every tidu device) and for
``avg_fn`` functions; `get_ema_multi_avg_fn` and `get_swa_multi_avg_fn` are PyTorch's lerp,
whose vectorized CPU kernel fuses the multiply-add, so they may differ by an ulp.
"""
from __future__ import annotations

import copy
import itertools
import math

import numpy as np

from ..backend import to_device, device_of, normalize_device
from ..errors import ArgumentError
from ..nn.modules.module import Module
from ..nn.modules.normalization import _BatchNorm
from ..tensor import Tensor, no_grad
from .lr_scheduler import LRScheduler, _check_optimizer, _per_group

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         f"[0,1] range.")


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """start ← start + w·(end − start) for |w| < 0.5, else end − (1 − w)·(end − start), in
    place and in start's dtype (PyTorch's lerp, the form that is exact at each end)."""
    w = start.dtype.type(weight)
    diff = end - start
    if abs(w) < 0.5:
        start += w * diff
    else:
        start[...] = end - diff * (start.dtype.type(1) - w)


def get_ema_multi_avg_fn(decay: float = 0.999):
    """``fn(ema_list, model_list, n)``: in place W_ema ← decay·W_ema + (1 − decay)·W (as a lerp
    with weight 1 − decay for floats).  ``decay`` in [0, 1] (default 0.999)."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        if ema_param_list[0].dtype.kind in "fc":
            for ema, cur in zip(ema_param_list, current_param_list):
                _lerp_(ema._data, cur._data, 1 - decay)
        else:  # integer buffers (use_buffers=True): the float mix, truncated back
            for ema, cur in zip(ema_param_list, current_param_list):
                ema._data[...] = ema._data * decay + cur._data * (1 - decay)
    return ema_update


def get_swa_multi_avg_fn():
    """``fn(averaged_list, model_list, n)``: in place W̄ ← W̄ + (W − W̄)/(n + 1) (the running
    mean of n + 1 models), for floats as PyTorch's lerp with weight 1/(n + 1) (rounded to
    float32 when n is a tensor, as PyTorch's)."""
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        if averaged_param_list[0].dtype.kind in "fc":
            weight = (float(np.float32(1.0) / np.float32(int(num_averaged) + 1))
                      if isinstance(num_averaged, Tensor) else 1.0 / (num_averaged + 1))
            for avg, cur in zip(averaged_param_list, current_param_list):
                _lerp_(avg._data, cur._data, weight)
        else:
            for avg, cur in zip(averaged_param_list, current_param_list):
                avg._data[...] = _swa_mean(avg._data, cur._data, num_averaged)
    return swa_update


def _swa_mean(avg: np.ndarray, cur: np.ndarray, num_averaged) -> np.ndarray:
    # the divisor in the parameters' dtype for floats (PyTorch divides float32 by a 0-d
    # integer tensor in float32); integers divide in float, truncated when stored
    n = int(num_averaged._data if isinstance(num_averaged, Tensor) else num_averaged) + 1
    divisor = avg.dtype.type(n) if avg.dtype.kind in "fc" else n
    return avg + (cur - avg) / divisor


def get_ema_avg_fn(decay: float = 0.999):
    """``fn(ema, current, n)`` → decay·ema + (1 − decay)·current.  ``decay`` in [0, 1]
    (default 0.999)."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """``fn(averaged, current, n)`` → averaged + (current − averaged)/(n + 1)."""
    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """``AveragedModel(model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False)``:
    a deep copy of ``model`` (``self.module``) holding a running average of its weights, as
    PyTorch's.

    ``update_parameters(model)``: the first call copies ``model``'s parameters; each later
    one averages them in, by default W̄ ← W̄ + (W − W̄)/(n+1) (equal weights, SWA), or by
    ``avg_fn(averaged, current, n)`` (returns the new value, per tensor) or
    ``multi_avg_fn(averaged_list, current_list, n)`` (in place, per dtype group; e.g.
    `get_ema_multi_avg_fn`).  ``n_averaged`` (an int64 buffer) counts the calls.  Buffers
    (BatchNorm statistics) are averaged too with ``use_buffers=True``, else copied from
    ``model``.  Calling the averaged model calls ``module``."""

    def __init__(self, model: Module, device=None, avg_fn=None, multi_avg_fn=None,
                 use_buffers: bool = False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        if not isinstance(model, Module):
            raise ArgumentError(f"AveragedModel: model must be a tidu.nn.Module, got "
                                f"{type(model).__name__}")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        counter = np.array(0, dtype=np.int64)
        self.register_buffer("n_averaged", counter if device is None
                             else to_device(counter, normalize_device(device)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged_and_model_arrays(self, model: Module) -> tuple:
        def arrays(m: Module, with_buffers: bool):
            params = (p._data for p in m.parameters())
            buffers = (b._data for b in m.buffers())
            return list(itertools.chain(params, buffers) if with_buffers else params)
        mine = arrays(self.module, self.use_buffers)
        theirs = arrays(model, self.use_buffers)
        n = min(len(mine), len(theirs))  # as PyTorch's zip(strict=False)
        return mine[:n], [to_device(t, device_of(a)) for a, t in zip(mine, theirs)]

    def update_parameters(self, model: Module) -> None:
        """Average ``model``'s current weights in (see the class docstring)."""
        averaged, current = self._averaged_and_model_arrays(model)
        n = int(self.n_averaged)
        if n == 0:
            for a, c in zip(averaged, current):
                a[...] = c
        elif self.avg_fn is not None:
            count = self.n_averaged
            for a, c in zip(averaged, current):
                new = self.avg_fn(Tensor._wrap(a), Tensor._wrap(c), count)
                a[...] = new._data if isinstance(new, Tensor) else new
        elif self.multi_avg_fn is not None:
            for group in _by_device_and_dtype(averaged, current):
                self.multi_avg_fn([Tensor._wrap(a) for a, _ in group],
                                  [Tensor._wrap(c) for _, c in group], self.n_averaged)
        else:  # PyTorch's CPU default (its GPU one is the lerp of get_swa_multi_avg_fn)
            for a, c in zip(averaged, current):
                a[...] = _swa_mean(a, c, n)
        if not self.use_buffers:
            mine, theirs = list(self.module.buffers()), list(model.buffers())
            if len(mine) != len(theirs):
                raise ValueError(f"AveragedModel.update_parameters: model has {len(theirs)} "
                                 f"buffers, the averaged copy {len(mine)}")
            for b, src in zip(mine, theirs):
                b._data[...] = to_device(src._data, device_of(b._data))
        self.n_averaged._data += 1  # in place: the state_dict shares this array


def _by_device_and_dtype(averaged: list, current: list) -> list:
    """The (averaged, current) pairs grouped by device and dtype, groups in first-seen order
    (PyTorch calls ``multi_avg_fn`` once per group)."""
    groups: dict = {}
    for a, c in zip(averaged, current):
        groups.setdefault((device_of(a), a.dtype), []).append((a, c))
    return list(groups.values())


def update_bn(loader, model: Module, device=None) -> None:
    """Recompute every BatchNorm's running mean and variance in one pass over ``loader``
    (batches: tensors, or lists/tuples whose first item is the input), as PyTorch's: the
    statistics are reset, then accumulated as an equal-weight average over the batches
    (momentum None), with the model in training mode; momenta and mode are restored after.
    ``device``: where to move each batch first.  A model without BatchNorm is left as is."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """``SWALR(optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos', last_epoch=-1)``:
    anneals each group's learning rate from its value at the start to ``swa_lr`` (a number,
    or one per group) over ``anneal_epochs`` steps, then holds it, as PyTorch's.

    At step t (t = 0 at construction), with α(τ) = (1 − cos πτ)/2 ('cos') or τ ('linear') and
    τ = clip(t / max(1, anneal_epochs), 0, 1): η_t = α·swa_lr + (1 − α)·η_start, where η_start
    is recovered from the current rate (chainable, so it follows an earlier scheduler)."""

    def __init__(self, optimizer, swa_lr, anneal_epochs: int = 10, anneal_strategy: str = "cos",
                 last_epoch: int = -1):
        _check_optimizer("SWALR", optimizer)
        for lr, group in zip(_per_group("SWALR", "swa_lr", optimizer, swa_lr),
                             optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        """The η_start that gives ``lr`` at weight ``alpha``."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def get_lr(self) -> list:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        alpha = self.anneal_func(max(0, min(1, step / span)))
        groups = self.optimizer.param_groups
        starts = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, starts)]

    def state_dict(self) -> dict:
        """Every attribute but the optimizer and the annealing function."""
        return self._own_state("anneal_func")

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        self._set_anneal_func(self._anneal_strategy)
