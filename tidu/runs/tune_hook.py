"""`TrialRecorder`: a `tidu.tune` search hook that records the search and its trials."""
from __future__ import annotations

from .logger import as_db

__all__ = ["TrialRecorder", "trial_records"]

_EXTRA = ("config", "repeat", "rung", "epochs", "bracket", "finding")
"""Optional trial fields kept in a trial run's config (see `tidu.tune.trial`)."""


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
    A trial's curve (with a pruner) is kept as its per-epoch ``score``; its status
    ``pruned``, finding and the other optional fields in its config.

    ``resume_id``: record into that earlier search run (killed or failed), reopened, as
    ``Search.run(resume=trial_records(db, resume_id))`` continues it.
    """

    def __init__(self, db=None, name: str | None = None, config: dict | None = None,
                 parent_id: int | None = None, resume_id: int | None = None):
        self.db = as_db(db)
        self.name = name
        self.config = dict(config or {})
        self.parent_id = parent_id
        self.search_id = resume_id
        self._reopen = resume_id is not None
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
            if self._reopen:
                self.db.reopen_run(self.search_id)
                self._reopen = False
                self.trial_ids.update({r.config.get("index"): r.id
                                       for r in self.db.children(self.search_id)})
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
        config = {"params": trial["params"], "index": trial["index"],
                  "round": trial.get("round", 0)}
        config.update({k: trial[k] for k in _EXTRA if trial.get(k) is not None})
        if trial["status"] == "pruned":
            config["status"] = "pruned"
        curve = trial.get("curve")
        run_id = self.db.record_run(
            "trial", status,
            name=f"{label}trial {trial['index']}",
            config=config, seed=trial.get("seed"), parent_id=self.search_id, metrics=metrics,
            error=trial.get("error"), duration=trial.get("seconds"),
            epochs=[{"score": v} for v in curve] if curve else None)
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


def trial_records(db, search_id: int) -> list:
    """The trial records (`tidu.tune.trial.Trial` dicts) of search run ``search_id`` as
    `TrialRecorder` stored them — what ``Search.run(resume=…)`` takes.  Trials recorded as
    killed are left out (they run again)."""
    db = as_db(db)
    out = []
    for run in db.children(search_id):
        if run.kind != "trial" or run.status not in ("finished", "failed"):
            continue
        cfg = run.config or {}
        metrics = dict(run.metrics or {})
        score = metrics.pop("score", None)
        if not metrics and score is not None:  # the objective returned a bare number
            metrics = {"score": score}
        record = {"index": int(cfg["index"]), "round": int(cfg.get("round", 0)),
                  "params": cfg.get("params", {}), "seed": run.seed,
                  "status": cfg.get("status", run.status),
                  "score": score if run.status == "finished" else None,
                  "metrics": metrics if run.status == "finished" else {},
                  "error": run.error, "traceback": None, "seconds": run.duration or 0.0}
        record.update({k: cfg[k] for k in _EXTRA if k in cfg})
        curve = db.metrics(run.id).get("score")
        if curve:
            record["curve"] = [v for _, v in curve]
        out.append(record)
    return out
