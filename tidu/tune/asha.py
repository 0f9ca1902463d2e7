"""`ASHA`: asynchronous successive halving — a free worker never waits for a rung to fill.

Synchronous successive halving (`SuccessiveHalving`) judges a rung once all its trials are
in, so the slowest trial of a rung holds every worker up.  ASHA (Li, Jamieson, Rostamizadeh,
Gonina, Ben-tzur, Hardt, Recht & Talwalkar, "A System for Massively Parallel Hyperparameter
Tuning", MLSys 2020, Algorithm 2) decides whenever a worker is free: promote a trial that is
in the top 1/η of its rung *so far*, else start a new configuration.  It runs on the
executors' asynchronous interface (``slots`` / ``submit`` / ``wait_any``,
`tidu.tune.executor`), on ``n_jobs=1``, worker processes and Dask alike; the objective and
its checkpoints are those of `tidu.tune.halving` (``budget=`` / ``checkpoint=``; on Dask give
``workdir=`` on a disk every worker sees).
"""
from __future__ import annotations

import time

from .base import Search
from .executor import make_executor
from .halving import HalvingResult, _Halving
from .result import SearchResult, best_of
from .space import sample_space
from .trial import accepts_seed, trial_rng

__all__ = ["ASHA", "asha_rungs"]


def asha_rungs(min_epochs: int, max_epochs: int, eta: int) -> list:
    """The epochs of ASHA's rungs: ``r_k = min(min_epochs·η^k, max_epochs)`` for k = 0, 1, …
    up to the first rung that reaches ``max_epochs`` (Li et al. 2020: r·η^k, s_max = ⌊log_η
    R/r⌋, the top rung at R)."""
    rungs, r = [], min_epochs
    while r < max_epochs:
        rungs.append(r)
        r *= eta
    return rungs + [max_epochs]


class _AsyncLoop(Search):
    """`Search.run` for searches that choose each trial when a worker frees up: keep
    ``executor.slots()`` trials in flight, asking ``_next_task()`` (None: nothing to start
    now) and telling ``_ended(trial)`` each record; done when nothing is in flight and
    nothing is to start.  Callbacks, interruption and the result are as in `Search.run`."""

    def _begin(self) -> None:
        raise NotImplementedError

    def _next_task(self):
        raise NotImplementedError

    def _ended(self, trial: dict) -> None:
        raise NotImplementedError

    def _restore(self, resume) -> None:
        """Take an interrupted run's ended records (``resume``) as if they had just ended."""
        raise NotImplementedError

    def run(self, resume=None) -> SearchResult:
        executor = make_executor(*self._executor_args, owner=type(self).__name__)
        info = self.describe(executor)
        self._trials, self._spaces = [], [dict(self.space)]
        start = time.perf_counter()
        executor.start(self.objective, self.metric, accepts_seed(self.objective))
        try:
            self.callbacks.on_search_begin(info)
            self._begin()
            if resume:
                self._restore(resume)
            slots, in_flight = executor.slots(), 0
            while True:
                while in_flight < slots:
                    task = self._next_task()
                    if task is None:
                        break
                    executor.submit(task)
                    in_flight += 1
                if not in_flight:
                    break
                for trial in executor.wait_any():
                    in_flight -= 1
                    self._trials.append(trial)
                    self.callbacks.on_trial_end(trial)
                    self._ended(trial)
        except BaseException as exc:  # as in Search.run: note the running trials, end them
            self._abort(executor, exc)
            raise
        return self._finish(executor, info, start)


class ASHA(_Halving, _AsyncLoop):
    """Asynchronous successive halving over epochs (Li et al., MLSys 2020, Algorithm 2).

    Rung k trains to ``r_k = min(min_epochs·η^k, max_epochs)`` epochs in all (`asha_rungs`;
    defaults ``min_epochs=1``, ``max_epochs=27``, ``eta=3``: rungs 1, 3, 9, 27).  Whenever a
    worker is free: for the rungs k from the highest below the top down to 0, with n_k the
    trials that ended at rung k so far, the candidates are the best ⌊n_k/η⌋ of them
    (``mode``-aware; a failed trial counts in n_k and is never a candidate); the best
    candidate not yet promoted goes on to rung k+1, *continuing from its checkpoint*.  When
    no rung has one, configuration i = 0, 1, … starts at rung 0 (its point drawn from
    (seed, i), as in `RandomSearch`), until ``n_trials`` (default 27) have started; the
    search ends when every trial has ended and none is left to promote.  Each configuration
    runs at most once per rung.

    Unlike `SuccessiveHalving`, a trial may be promoted on an early, partial view of its
    rung (the paper's "mispromotions", which vanish as n_k grows), and a trial that would
    have made the top 1/η of the full rung may never be promoted: ASHA trades that for
    never leaving a worker idle.  With ``n_jobs=1`` the trials run one at a time and the
    search is deterministic; with several workers (processes or Dask) the order in which
    trials end — hence which ones are promoted, and when — depends on timing, while the
    configurations and their rung-0 records stay the same.  The records carry ``rung``,
    ``epochs`` and ``bracket`` (0) as in `SuccessiveHalving`; ``run()`` returns a
    `HalvingResult` (best over the highest rung reached).  ``workdir``, the objective and
    the other arguments: as `SuccessiveHalving` and `Search` (``pruner=`` and ``repeats``
    are refused: ASHA stops trials itself and promotes single trials).

    Examples
    --------
    >>> def toy(params, budget, checkpoint):
    ...     return -(params["x"] - 0.3) ** 2 * (1 + 1 / budget)
    >>> from tidu.tune import uniform
    >>> search = ASHA({"x": uniform(0, 1)}, toy, n_trials=9, max_epochs=9, n_jobs=1, seed=0)
    >>> search.rungs
    [1, 3, 9]
    >>> result = search.run()
    >>> [len(result.rung(k)) for k in range(3)], result.best_trial["epochs"], result.total_epochs
    ([9, 5, 2], 9, 31)
    """

    kind = "asha"
    repeatable = False

    def __init__(self, space, objective, n_trials: int = 27, min_epochs: int = 1,
                 max_epochs: int = 27, eta: int = 3, workdir=None, **kwargs):
        super().__init__(space, objective, eta=eta, workdir=workdir, **kwargs)
        self._set_budget(n_trials, min_epochs, max_epochs)
        self.rungs = asha_rungs(self.min_epochs, self.max_epochs, self.eta)

    def _settings(self) -> dict:
        return {"n_trials": self.n_trials, "min_epochs": self.min_epochs,
                "max_epochs": self.max_epochs, "eta": self.eta, "rungs": list(self.rungs)}

    # ------------------------------------------------------------------ the rule
    def _begin(self) -> None:
        self._started = 0
        self._points: dict = {}
        self._ended_at = [[] for _ in self.rungs]   # records that ended at rung k
        self._promoted = [set() for _ in self.rungs]  # indices promoted out of rung k
        self._restart: list = []                    # resumed: rung-0 trials cut off

    def _restore(self, resume) -> None:
        """The rung tables as the interrupted run left them: every ended record joins its
        rung in the order given (the run database's), a record at rung k marks its trial
        promoted out of rung k−1, and configurations started but cut off at rung 0 run
        again; a trial cut off higher up is promoted again by the rule."""
        done = self._done(resume)  # (index, rung) → record; checks workdir
        for (i, k), old in done.items():
            point = self._points.setdefault(i, sample_space(self.space, trial_rng(self.seed, i)))
            if old["params"] != point:
                raise ValueError(f"{type(self).__name__}: cannot resume: trial {i} had params "
                                 f"{old['params']}, this search would try {point} (another "
                                 f"space, seed or setting)")
            self._trials.append(dict(old))
            self._ended_at[k].append(self._trials[-1])
            if k:
                self._promoted[k - 1].add(i)
        self._started = min(self.n_trials, max(self._points, default=-1) + 1)
        self._restart = [i for i in range(self._started) if (i, 0) not in done]

    def _next_task(self):
        for k in range(len(self.rungs) - 2, -1, -1):
            ended = self._ended_at[k]
            for trial in best_of(ended, self.mode, len(ended) // self.eta):
                i = trial["index"]
                if i not in self._promoted[k]:
                    self._promoted[k].add(i)
                    return self._budget_task(i, self._points[i], k + 1, 0, self.rungs[k + 1])
        if self._restart:
            i = self._restart.pop(0)
            return self._budget_task(i, self._points[i], 0, 0, self.rungs[0])
        if self._started < self.n_trials:
            i, self._started = self._started, self._started + 1
            self._points[i] = sample_space(self.space, trial_rng(self.seed, i))
            return self._budget_task(i, self._points[i], 0, 0, self.rungs[0])
        return None

    def _ended(self, trial: dict) -> None:
        self._ended_at[trial["rung"]].append(trial)  # settled by the rung callbacks

    def run(self, resume=None) -> HalvingResult:
        """Run until every configuration has started and none is left to promote; return
        the `HalvingResult`.  ``resume`` (with the same ``workdir``): as
        `SuccessiveHalving.run`; with ``n_jobs=1`` the resumed search makes the same trials
        as an uninterrupted one."""
        return _Halving.run(self, resume)
