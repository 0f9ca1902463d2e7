"""`SuccessiveHalving` and `Hyperband`: rungs of epochs, the best 1/η of each rung go on
training from their checkpoint.

A *budgeted* objective takes the number of epochs to reach in all and a checkpoint path::

    objective(params, seed=s, budget=r, checkpoint=path) -> float or dict

It trains to ``r`` epochs, saves its training state to ``path`` and, when ``path`` already
holds a state from an earlier rung, continues from it instead of starting again.
`make_objective` (hold-out scoring) is one: with tidu's `Checkpoint` resume, training to r₁
and then on to r₂ gives exactly the weights of one uninterrupted r₂-epoch run.

Both searches are synchronous: a rung is one batch of trials (`Search._plan`), so they run
unchanged on every executor (``n_jobs=1``, worker processes, Dask — the checkpoint folder
must then be one every worker sees: give ``workdir=`` on a shared disk).  A trial appears
once per rung it reached, with the same ``index`` and ``seed`` (trial i's point is drawn
from (seed, i), as in `RandomSearch`), and three more fields::

    rung     int   the rung (also in ``round``): 0, 1, …
    epochs   int   the epochs it had trained in all when scored
    bracket  int   Hyperband's bracket s (s_max … 0); 0 for SuccessiveHalving

The result (`HalvingResult`) ranks ``best_trial`` / ``top`` over the trials of the highest
rung reached (most epochs), where the scores compare like with like.
"""
from __future__ import annotations

import glob
import os
import shutil
import tempfile

from .base import Search, SearchCallbacks, check_count
from .result import SearchResult, TuneError, best_of
from .space import sample_space
from .trial import accepts, accepts_seed, trial_rng

__all__ = ["SuccessiveHalving", "Hyperband", "HalvingResult", "BudgetedCall",
           "halving_rungs", "hyperband_brackets"]

# the budget and the checkpoint path travel to the workers inside the task's params (every
# executor passes params through untouched) and are taken out again on both sides
BUDGET_KEY = "__budget__"
CHECKPOINT_KEY = "__checkpoint__"


def halving_rungs(n_trials: int, min_epochs: int, max_epochs: int, eta: int) -> list:
    """The rungs of one successive-halving run, as ``[(n_k, r_k), …]``: ``n_0 = n_trials``,
    ``r_0 = min_epochs``; then ``n_{k+1} = ⌊n_k / η⌋``, ``r_{k+1} = min(r_k·η, max_epochs)``,
    as long as the last rung is under ``max_epochs`` and at least one trial is promoted
    (Jamieson & Talwalkar 2016; Li et al. 2018, Alg. 1's inner loop)."""
    rungs, n, r = [], n_trials, min_epochs
    while True:
        rungs.append((n, min(r, max_epochs)))
        if r >= max_epochs or n // eta < 1:
            return rungs
        n, r = n // eta, r * eta


def hyperband_brackets(max_epochs: int, eta: int, min_epochs: int = 1) -> list:
    """Hyperband's brackets (Li et al. 2018, Algorithm 1), ``[[(n_i, r_i), …], …]`` from
    s = s_max down to 0, in epochs.  With R = max_epochs / min_epochs:
    ``s_max = ⌊log_η R⌋``, ``B = (s_max + 1)·R``; bracket s starts
    ``n = ⌈(B/R)·η^s/(s+1)⌉`` trials at ``r = R·η^{-s}`` and runs successive halving with
    ``n_i = ⌊n·η^{-i}⌋``, ``r_i = r·η^i`` for i = 0 … s.  Epochs are whole:
    ``r_i = ⌊max_epochs / η^{s-i}⌋`` (exact when max_epochs is min_epochs·η^k)."""
    s_max = 0
    while min_epochs * eta ** (s_max + 1) <= max_epochs:
        s_max += 1
    brackets = []
    for s in range(s_max, -1, -1):
        n = -(-(s_max + 1) * eta ** s // (s + 1))  # ⌈(s_max+1)·η^s / (s+1)⌉ in integers
        brackets.append([(n // eta ** i, max_epochs // eta ** (s - i)) for i in range(s + 1)])
    return brackets


def accepts_budget(objective) -> bool:
    """Whether ``objective`` takes ``budget`` and ``checkpoint`` keywords."""
    return accepts(objective, "budget", "checkpoint")


class BudgetedCall:
    """The objective as the executors see it: ``call(params, seed=None)`` takes the budget
    and checkpoint out of ``params`` and calls ``objective(params, [seed=seed,] budget=…,
    checkpoint=…)``.  Pickles whenever the objective does."""

    def __init__(self, objective):
        self.objective = objective
        self.pass_seed = accepts_seed(objective)
        self.__name__ = getattr(objective, "__name__", type(objective).__name__)

    def __call__(self, params: dict, seed: int | None = None):
        params = dict(params)
        kwargs = {"budget": params.pop(BUDGET_KEY), "checkpoint": params.pop(CHECKPOINT_KEY)}
        if self.pass_seed:
            kwargs["seed"] = seed
        return self.objective(params, **kwargs)


class HalvingResult(SearchResult):
    """A `SearchResult` whose ``best_trial`` and ``top(k)`` rank only the finished trials
    of the highest rung reached — the ones trained the most epochs (``final``); every rung's
    records stay in ``trials``.  ``rung(k)`` lists rung k's records."""

    @classmethod
    def of(cls, result: SearchResult) -> "HalvingResult":
        return cls(result.trials, result.mode, result.metric, result.seed, result.info,
                   spaces=result.spaces, seconds=result.seconds)

    @property
    def final(self) -> list:
        finished = self.finished
        if not finished:
            return []
        most = max(t.get("epochs") or 0 for t in finished)
        return [t for t in finished if (t.get("epochs") or 0) == most]

    def rung(self, k: int, bracket: int | None = None) -> list:
        return [t for t in self.trials if t.get("rung") == k
                and (bracket is None or t.get("bracket") == bracket)]

    def top(self, k: int = 5) -> list:
        return best_of(self.final, self.mode, k)

    def to_records(self) -> list:
        """`SearchResult.to_records`, with each trial's rung, epochs and bracket."""
        rows = super().to_records()
        for row, t in zip(rows, self.trials):
            row.update(rung=t.get("rung"), epochs=t.get("epochs"), bracket=t.get("bracket"))
        return rows

    @property
    def best_trial(self) -> dict:
        if not self.final:
            return super().best_trial  # raises the TuneError
        return best_of(self.final, self.mode, 1)[0]

    @property
    def total_epochs(self) -> int:
        """The epochs trained in all: each record's epochs minus those its trial had
        already trained at its previous rung (promoted trials continue)."""
        done, total = {}, 0
        for t in sorted(self.trials, key=lambda t: (t["index"], t.get("rung", 0))):
            epochs = t.get("epochs") or 0
            total += epochs - done.get(t["index"], 0)
            done[t["index"]] = epochs
        return total


class _RungCallbacks(SearchCallbacks):
    """The user's callbacks, behind a step that gives each trial record its rung fields
    (and takes the budget out of its params) before anyone sees it."""

    def __init__(self, inner: SearchCallbacks, search: "_Halving"):
        self.inner, self.search = inner, search
        self.callbacks = inner.callbacks

    def on_search_begin(self, info: dict) -> None:
        self.inner.on_search_begin(info)

    def on_trial_end(self, trial: dict) -> None:
        self.search._settle(trial)
        self.inner.on_trial_end(trial)

    def on_search_end(self, result) -> None:
        result = HalvingResult.of(result)
        self.search.result_ = result
        self.inner.on_search_end(result)


def _check_eta(eta, owner: str) -> int:
    return check_count(eta, owner, "eta", minimum=2)


class _Halving(Search):
    """What both halving searches share: the budgeted objective, the checkpoint folder,
    one batch per rung, promotion of the top ⌊n/η⌋."""

    repeatable = False  # a rung promotes single trials by their own score

    def _set_budget(self, n_trials, min_epochs, max_epochs) -> None:
        """Check and keep ``n_trials``, ``min_epochs`` ≤ ``max_epochs``."""
        owner = type(self).__name__
        self.n_trials = check_count(n_trials, owner, "n_trials")
        self.min_epochs = check_count(min_epochs, owner, "min_epochs")
        self.max_epochs = check_count(max_epochs, owner, "max_epochs")
        if self.min_epochs > self.max_epochs:
            raise ValueError(f"{owner}: min_epochs must be ≤ max_epochs, got "
                             f"min_epochs={min_epochs!r} > max_epochs={max_epochs!r}")
    @property
    def resumable(self) -> bool:
        """Resumable only with a ``workdir`` of its own: the promoted trials continue from
        checkpoints kept there (a temporary folder is gone with the interrupted run)."""
        return self.workdir is not None

    def __init__(self, space, objective, *, eta, workdir, **kwargs):
        super().__init__(space, objective, **kwargs)
        owner = type(self).__name__
        if not accepts_budget(objective):
            name = getattr(objective, "__name__", type(objective).__name__)
            raise TypeError(f"{owner}: objective must take budget= (epochs in all) and "
                            f"checkpoint= (a path to save to and resume from) keywords, as "
                            f"make_objective's does; got {name!r} without them")
        if self.pruners:
            raise ValueError(f"{owner}: pruner= is not supported: its rungs stop trials "
                             f"themselves (the top 1/η go on)")
        self.eta = _check_eta(eta, owner)
        if workdir is not None and not isinstance(workdir, (str, os.PathLike)):
            raise TypeError(f"{owner}: workdir must be a folder path or None, got "
                            f"{type(workdir).__name__}")
        self.workdir = None if workdir is None else os.fspath(workdir)
        self._where = {}  # trial index -> (bracket, rung, epochs) of its latest task

    # ------------------------------------------------------------------ the rungs
    def _brackets(self) -> list:
        """[(bracket id, [(n_k, r_k), …]), …]."""
        raise NotImplementedError

    def _checkpoint(self, index: int) -> str:
        return os.path.join(self._dir, f"trial-{index}.npz")

    def _budget_task(self, index, params, rung, bracket, epochs) -> dict:
        self._where[index] = (bracket, rung, epochs)
        task = self._task(index, params, round=rung)
        task["params"][BUDGET_KEY] = int(epochs)
        task["params"][CHECKPOINT_KEY] = self._checkpoint(index)
        return task

    def _settle(self, trial: dict) -> None:
        params = dict(trial["params"])
        params.pop(BUDGET_KEY, None)
        params.pop(CHECKPOINT_KEY, None)
        bracket, rung, epochs = self._where.get(trial["index"], (0, trial.get("round", 0), None))
        trial.update(params=params, rung=rung, epochs=epochs, bracket=bracket)

    def _plan(self):
        self._spaces.append(dict(self.space))
        first = 0
        for bracket, rungs in self._brackets():
            survivors = list(range(first, first + rungs[0][0]))
            points = {i: sample_space(self.space, trial_rng(self.seed, i)) for i in survivors}
            for k, (_, epochs) in enumerate(rungs):
                start = len(self._trials)
                yield [self._budget_task(i, points[i], k, bracket, epochs) for i in survivors]
                if k + 1 == len(rungs):
                    break
                # the top ⌊n/η⌋ finished trials of this rung; a failed one never goes on
                keep = best_of(self._trials[start:], self.mode, len(survivors) // self.eta)
                promoted = sorted(t["index"] for t in keep)
                self._drop(set(survivors) - set(promoted))
                survivors = promoted
                if not survivors:
                    break
            first += rungs[0][0]

    # ------------------------------------------------------------------ resume
    def _done(self, resume) -> dict:
        """(index, rung) → ended record: a trial has one record per rung it reached."""
        if not resume:
            return {}
        records = super()._done(resume)  # (checks resumable; keyed by index alone)
        return {(int(t["index"]), int(t.get("round", 0))): t for t in resume
                if int(t["index"]) in records and t.get("status") in ("finished", "failed")}

    def _reuse(self, chunk, done) -> list:
        """A rung's tasks still to run; the ended ones' records join the trials (their
        checkpoints in ``workdir`` carry the promoted trials on)."""
        if not done:
            return chunk
        todo = []
        for task in chunk:
            old = done.get((task["index"], task.get("round", 0)))
            if old is None:
                todo.append(task)
                continue
            params = {k: v for k, v in task["params"].items()
                      if k not in (BUDGET_KEY, CHECKPOINT_KEY)}
            if old["params"] != params:
                raise ValueError(f"{type(self).__name__}: cannot resume: trial "
                                 f"{task['index']} had params {old['params']}, this search "
                                 f"would try {params} (another space, seed or setting)")
            self._trials.append(dict(old))
        return todo

    def _drop(self, indices) -> None:
        """Remove the checkpoints of trials that stop here (only in our own temp folder)."""
        if self.workdir is None:
            for i in indices:
                try:
                    os.unlink(self._checkpoint(i))
                except OSError:
                    pass

    def run(self, resume=None) -> HalvingResult:
        """Run every rung and return the `HalvingResult`.  ``resume``: the trial records of
        an interrupted run of this same search with the same ``workdir`` (as `Search.run`):
        its ended trials are kept, and a trial cut off mid-rung continues from its
        checkpoint."""
        owner = type(self).__name__
        if resume and self.workdir is None:
            raise ValueError(f"{owner}: cannot resume without workdir=: the promoted "
                             f"trials' checkpoints of the interrupted run lived in a "
                             f"temporary folder; give workdir= to searches you may resume")
        if self.workdir is None:
            self._dir = tempfile.mkdtemp(prefix="tidu-halving-")
        else:
            os.makedirs(self.workdir, exist_ok=True)
            stale = glob.glob(os.path.join(glob.escape(self.workdir), "trial-*.npz"))
            if stale and not resume:
                raise ValueError(f"{owner}: workdir={self.workdir!r} already holds trial "
                                 f"checkpoints ({os.path.basename(sorted(stale)[0])}, …); "
                                 f"give an empty folder, or None for a temporary one")
            self._dir = self.workdir
        objective, callbacks = self.objective, self.callbacks
        self.objective = BudgetedCall(objective)
        self.callbacks = _RungCallbacks(callbacks, self)
        self._where = {}
        try:
            super().run(resume)
        except TuneError as e:
            if isinstance(self.result_, HalvingResult):
                e.result = self.result_
            raise
        finally:
            self.objective, self.callbacks = objective, callbacks
            if self.workdir is None:
                shutil.rmtree(self._dir, ignore_errors=True)
        return self.result_


class SuccessiveHalving(_Halving):
    """Successive halving over epochs (Jamieson & Talwalkar 2016; Li et al. 2018, the inner
    loop of Hyperband's Algorithm 1).

    ``n_trials`` random points (default 27) train ``min_epochs`` epochs (default 1); each
    rung keeps the best ⌊n/η⌋ of its n trials by score (``mode``-aware; a failed or
    diverged trial is never promoted), and those go on *from their checkpoint* to η times
    as many epochs in all, capped at ``max_epochs`` (default 27): rung k trains to
    ``r_k = min(min_epochs·η^k, max_epochs)`` (`halving_rungs`; ``eta`` default 3).  The
    checkpoints live in ``workdir`` (default a temporary folder, removed at the end; a
    given folder must hold no trial checkpoints yet unless the run resumes, and keeps them;
    with one, ``run(resume=…)`` continues an interrupted search).  The objective takes
    ``budget=`` and ``checkpoint=`` (module docstring).  See `Search` for the other
    arguments; ``run()`` returns a `HalvingResult`.

    Examples
    --------
    >>> def toy(params, budget, checkpoint):
    ...     return -(params["x"] - 0.3) ** 2 * (1 + 1 / budget)
    >>> from tidu.tune import uniform
    >>> search = SuccessiveHalving({"x": uniform(0, 1)}, toy, n_trials=9, max_epochs=9,
    ...                            n_jobs=1, seed=0)
    >>> search.rungs
    [(9, 1), (3, 3), (1, 9)]
    >>> result = search.run()
    >>> len(result.trials), result.best_trial["epochs"], result.total_epochs
    (13, 9, 21)
    """

    kind = "successive_halving"

    def __init__(self, space, objective, n_trials: int = 27, min_epochs: int = 1,
                 max_epochs: int = 27, eta: int = 3, workdir=None, **kwargs):
        super().__init__(space, objective, eta=eta, workdir=workdir, **kwargs)
        self._set_budget(n_trials, min_epochs, max_epochs)
        self.rungs = halving_rungs(self.n_trials, self.min_epochs, self.max_epochs, self.eta)

    def _brackets(self) -> list:
        return [(0, self.rungs)]

    def _settings(self) -> dict:
        return {"n_trials": self.n_trials, "min_epochs": self.min_epochs,
                "max_epochs": self.max_epochs, "eta": self.eta,
                "rungs": [list(r) for r in self.rungs]}


class Hyperband(_Halving):
    """Hyperband (Li, Jamieson, DeSalvo, Rostamizadeh & Talwalkar, JMLR 2018, Algorithm 1):
    successive halving run in brackets s = s_max … 0 that trade many short trials against
    few long ones, so that no single guess of how early to judge decides the search.

    With R = ``max_epochs`` / ``min_epochs`` (defaults 27 and 1) and ``eta`` (default 3):
    ``s_max = ⌊log_η R⌋``, ``B = (s_max + 1)·R``; bracket s draws
    ``n = ⌈(B/R)·η^s/(s+1)⌉`` new random points, trains them ``⌊max_epochs·η^{-s}⌋``
    epochs, and halves as `SuccessiveHalving` does: ``n_i = ⌊n·η^{-i}⌋`` trials reach
    ``r_i = ⌊max_epochs·η^{i-s}⌋`` epochs (`hyperband_brackets`).  For R = 27, η = 3:
    brackets of (27×1, 9×3, 3×9, 1×27), (12×3, 4×9, 1×27), (6×9, 2×27), (4×27) — 49
    trials.  Brackets and their rungs run one after the other, each rung's trials in
    parallel; trial indices continue from one bracket to the next.  ``workdir`` and the
    objective: as `SuccessiveHalving`.  See `Search` for the other arguments.
    """

    kind = "hyperband"

    def __init__(self, space, objective, max_epochs: int = 27, eta: int = 3,
                 min_epochs: int = 1, workdir=None, **kwargs):
        super().__init__(space, objective, eta=eta, workdir=workdir, **kwargs)
        owner = type(self).__name__
        self.max_epochs = check_count(max_epochs, owner, "max_epochs")
        self.min_epochs = check_count(min_epochs, owner, "min_epochs")
        if self.min_epochs > self.max_epochs:
            raise ValueError(f"{owner}: min_epochs must be ≤ max_epochs, got "
                             f"min_epochs={min_epochs!r} > max_epochs={max_epochs!r}")
        self.brackets = hyperband_brackets(self.max_epochs, self.eta, self.min_epochs)

    def _brackets(self) -> list:
        s_max = len(self.brackets) - 1
        return [(s_max - j, rungs) for j, rungs in enumerate(self.brackets)]

    def _settings(self) -> dict:
        return {"max_epochs": self.max_epochs, "min_epochs": self.min_epochs,
                "eta": self.eta, "n_trials": sum(b[0][0] for b in self.brackets),
                "brackets": [[list(r) for r in b] for b in self.brackets]}
