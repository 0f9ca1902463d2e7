"""`Optimizer`: parameter groups, per-parameter state, zero_grad/step/state_dict as in
torch.optim.Optimizer."""
from __future__ import annotations

import copy

import numpy as np

from ..errors import StateDictError


class Optimizer:
    """Base class.  ``params`` is an iterable of parameters or of dicts (param groups) whose
    keys override the optimizer's ``defaults`` for that group."""

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        self.state: dict = {}
        self.param_groups: list[dict] = []
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(params[0], dict):
            params = [{"params": params}]
        for group in params:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        group = dict(group)
        group["params"] = list(group["params"])
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None and not set_to_none:
                    p.grad.data[...] = 0
                else:
                    p.grad = None

    def step(self):
        raise NotImplementedError

    def _params_with_grad(self, group):
        for p in group["params"]:
            if p.grad is not None:
                yield p, p.grad.data, self.state.setdefault(id(p), {})

    def state_dict(self) -> dict:
        """State by parameter index (as PyTorch), plus the groups' hyper-parameters."""
        index = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[pid]: copy.deepcopy(s) for pid, s in self.state.items() if pid in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups) or any(
                len(g["params"]) != len(own["params"]) for g, own in zip(groups, self.param_groups)):
            raise StateDictError(f"{type(self).__name__}.load_state_dict: the saved groups hold "
                                 f"{[len(g['params']) for g in groups]} parameters, this optimizer's "
                                 f"{[len(g['params']) for g in self.param_groups]}")
        params = [p for group in self.param_groups for p in group["params"]]
        self.state = {}
        for i, s in state_dict["state"].items():
            p = params[int(i)]
            self.state[id(p)] = {k: (np.array(v, dtype=p.data.dtype) if isinstance(v, np.ndarray)
                                     and v.dtype.kind == "f" else copy.deepcopy(v))
                                 for k, v in s.items()}
        for own, saved in zip(self.param_groups, groups):
            own.update({k: v for k, v in saved.items() if k != "params"})
