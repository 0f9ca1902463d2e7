"""`TrialRecorder`: a `tidu.tune` search hook that records the search and its trials."""
from __future__ import annotations

from .logger import as_db

__all__ = ["TrialRecorder"]


class TrialRecorder:
    """``TrialRecorder(db=None, name=None, config=None, parent_id=None)`` — pass it in a
    search's ``callbacks``: ``RandomSearch(space, objective, callbacks=[TrialRecorder()])``.

    * ``on_search_begin(info)``: a ``search`` run (status ``running``) whose config is
      ``config`` plus the search's description (kind, space, mode, metric, seed,
      executor) under ``"search"``; its id is ``self.search_id``;
    * ``on_trial_end(trial)``: one ``trial`` run, child of the search, already ended —
      ``finished``, ``failed`` with the trial's error, or ``killed`` (running when the
      search was interrupted); its config holds the trial's
      ``params`` (and ``index``, ``round``), its final metrics what the objective
      returned plus ``score``; its duration the trial's time.  Trials are recorded in the
      caller's process as they end, so this works with every executor (local processes,
      Dask) — the workers never touch the database;
    * ``on_search_end(result)``: the search ``finished`` with ``best_score``,
      ``best_index``, ``best_run`` (the best trial's run id), ``best_params``,
      ``n_trials``, ``n_failed`` — or ``failed`` when every trial failed.

    ``self.trial_ids`` maps trial index → run id.  Used as a context manager, an exception
    that stops the search marks its run ``failed`` (``killed`` for KeyboardInterrupt).
    """

    def __init__(self, db=None, name: str | None = None, config: dict | None = None,
                 parent_id: int | None = None):
        self.db = as_db(db)
        self.name = name
        self.config = dict(config or {})
        self.parent_id = parent_id
        self.search_id = None
        self.trial_ids: dict = {}
        self._ended = False

    def on_search_begin(self, info: dict) -> None:
        config = dict(self.config)
        config["search"] = {**config.get("search", {}), **info} \
            if isinstance(config.get("search"), dict) else info
        if self.search_id is None:
            self.search_id = self.db.start_run("search", self.name, config, info.get("seed"),
                                               self.parent_id)
        else:
            self.db.update_run(self.search_id, config=config)
        self._ended = False

    def on_trial_end(self, trial: dict) -> None:
        if self.search_id is None:
            self.on_search_begin({})
        metrics = dict(trial.get("metrics") or {})
        if trial.get("score") is not None:
            metrics["score"] = trial["score"]
        label = f"{self.name} " if self.name else ""
        status = trial["status"] if trial["status"] in ("finished", "killed") else "failed"
        run_id = self.db.record_run(
            "trial", status,
            name=f"{label}trial {trial['index']}",
            config={"params": trial["params"], "index": trial["index"],
                    "round": trial.get("round", 0)},
            seed=trial.get("seed"), parent_id=self.search_id, metrics=metrics,
            error=trial.get("error"), duration=trial.get("seconds"))
        self.trial_ids[trial["index"]] = run_id

    def on_search_end(self, result) -> None:
        finished = result.finished
        summary = {"n_trials": len(result.trials), "n_failed": len(result.failed),
                   "metric": result.metric, "mode": result.mode,
                   "seconds": result.seconds}
        if finished:
            best = result.best_trial
            summary.update(best_score=best["score"], best_index=best["index"],
                           best_run=self.trial_ids.get(best["index"]),
                           best_params=best["params"])
            self.db.finish_run(self.search_id, summary)
        else:
            first = result.trials[0]["error"] if result.trials else "no trial ran"
            self.db.fail_run(self.search_id, f"all {len(result.trials)} trials failed; first "
                                             f"error: {first}", summary)
        self._ended = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and self.search_id is not None and not self._ended:
            status = "killed" if isinstance(exc, KeyboardInterrupt) else "failed"
            self.db.end_run(self.search_id, status, error=f"{type(exc).__name__}: {exc}")
            self._ended = True
        return False
