"""`Optimizer`: parameter groups, per-parameter state, ``zero_grad`` / ``step`` /
``state_dict`` / ``load_state_dict`` as in ``torch.optim.Optimizer``, plus Keras's per-tensor
gradient clipping (``clipnorm`` / ``clipvalue``) on every optimizer.

A subclass gives its hyper-parameters (``defaults``), the valid range of each numeric one
(``hyper_ranges``, checked by the base class; rules tying several together in
``_check_options``), and updates one parameter in place (``_update(param, grad, state, group)``).  The base class walks
the groups, clips each gradient, creates the per-parameter ``state`` on the first step, and
hands out per-parameter scratch arrays (``_work``) so that an update allocates nothing: every
temporary of the math is written into a preallocated array with ``out=`` / in-place ops, and
``param._data`` stays the same array object for the whole run.

``optimizer.state`` is PyTorch's: a ``defaultdict(dict)`` keyed by the parameter itself
(``opt.state[model.weight]["momentum_buffer"]``; a parameter not updated yet gives ``{}``),
its arrays Tensors that share memory with the arrays the update works on (``step`` stays a
Python int where PyTorch keeps a 0-d tensor).  ``state_dict()`` numbers the parameters as
PyTorch does (int keys, NumPy arrays), and ``load_state_dict()`` maps them back.
"""
from __future__ import annotations

import copy
import math
from collections import defaultdict

import numpy as np

from .._checks import check_number
from ..backend import device_of, like, to_numpy
from ..errors import HyperParameterError, StateDictError
from ..tensor import Tensor, enable_grad


# The valid ranges of hyper-parameters, as keyword arguments of `tidu._checks.check_number`
# (which also refuses NaN and ±inf: PyTorch lets lr=nan or lr=inf through silently and the
# first step turns every weight into nan).
NON_NEGATIVE = dict(low=0.0)
POSITIVE = dict(low=0.0, low_open=True)
ANY_REAL = dict(low=None)
UNIT = dict(low=0.0, high=1.0)                      # [0, 1]
UNIT_OPEN = dict(low=0.0, high=1.0, high_open=True)  # [0, 1)


class OrNone(dict):
    """A range whose argument may also be None (``clipnorm``, ``clipvalue``)."""


def check_hyper_value(owner: str, name: str, value, spec):
    """``value`` checked against ``spec`` (a `check_number` range, a tuple of ranges for a
    fixed-length sequence, or an `OrNone` range); returns it as a plain number (a 0-d array
    or tensor becomes a Python number) or a tuple of them.  Raises `HyperParameterError`
    naming ``owner``, the argument, its range and the value."""
    if isinstance(spec, tuple):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") \
                or len(value) != len(spec):
            what = "a pair" if len(spec) == 2 else f"a sequence of {len(spec)}"
            raise HyperParameterError(f"{owner}: {name} must be {what} of numbers, got "
                                      f"{name}={value!r}")
        return tuple(check_hyper_value(owner, f"{name}[{i}]", v, s)
                     for i, (v, s) in enumerate(zip(value, spec)))
    if not isinstance(spec, OrNone):
        return check_number(value, name, owner, **spec)
    if value is None:
        return None
    try:
        return check_number(value, name, owner, **spec)
    except HyperParameterError as error:  # say that None is allowed too
        raise HyperParameterError(str(error).replace(f"{name} must be", f"{name} must be None "
                                                     f"or", 1)) from None


def check_clipping(owner: str, group: dict) -> None:
    """The Keras options: not both ``clipnorm`` and ``clipvalue`` (their ranges are in
    `Optimizer.hyper_ranges`)."""
    if group.get("clipnorm") is not None and group.get("clipvalue") is not None:
        raise HyperParameterError(
            f"{owner}: set one of clipnorm and clipvalue, got clipnorm={group['clipnorm']!r} "
            f"and clipvalue={group['clipvalue']!r} (Keras would silently apply only clipnorm)")


class Optimizer:
    """Base class.  ``params`` is an iterable of parameters, or of dicts (param groups) whose
    keys override the optimizer's ``defaults`` for that group.

    Every optimizer also takes ``clipnorm`` / ``clipvalue`` (Keras's per-tensor clipping, default
    None; a group may override them).  Before the update, each parameter's gradient is clipped
    on its own, in place in ``p.grad`` (so what a callback reads after ``step()`` is the gradient
    that was applied)::

        clipnorm c:   g ← g · c / ‖g‖₂   if ‖g‖₂ > c      (each tensor by its own L2 norm)
        clipvalue c:  g ← clip(g, −c, c)                  (elementwise)

    Clipping comes before the optimizer's own weight decay (whose λθ term is not clipped).
    For PyTorch's global-norm clipping use ``tidu.nn.utils.clip_grad_norm_`` between
    ``backward()`` and ``step()``.

    Hyper-parameters are checked against the class's ``hyper_ranges`` (PyTorch's rules, plus
    finiteness) when a group is added, when a state_dict is loaded, and before each ``step()``
    if a group's values were changed by hand or by a scheduler: a bad value raises one
    `HyperParameterError` naming the optimizer, the argument, its range and the value.
    """

    #: each numeric hyper-parameter's valid range (see `check_hyper_value`); subclasses extend
    #: it with their own arguments
    hyper_ranges: dict = {"clipnorm": OrNone(POSITIVE), "clipvalue": OrNone(POSITIVE)}

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        self._scratch: dict = {}
        self._checked: dict = {}  # id(group) -> the hyper-parameter values last found valid
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of tensors or of "
                            f"dicts (param groups), got a single Tensor; pass [tensor] or "
                            f"model.parameters()")
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(params[0], dict):
            params = [{"params": params}]
        for group in params:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, group: dict) -> None:
        """Add a group (a dict with ``"params"`` and optional hyper-parameter overrides)."""
        name = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{name}: a param group must be a dict with a 'params' key, "
                            f"got {type(group).__name__}")
        group = dict(group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameters must be tidu Tensors, got "
                                f"{type(p).__name__}")
            if p._data.dtype.kind != "f":
                raise TypeError(f"{name}: can only optimize float tensors, got dtype {p.dtype}")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in group["params"]}) != len(group["params"]) \
                or seen & {id(p) for p in group["params"]}:
            raise ValueError(f"{name}: a parameter appears more than once in the param groups")
        self._check_group(group)
        self.param_groups.append(group)
        self._remember_valid(group)

    def _check_group(self, group: dict) -> None:
        """Validate a group's hyper-parameters against ``hyper_ranges``, in place (0-d arrays
        become numbers, ``betas`` a tuple), then the rules that tie several together
        (`_check_options`)."""
        owner = type(self).__name__
        for key, spec in self.hyper_ranges.items():
            if key in group:  # a user's subclass (PyTorch style) may not have tidu's extras
                group[key] = check_hyper_value(owner, key, group[key], spec)
        check_clipping(owner, group)
        self._check_options(group)

    def _check_options(self, group: dict) -> None:
        """Rules beyond each argument's own range (SGD: nesterov needs momentum); raise
        `HyperParameterError`."""

    #: the non-numeric group keys `_check_options` reads (changing one makes `step` re-check)
    _option_keys: tuple = ()

    def _hyper_values(self, group: dict) -> tuple:
        return tuple(group.get(key) for key in (*self.hyper_ranges, *self._option_keys))

    def _remember_valid(self, group: dict) -> None:
        self._checked[id(group)] = self._hyper_values(group)

    def _recheck_groups(self) -> None:
        """Check again every group whose hyper-parameters changed since they were last found
        valid (``param_groups[i]["lr"] = …`` by hand, or by a scheduler), so that a NaN or a
        negative rate raises here instead of silently spoiling the weights.  Comparing with
        the values last found valid keeps this cheap enough for every step."""
        for group in self.param_groups:
            try:
                unchanged = self._checked.get(id(group)) == self._hyper_values(group)
            except (TypeError, ValueError):  # an array put in a group by hand: check it
                unchanged = False
            if not unchanged:
                self._check_group(group)
                self._remember_valid(group)

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None and not set_to_none:
                    p.grad._data[...] = 0
                else:
                    p.grad = None

    def step(self, closure=None):
        """One update of every parameter that has a gradient.  ``closure``, if given, is
        called first (with gradients enabled) to recompute the loss and the gradients; its
        result is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._recheck_groups()
        for group in self.param_groups:
            clipnorm, clipvalue = group.get("clipnorm"), group.get("clipvalue")
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad._data
                if clipnorm is not None:
                    _clip_by_own_norm_(grad, clipnorm)
                elif clipvalue is not None:
                    np.clip(grad, -clipvalue, clipvalue, out=grad)
                state = self.state.get(p)
                arrays = self._init_state(p._data, group) if not state else \
                    {k: v._data if isinstance(v, Tensor) else v for k, v in state.items()}
                self._update(p._data, grad, arrays, group)
                if arrays:
                    self.state[p] = _publish(arrays, state)
        return loss

    def _init_state(self, param: np.ndarray, group: dict) -> dict:
        """The state of a parameter before its first update (empty unless overridden)."""
        return {}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """Update ``param`` in place from ``grad`` (never modify ``grad``: it is ``p.grad``)."""
        raise NotImplementedError

    def _work(self, param: np.ndarray, n: int) -> list:
        """``n`` scratch arrays shaped like ``param``, allocated once per parameter (not part
        of the state: their content does not outlive one update)."""
        arrays = self._scratch.get(id(param))
        if arrays is None or arrays[0].shape != param.shape or arrays[0].dtype != param.dtype:
            arrays = self._scratch[id(param)] = []
        while len(arrays) < n:
            arrays.append(np.empty_like(param))
        return arrays

    # ------------------------------------------------------------------ state_dict
    def state_dict(self) -> dict:
        """State by parameter index (as PyTorch: parameters numbered in group order), plus the
        groups' hyper-parameters; a deep copy, so stepping on does not change it."""
        index = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**copy.deepcopy({k: v for k, v in group.items() if k != "params"}),
                           "params": ids})
        state = {index[id(p)]: {k: _plain_copy(v) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a ``state_dict()`` (tidu's, or PyTorch's with its tensors turned into NumPy
        arrays).  Array state is copied and cast to its parameter's dtype; 0-d values become
        Python numbers (``step`` an int)."""
        name = type(self).__name__
        groups = state_dict["param_groups"]
        saved_sizes = [len(g["params"]) for g in groups]
        own_sizes = [len(g["params"]) for g in self.param_groups]
        if saved_sizes != own_sizes:
            raise StateDictError(f"{name}.load_state_dict: the saved groups hold {saved_sizes} "
                                 f"parameters, this optimizer's {own_sizes}")
        params = [p for group in self.param_groups for p in group["params"]]
        new_state = defaultdict(dict)
        for i, saved in state_dict["state"].items():
            i = int(i)
            if not 0 <= i < len(params):
                raise StateDictError(f"{name}.load_state_dict: state for parameter {i}, but the "
                                     f"optimizer has {len(params)} parameters")
            p = params[i]
            new_state[p] = _publish({k: _state_value(name, i, k, v, p._data)
                                     for k, v in saved.items()})
        merged = [{**own, **copy.deepcopy({k: v for k, v in saved.items() if k != "params"})}
                  for own, saved in zip(self.param_groups, groups)]
        for group in merged:  # a corrupt or hand-edited state_dict raises before any change
            self._check_group(group)
        self.state = new_state
        for own, group in zip(self.param_groups, merged):
            own.update(group)
            self._remember_valid(own)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines + [")"])


def _publish(arrays: dict, state: dict | None = None) -> dict:
    """The public per-parameter state (``optimizer.state[p]``) from the arrays an update
    works on: each array as a Tensor sharing its memory (the Tensor already in ``state`` when
    it wraps that same array, so an update allocates nothing), numbers as they are."""
    state = {} if state is None else state
    for key, value in arrays.items():
        if isinstance(value, np.ndarray) or type(value).__module__.partition(".")[0] == "cupy":
            old = state.get(key)
            if not (isinstance(old, Tensor) and old._data is value):
                state[key] = Tensor._wrap(value)
        else:
            state[key] = value
    return state


def _plain_copy(value):
    """A state value as ``state_dict()`` holds it: a Tensor's array copied, the rest deep-copied."""
    return value._data.copy() if isinstance(value, Tensor) else copy.deepcopy(value)


def _state_value(owner: str, index: int, key: str, value, param: np.ndarray):
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().numpy()
    if isinstance(value, Tensor):
        value = value._data
    if device_of(value) != "cpu":  # a state saved from a GPU optimizer
        value = to_numpy(value)
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        value = value.item()
    if isinstance(value, float) and key == "step" and value.is_integer():
        return int(value)
    if isinstance(value, np.ndarray):
        if value.shape != param.shape:
            raise StateDictError(f"{owner}.load_state_dict: state {key!r} of parameter {index} "
                                 f"has shape {value.shape}, the parameter {param.shape}")
        value = np.array(value, dtype=param.dtype if value.dtype.kind == "f" else value.dtype)
        return like(param, value)
    return copy.deepcopy(value)


def _clip_by_own_norm_(grad: np.ndarray, max_norm: float) -> None:
    """Keras's ``clipnorm``: scale ``grad`` in place to L2 norm ``max_norm`` if it is larger."""
    flat = grad.reshape(-1)
    norm = math.sqrt(float(np.dot(flat, flat)))
    if norm > max_norm:
        grad *= max_norm / norm


def decayed_grad(param: np.ndarray, grad: np.ndarray, wd: float, work: np.ndarray) -> np.ndarray:
    """The gradient with coupled (L2) weight decay, g + wd·θ (PyTorch's ``weight_decay``),
    written into ``work``; ``grad`` itself when wd = 0."""
    if not wd:
        return grad
    np.multiply(param, wd, out=work)
    work += grad
    return work


def lerp_(avg: np.ndarray, target: np.ndarray, weight: float, work: np.ndarray) -> None:
    """``avg ← avg + weight·(target − avg)`` in place, as ``torch.lerp_`` computes it (from the
    nearer end, so a weight near 1 stays exact); ``work`` is scratch."""
    np.subtract(target, avg, out=work)
    if weight < 0.5:
        work *= weight
        avg += work
    else:
        work *= 1.0 - weight
        np.subtract(target, work, out=avg)
