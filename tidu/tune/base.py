"""What every search shares: arguments, callbacks, the loop over batches of trials."""
from __future__ import annotations

import secrets
import time
from numbers import Integral

from .executor import make_executor
from .result import SearchResult, TuneError
from .space import check_space, space_to_dict
from .trial import accepts, accepts_seed, plain, repeat_seed, trial_seed

__all__ = ["Search", "SearchCallbacks"]


class SearchCallbacks:
    """Hooks a search calls in the caller's process.  Each item of ``callbacks`` is either a
    function ``fn(trial)`` (called when a trial ends) or an object with any of
    ``on_search_begin(info)``, ``on_trial_end(trial)``, ``on_search_end(result)`` (the run
    database records searches this way).  Trials end in completion order, which varies
    between executors; ``trial["index"]`` tells which one it is.  An exception raised by a
    callback stops the search (the workers are shut down)."""

    def __init__(self, callbacks, owner: str):
        if callbacks is None:
            callbacks = ()
        elif callable(callbacks) or _has_hooks(callbacks):
            callbacks = (callbacks,)
        callbacks = list(callbacks)
        for i, cb in enumerate(callbacks):
            if not (callable(cb) or _has_hooks(cb)):
                raise TypeError(f"{owner}: callbacks[{i}] must be a function fn(trial) or an "
                                f"object with on_trial_end / on_search_begin / on_search_end, "
                                f"got {type(cb).__name__}")
        self.callbacks = callbacks

    def _call(self, hook: str, arg) -> None:
        for cb in self.callbacks:
            method = getattr(cb, hook, None)
            if method is not None:
                method(arg)
            elif hook == "on_trial_end" and callable(cb):
                cb(arg)

    def on_search_begin(self, info: dict) -> None:
        self._call("on_search_begin", info)

    def on_trial_end(self, trial: dict) -> None:
        self._call("on_trial_end", trial)

    def on_search_end(self, result) -> None:
        self._call("on_search_end", result)


def _has_hooks(obj) -> bool:
    return any(hasattr(obj, h) for h in ("on_trial_end", "on_search_begin", "on_search_end"))


def _check_seed(seed, owner: str) -> int:
    if seed is None:
        return secrets.randbits(32)
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError(f"{owner}: seed must be an int ≥ 0 or None, got seed={seed!r}")
    return int(seed)


def check_count(value, owner: str, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{owner}: {name} must be an int ≥ {minimum}, got {name}={value!r}")
    return int(value)


class Search:
    """Base class of `GridSearch`, `RandomSearch` and `CoarseToFine`.

    Common arguments: ``objective`` — ``objective(params) -> float`` or a dict of metrics
    (pick one with ``metric=``), optionally taking ``seed=`` (the trial's seed); build one
    from a tidu model with `make_objective`.  ``mode`` — ``"max"`` (a score, e.g. accuracy) or
    ``"min"`` (a loss or error); default: the objective's ``mode`` attribute (`make_objective`
    sets it from its metric), else ``"max"``.  ``metric`` — which entry of a returned dict
    ranks the trials (default: the objective's ``metric`` attribute, or the only entry).
    ``n_jobs`` — local worker processes (None or -1: one per core; 1: in this process).
    ``client`` (a `dask.distributed.Client`) or ``scheduler`` (its address, e.g.
    ``"tcp://10.0.0.5:8786"``) — run the trials on that Dask cluster instead.
    ``callbacks`` — see `SearchCallbacks`.  ``seed`` — the search seed (None: drawn and kept
    in ``result.seed``); trial i's parameters and seed are functions of (seed, i) alone, so
    a search gives the same trials on every executor.  ``repeats`` — run every configuration
    with that many seeds (default 1): configuration i's repeat r is the trial with index
    i·repeats + r (its record says ``config`` = i, ``repeat`` = r), seeded by (seed, i, r);
    ``result.winner`` / ``result.seed_verdict()`` then tell the best configuration with its
    interval over the seeds and whether it beats the runner-up beyond seed noise.
    ``pruner`` — a `MedianPruner`, `PercentilePruner`, `DiagnosisPruner` or a list of them
    (`tidu.tune.pruning`): each trial is judged after every epoch against the curves of the
    trials that ended before it was dispatched; the trials then go out ``batch_size`` at a
    time (default: one per worker), so that later ones have a reference.

    ``run()`` returns a `SearchResult` (also kept as ``search.result_``); it raises
    `TuneError` if every trial failed.
    """

    kind = "search"
    repeatable = True  # False where the plan follows single trials (successive halving)
    resumable = True   # False where trials hold state outside their records (checkpoints)

    def __init__(self, space, objective, *, mode: str | None = None, metric: str | None = None,
                 n_jobs: int | None = None, client=None, scheduler: str | None = None,
                 callbacks=(), seed: int | None = None, repeats: int = 1, pruner=None,
                 batch_size: int | None = None):
        owner = type(self).__name__
        self.space = check_space(space, owner)
        if not callable(objective):
            raise TypeError(f"{owner}: objective must be callable objective(params) -> float "
                            f"or dict, got {type(objective).__name__}")
        if mode is None:
            mode = getattr(objective, "mode", "max")
        if mode not in ("max", "min"):
            raise ValueError(f"{owner}: mode must be 'max' or 'min', got mode={mode!r}")
        if metric is not None and not isinstance(metric, str):
            raise TypeError(f"{owner}: metric must be a name (str) or None, got {metric!r}")
        self.objective = objective
        self.mode = mode
        self.metric = metric if metric is not None else getattr(objective, "metric", None)
        if self.metric is not None and not isinstance(self.metric, str):
            self.metric = None
        self.seed = _check_seed(seed, owner)
        self.repeats = check_count(repeats, owner, "repeats")
        from .pruning import as_pruners
        self.pruners = as_pruners(pruner, owner)
        if self.pruners and not accepts(objective, "pruning"):
            raise TypeError(f"{owner}: pruner= needs an objective that takes pruning= (and "
                            f"reports each epoch's score to it), as make_objective's does")
        self.batch_size = None if batch_size is None else check_count(batch_size, owner,
                                                                       "batch_size")
        if self.repeats > 1 and not self.repeatable:
            raise ValueError(f"{owner}: repeats={repeats} is not supported: its plan follows "
                             f"single trials; repeat the whole search with other seeds instead")
        self._executor_args = (n_jobs, client, scheduler)
        make_executor(n_jobs, client, scheduler, owner)  # check the arguments now
        self.callbacks = SearchCallbacks(callbacks, owner)
        self.result_ = None

    # -------------------------------------------------------------- for subclasses
    def _plan(self):
        """Yield batches (lists) of tasks; may look at ``self._trials`` between batches."""
        raise NotImplementedError

    def _settings(self) -> dict:
        return {}

    def _task(self, index: int, params: dict, round: int = 0) -> dict:
        return {"index": index, "round": round,
                "params": {k: plain(v) for k, v in params.items()},
                "seed": trial_seed(self.seed, index)}

    def _interrupted(self, tasks, exc: BaseException) -> None:
        """Report each trial that was running when the search was interrupted (Ctrl-C,
        SIGTERM) to the callbacks as a ``killed`` trial, so that the run database shows
        it; a callback failing now does not hide the interruption."""
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else "interrupted"
        for task in tasks:
            trial = {"index": task["index"], "round": task.get("round", 0),
                     "params": task["params"], "seed": task["seed"], "status": "killed",
                     "score": None, "metrics": {}, "error": f"the search was interrupted "
                                                           f"({reason})",
                     "traceback": None, "seconds": 0.0}
            try:
                self.callbacks.on_trial_end(trial)
            except Exception:  # noqa: BLE001 — the interruption is what gets reported
                pass

    def _done(self, resume) -> dict:
        """index → ended record of an earlier run (``resume``), checked against this search."""
        if not resume:
            return {}
        owner = type(self).__name__
        if not self.resumable:
            raise ValueError(f"{owner}: cannot resume: its trials keep state outside their "
                             f"records; run it again")
        return {int(t["index"]): t for t in resume
                if t.get("status") in ("finished", "failed", "pruned")}

    def _reuse(self, chunk, done) -> list:
        """The tasks of ``chunk`` still to run; the others' earlier records join the trials."""
        if not done:
            return chunk
        todo = []
        for task in chunk:
            old = done.get(task["index"])
            if old is None:
                todo.append(task)
                continue
            if old["params"] != task["params"]:
                raise ValueError(f"{type(self).__name__}: cannot resume: trial "
                                 f"{task['index']} had params {old['params']}, this search "
                                 f"would try {task['params']} (another space, seed or "
                                 f"setting)")
            self._trials.append(dict(old))
        return todo

    def _chunks(self, tasks, executor):
        """The tasks as they go out: all at once without pruning; with it, ``batch_size`` at
        a time (default: the executor's workers), each carrying the curves of every trial
        ended before it."""
        if not self.pruners:
            yield tasks
            return
        size = self.batch_size or max(1, getattr(executor, "n_jobs", None) or 1)
        for start in range(0, len(tasks), size):
            reference = [t["curve"] for t in self._trials if t.get("curve")]
            yield [dict(task, pruning={"pruners": self.pruners, "mode": self.mode,
                                       "reference": reference})
                   for task in tasks[start:start + size]]

    def _repeated(self, tasks) -> tuple:
        """(tasks, {new index: (configuration index, repeat)}): each task ``repeats`` times
        with its own index and seed; unchanged (and an empty map) when repeats is 1."""
        if self.repeats == 1:
            return tasks, {}
        out, origin = [], {}
        for task in tasks:
            for r in range(self.repeats):
                index = task["index"] * self.repeats + r
                out.append(dict(task, index=index,
                                seed=repeat_seed(self.seed, task["index"], r)))
                origin[index] = (task["index"], r)
        return out, origin

    # -------------------------------------------------------------- the loop
    def describe(self, executor=None) -> dict:
        """How this search runs, as a plain dict (what ``on_search_begin`` receives)."""
        info = {"kind": self.kind, "space": space_to_dict(self.space), "mode": self.mode,
                "metric": self.metric, "seed": self.seed,
                "objective": getattr(self.objective, "__name__", type(self.objective).__name__)}
        info.update(self._settings())
        if self.repeats > 1:
            info["repeats"] = self.repeats
        if self.pruners:
            info["pruner"] = [repr(p) for p in self.pruners]
        if executor is not None:
            info["executor"] = executor.describe()
        return info

    def run(self, resume=None) -> SearchResult:
        """Run every trial and return the `SearchResult`.

        ``resume``: the trial records of an earlier, interrupted run of this same search
        (same space, seed and settings; e.g. read back from the run database with
        `tidu.runs.trial_records`): a trial whose index is among its finished, failed or
        pruned records is not run again — its record takes its place, and is not passed to
        the callbacks a second time — so the search continues where it stopped, with the
        same trials it would have run uninterrupted."""
        executor = make_executor(*self._executor_args, owner=type(self).__name__)
        info = self.describe(executor)
        self._trials, self._spaces = [], []
        done = self._done(resume)
        start = time.perf_counter()
        executor.start(self.objective, self.metric, accepts_seed(self.objective))
        try:
            self.callbacks.on_search_begin(info)
            for tasks in self._plan():
                tasks, origin = self._repeated(tasks)
                for chunk in self._chunks(tasks, executor):
                    chunk = self._reuse(chunk, done)
                    for trial in executor.run(chunk) if chunk else ():
                        if origin:
                            trial["config"], trial["repeat"] = origin[trial["index"]]
                        self._trials.append(trial)
                        self.callbacks.on_trial_end(trial)
        except BaseException as exc:
            self._abort(executor, exc)
            raise
        return self._finish(executor, info, start)

    def _abort(self, executor, exc: BaseException) -> None:
        """Interrupted (Ctrl-C; SIGTERM under the command line) or a callback failed: note
        the trials still running, then end the workers without waiting for them."""
        running = executor.running()
        executor.abort()
        if isinstance(exc, KeyboardInterrupt):
            self._interrupted(running, exc)

    def _finish(self, executor, info: dict, start: float) -> SearchResult:
        """Close the workers, build the result, tell the callbacks; `TuneError` if every
        trial failed."""
        executor.close()
        result = SearchResult(self._trials, self.mode, self.metric, self.seed, info,
                              spaces=self._spaces, seconds=time.perf_counter() - start)
        self.result_ = result
        self.callbacks.on_search_end(result)
        if not result.finished:
            first = result.trials[0]["error"] if result.trials else "no trial ran"
            raise TuneError(f"{type(self).__name__}: all {len(result.trials)} trials failed; "
                            f"first error: {first} (see error.result.trials)", result)
        return result

