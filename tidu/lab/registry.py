"""Find the experiments: every module ``tidu/lab/experiments/e*.py`` registers one."""
from __future__ import annotations

import importlib
import pkgutil

from . import experiments as _pkg
from .base import EXPERIMENTS, Experiment


def _load_all() -> None:
    for info in pkgutil.iter_modules(_pkg.__path__):
        if info.name.startswith("e"):
            importlib.import_module(f"{_pkg.__name__}.{info.name}")


def _key(exp_id: str) -> int:
    return int(exp_id.lstrip("E"))


def all_experiments() -> list[Experiment]:
    _load_all()
    return [EXPERIMENTS[k] for k in sorted(EXPERIMENTS, key=_key)]


def get(ids) -> list[Experiment]:
    """Experiments by id (``"E1"``, ``"e1"`` or ``"1"``), in the order given."""
    _load_all()
    out = []
    for raw in ids:
        key = str(raw).upper()
        key = key if key.startswith("E") else f"E{key}"
        if key not in EXPERIMENTS:
            known = ", ".join(sorted(EXPERIMENTS, key=_key))
            raise KeyError(f"no experiment {raw!r}; the lab has {known}")
        out.append(EXPERIMENTS[key])
    return out
