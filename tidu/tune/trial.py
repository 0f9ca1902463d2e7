"""A trial: one evaluation of the objective at one point of the space, as a plain dict.

A trial record (`Trial`, a ``TypedDict`` — a plain ``dict`` at run time, JSON-friendly when
the parameters are) holds::

    index    int     its place in the search (0, 1, …); the seeds derive from it
    round    int     the coarse-to-fine round (0 for grid and random search)
    params   dict    the hyper-parameters the objective was called with
    seed     int     the trial's seed (tidu.manual_seed(seed), np.random.seed(seed) and
                     random.seed(seed) are called before the objective)
    status   str     "finished", "failed" or "pruned" (stopped by the search's pruner;
                     "killed": reported to the callbacks for a trial running when the search
                     was interrupted; never in a result)
    score    float   the score the search ranks by (None when failed)
    metrics  dict    every number the objective returned ({"score": s} for a bare float)
    error    str     why it failed: the exception ("ValueError: …") or "diverged: …" (None
                     when finished)
    traceback str    the exception's traceback (None unless it raised)
    seconds  float   the objective's wall time

and, where the search adds them: ``config`` and ``repeat`` (``repeats=k``: the configuration
index and which of its seeds), ``rung``, ``epochs`` and ``bracket`` (successive halving and
Hyperband: the rung reached, the epochs trained in all, the Hyperband bracket), ``curve``
(with ``pruner=``: the validation score after each epoch) and ``finding`` (a pruned trial:
the diagnosis' finding that stopped it, or None).

`run_trial` is what every executor runs, in the caller's process, a worker process or a
Dask worker.  It seeds the global generators (tidu's, ``np.random``'s and ``random``'s)
from the trial's seed and calls the objective (with ``seed=`` when it takes that keyword).
An exception or a non-finite score becomes a failed record instead of an error, so one bad
trial never stops a search.
"""
from __future__ import annotations

import inspect
import math
import random as pyrandom
import time
import traceback as _traceback
from numbers import Real
from typing import TypedDict

import numpy as np

from .. import random as _random

__all__ = ["Trial", "run_trial", "trial_seed", "trial_rng", "accepts", "accepts_seed", "plain",
           "seed_everything"]


class Trial(TypedDict):
    index: int
    round: int
    params: dict
    seed: int
    status: str
    score: float | None
    metrics: dict
    error: str | None
    traceback: str | None
    seconds: float


def _sequence(search_seed: int, index: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([int(search_seed), int(index)])


def trial_rng(search_seed: int, index: int) -> np.random.Generator:
    """The generator that draws trial ``index``'s parameters: a function of the search seed
    and the index only, so the points do not depend on which worker runs what, or when."""
    return np.random.default_rng(_sequence(search_seed, index).spawn(2)[0])


def trial_seed(search_seed: int, index: int) -> int:
    """Trial ``index``'s own seed (31 bits), derived like `trial_rng` but independent of it."""
    return int(_sequence(search_seed, index).spawn(2)[1].generate_state(1)[0] >> 1)


def repeat_seed(search_seed: int, index: int, repeat: int) -> int:
    """The seed of repeat ``repeat`` of trial ``index``: `trial_seed` for repeat 0, an
    independent draw for the others."""
    if repeat == 0:
        return trial_seed(search_seed, index)
    return int(np.random.SeedSequence([search_seed, index, repeat]).generate_state(1)[0] >> 1)


def seed_everything(seed: int) -> None:
    """Seed tidu's global generator, NumPy's legacy global one (``np.random.*``) and Python's
    ``random`` with the trial's seed, so an objective drawing from any of them gives the same
    result on every executor."""
    _random.manual_seed(seed)
    np.random.seed(seed)
    pyrandom.seed(seed)


def global_states() -> tuple:
    return _random.get_rng_state(), np.random.get_state(), pyrandom.getstate()


def set_global_states(states: tuple) -> None:
    _random.set_rng_state(states[0])
    np.random.set_state(states[1])
    pyrandom.setstate(states[2])


def plain(value):
    """NumPy scalars, 0-d arrays and one-element tensors as Python numbers (so records are
    JSON-friendly); other values as they are."""
    if isinstance(value, np.generic):
        return value.item()
    if not isinstance(value, (Real, str, bytes)) and hasattr(value, "item"):
        try:
            return plain(value.item())
        except (TypeError, ValueError, AttributeError):
            return value
    return value


def accepts(objective, *keywords: str) -> bool:
    """Whether ``objective`` takes every one of ``keywords`` (or any keyword: ``**kwargs``)."""
    try:
        parameters = inspect.signature(objective).parameters
    except (TypeError, ValueError):
        return False
    return all(k in parameters for k in keywords) or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def accepts_seed(objective) -> bool:
    """Whether ``objective`` takes a ``seed`` keyword (then it is given the trial's seed)."""
    return accepts(objective, "seed")


def _score_of(value, metric: str | None) -> tuple[float, dict]:
    """(score, metrics) from what an objective returned: a number, or a dict of numbers from
    which ``metric`` is picked."""
    if isinstance(value, dict):
        metrics = {str(k): plain(v) for k, v in value.items()}
        if metric is None:
            if len(metrics) != 1:
                raise ValueError(f"the objective returned several metrics {sorted(metrics)}; "
                                 f"name the one to rank by with metric=")
            metric = next(iter(metrics))
        if metric not in metrics:
            raise KeyError(f"the objective returned no {metric!r} (metric=); it returned "
                           f"{sorted(metrics)}")
        score = metrics[metric]
    else:
        score = plain(value)
        metrics = {metric or "score": score}
    if isinstance(score, bool) or not isinstance(score, Real):
        raise TypeError(f"the objective must return a number or a dict of numbers, got "
                        f"{type(score).__name__} ({score!r})")
    return float(score), metrics


def run_trial(objective, task: dict, metric: str | None = None,
              pass_seed: bool = False) -> Trial:
    """Evaluate ``objective`` at ``task["params"]`` and return the trial record (never
    raises for the objective's errors).  ``task`` holds index, round, params and seed, and
    ``pruning`` (pruners, mode, reference curves) when the search prunes: the objective then
    gets a `PruningContext` as ``pruning=``, and a trial it stops is recorded ``"pruned"``
    with its ``finding`` (or None) and, like every pruning trial, its ``curve``."""
    params, seed = task["params"], task["seed"]
    record: Trial = {"index": task["index"], "round": task.get("round", 0), "params": params,
                     "seed": seed, "status": "failed", "score": None, "metrics": {},
                     "error": None, "traceback": None, "seconds": 0.0}
    kwargs = {"seed": seed} if pass_seed else {}
    context = None
    if task.get("pruning"):
        from .pruning import PruningContext
        context = PruningContext(**task["pruning"])
        kwargs["pruning"] = context
    seed_everything(seed)
    start = time.perf_counter()
    try:
        try:
            value = objective(dict(params), **kwargs)
        finally:
            if context is not None:
                record["curve"] = list(context.curve)
        score, metrics = _score_of(value, metric)
    except Exception as e:  # noqa: BLE001 — a failing trial is data, not a crash
        from .pruning import TrialPruned
        if isinstance(e, TrialPruned):
            record["seconds"] = time.perf_counter() - start
            record.update(status="pruned", error=str(e), finding=e.finding)
            return record
        record["seconds"] = time.perf_counter() - start
        record["error"] = f"{type(e).__name__}: {e}"
        record["traceback"] = _traceback.format_exc()
        return record
    record["seconds"] = time.perf_counter() - start
    record["metrics"] = metrics
    if not math.isfinite(score):
        record["error"] = f"diverged: the objective returned {score!r}"
        return record
    record["status"], record["score"] = "finished", score
    return record
