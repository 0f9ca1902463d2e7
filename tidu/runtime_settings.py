"""Process-wide settings, as PyTorch's: set_num_threads / get_num_threads (the BLAS and
OpenMP pools NumPy uses, through threadpoolctl), seed / initial_seed (tidu's one global
generator, tidu.random) and use_deterministic_algorithms /
are_deterministic_algorithms_enabled (every tidu op is deterministic already, so the flag
is recorded and reported, nothing else changes)."""
from __future__ import annotations

import numbers
import os

import numpy as np

from . import random as _random
from .errors import ArgumentError

__all__ = ["set_num_threads", "get_num_threads", "seed", "initial_seed",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled"]

_state = {"threads": None, "limiter": None, "deterministic": False, "warn_only": False}


def _threadpoolctl():
    try:
        import threadpoolctl  # noqa: PLC0415 - optional
    except ImportError:
        return None
    return threadpoolctl


def set_num_threads(int: int) -> None:  # noqa: A002 - torch's argument name
    """Use ``int`` (≥ 1) threads in the BLAS / OpenMP pools behind NumPy's matrix products
    (through threadpoolctl when installed; otherwise the number is only recorded), as
    torch.set_num_threads."""
    n = int
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ArgumentError(f"set_num_threads: expected a positive number of threads, got {n!r}")
    n = n.__index__()  # a plain int (the builtin's name is taken by torch's argument)
    tpc = _threadpoolctl()
    if tpc is not None:
        # the limiter object keeps the limit in force until it is restored
        _state["limiter"] = tpc.threadpool_limits(limits=n)
    _state["threads"] = n


def get_num_threads() -> int:
    """The number of threads set by `set_num_threads`, else the largest pool NumPy's
    libraries use (threadpoolctl), else the CPU count; always ≥ 1."""
    if _state["threads"] is not None:
        return _state["threads"]
    tpc = _threadpoolctl()
    if tpc is not None:
        pools = [p.get("num_threads", 0) for p in tpc.threadpool_info()]
        if pools and max(pools) >= 1:
            return max(pools)
    return max(1, os.cpu_count() or 1)


def seed() -> int:
    """Reseed tidu's global generator from the operating system's entropy and return the
    seed (an int < 2⁶³), as torch.seed."""
    s = np.random.SeedSequence().entropy % 2**63
    _random.manual_seed(s)
    return s


def initial_seed() -> int:
    """The seed of tidu's global generator: the last `manual_seed` / `seed`, or the random
    seed it started with (as torch.initial_seed; reduced below 2⁶⁴ when NumPy drew a wider
    one)."""
    entropy = _random.generator().bit_generator.seed_seq.entropy
    return int(entropy) % 2**64


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record that deterministic algorithms are required (``mode``), as
    torch.use_deterministic_algorithms.  Every tidu op already gives the same result for
    the same inputs, so nothing is switched and nothing raises."""
    if not isinstance(mode, (bool, np.bool_)):
        raise TypeError(f"use_deterministic_algorithms: mode must be a bool, got {mode!r}")
    _state["deterministic"], _state["warn_only"] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """The flag set by `use_deterministic_algorithms` (False until set)."""
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """The ``warn_only`` flag set by `use_deterministic_algorithms`."""
    return _state["warn_only"]
