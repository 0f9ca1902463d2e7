"""The data behind the "Lab" page of `tidu ui`: the lab's experiments with their latest
recorded verdicts, and `LabJobs`, which runs one experiment (quick mode) at a time in a
spawned worker process so the server stays responsive, with its progress and, once done,
its report section.  Plain JSON-able values only; a bad request is a
`tidu.ui.runs_api.UIError`.

A run from the page is recorded as `tidu lab` records each experiment
(`tidu.lab.runner._record`): one ``lab`` run named ``"E18 <title>"`` whose config holds
``id``, ``full``, ``setup`` and ``status`` and whose final metrics hold the experiment's
numbers, ``held`` and ``seconds`` — without a parent ``tidu lab`` run (``parent_id`` None):
it is one experiment, not a lab session.  The worker records it, so a result reaches the
database even if the page is closed before it is done.
"""
from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from ..runs.db import decode_json
from .runs_api import UIError, clean

__all__ = ["experiments", "LabJobs", "run_in_worker"]

# the latest "lab" run of each experiment id: one query for the whole page
_LATEST_SQL = """
SELECT id, status, ended_at, config, metrics, json_extract(config, '$.id') AS exp
FROM runs
WHERE id IN (SELECT max(id) FROM runs
             WHERE kind = 'lab' AND json_extract(config, '$.id') IS NOT NULL
             GROUP BY json_extract(config, '$.id'))
"""


def _latest_runs(db) -> dict:
    """``{experiment id: latest lab run}`` as the page shows it, from one SQL query."""
    out = {}
    for row in db.query(_LATEST_SQL):
        config, metrics = decode_json(row["config"]), decode_json(row["metrics"])
        held = metrics.get("held")
        out[str(row["exp"])] = {
            "run_id": row["id"], "status": config.get("status"),
            "held": None if held is None else bool(held),
            "seconds": clean(metrics.get("seconds")), "ended_at": row["ended_at"],
            "run_status": row["status"], "full": bool(config.get("full", False))}
    return out


def experiments(db, presets=None) -> list:
    """Every registered experiment, in id order: ``{id, title, claim_zh, claim_en, notes,
    expected, preset, latest}`` — ``preset`` is ``presets.get(id)`` (the playground preset
    that shows the claim, None without one); ``latest`` the experiment's most recent
    recorded run (``{run_id, status: 'held' | 'not held' | 'mixed', held, seconds,
    ended_at, run_status, full}``), None when it never ran."""
    from ..lab.registry import all_experiments
    presets = presets or {}
    latest = _latest_runs(db)
    return [{"id": e.id, "title": e.title, "claim_zh": e.claim_zh, "claim_en": e.claim_en,
             "notes": list(e.notes), "expected": e.expected,
             "preset": clean(presets.get(e.id)), "latest": latest.get(e.id)}
            for e in all_experiments()]


def _expected_seconds(db, exp_id: str):
    """How long the experiment's latest quick-mode run took (its ``seconds`` metric), or
    None when none is recorded."""
    rows = db.query("SELECT json_extract(metrics, '$.seconds') FROM runs WHERE kind = 'lab' "
                    "AND json_extract(config, '$.id') = ? "
                    "AND coalesce(json_extract(config, '$.full'), 0) = 0 "
                    "ORDER BY id DESC LIMIT 1", (exp_id,))
    value = rows[0][0] if rows else None
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def run_in_worker(exp_id: str, db=None) -> dict:
    """Worker side: run experiment ``exp_id`` in quick mode, record it in ``db`` (a
    `RunDB`, a path; None: record nothing) and return what the page shows, as plain data:
    ``{exp_id, status, held, verdict, takeaway, seconds, error, section_html, run_id}`` —
    the section as the lab report renders it, figures inline as PNG."""
    from ..lab.registry import get
    from ..lab.report import _section
    from ..lab.runner import _record, _run_one

    exp = get([exp_id])[0]
    result, error = _run_one(exp, False)  # figures already rendered to base64
    run_id = None
    if db is not None:
        from ..runs import as_db
        store = as_db(db)
        _record(store, None, exp, result, error, False)
        rows = store.query("SELECT max(id) FROM runs WHERE kind = 'lab' AND "
                           "json_extract(config, '$.id') = ?", (exp.id,))
        run_id = rows[0][0] if rows else None
    o = result.outcome
    return {"exp_id": exp.id, "status": o.status, "held": bool(o.held), "verdict": o.verdict,
            "takeaway": o.takeaway, "seconds": float(result.seconds), "error": error,
            "section_html": _section(result), "run_id": run_id}


class LabJobs:
    """``LabJobs(db)``: runs experiments from the page, one at a time, in a spawned worker
    process (created on the first `start`), recording each in ``db`` (a `RunDB` or a path;
    False records nothing).

    * ``start(exp_id) -> job_id``: 404 for an unknown experiment, 409 while another runs;
    * ``status(job_id)``: ``{job_id, exp_id, state: 'running' | 'done' | 'failed', elapsed,
      expected_seconds, progress, status, verdict, takeaway, error, run_id,
      section_html}`` — ``progress`` is elapsed / expected (at most 0.99) while running,
      1.0 once ended, None when no earlier run says how long it takes; the verdict fields
      None until the job ends;
    * ``shutdown()``: stops the worker (a running experiment is abandoned).
    """

    def __init__(self, db=None):
        from ..runs import as_db
        self.db = None if db is False else as_db(db)
        self._pool = None
        self._jobs: dict = {}
        self._running = None  # the job id of the running experiment
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ the worker
    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
        return self._pool

    def _finished(self, job_id: str, future) -> None:
        """The future's callback: keep the result (or the worker's failure) and the time."""
        broken = None
        with self._lock:
            job = self._jobs[job_id]
            if job["ended"] is not None:  # already marked stopped by `shutdown`
                return
            job["ended"] = time.monotonic()
            if future.cancelled():
                job["error"] = "stopped before it ran"
            elif future.exception() is not None:
                err = future.exception()
                job["error"] = f"the worker failed: {type(err).__name__}: {err}"
                # a broken pool cannot run another job: the next start makes a new one
                broken, self._pool = self._pool, None
            else:
                job["result"] = future.result()
            if self._running == job_id:
                self._running = None
        if broken is not None:
            broken.shutdown(wait=False)

    # ------------------------------------------------------------------ the page's calls
    def start(self, exp_id) -> str:
        """Start experiment ``exp_id`` (``"E18"``, ``"e18"`` or ``"18"``) in quick mode;
        returns the job id."""
        from ..lab.registry import get
        try:
            exp = get([exp_id])[0]
        except KeyError as err:
            raise UIError(f"exp_id: {err.args[0]}", status=404) from None
        with self._lock:
            if self._running is not None:
                running = self._jobs[self._running]
                raise UIError(f"experiment {running['exp_id']} is still running (job "
                              f"{self._running}); one experiment runs at a time",
                              status=409)
            job_id = uuid.uuid4().hex[:12]
            self._jobs[job_id] = {"exp_id": exp.id, "started": time.monotonic(),
                                  "ended": None, "result": None, "error": None,
                                  "expected": (None if self.db is None
                                               else _expected_seconds(self.db, exp.id))}
            self._running = job_id
            future = self._executor().submit(run_in_worker, exp.id, self.db)
        future.add_done_callback(lambda f: self._finished(job_id, f))
        return job_id

    def status(self, job_id) -> dict:
        """Where job ``job_id`` stands (see the class); unknown id → `UIError` 404."""
        with self._lock:
            job = self._jobs.get(job_id) if isinstance(job_id, str) else None
            if job is None:
                raise UIError(f"no lab job {job_id!r} (job_id)", status=404)
            job = dict(job)
        ended = job["ended"] is not None
        elapsed = (job["ended"] if ended else time.monotonic()) - job["started"]
        result = job["result"] or {}
        error = job["error"] or result.get("error")
        expected = job["expected"]
        if ended:
            progress = 1.0
        else:
            progress = None if not expected else min(elapsed / expected, 0.99)
        return {"job_id": job_id, "exp_id": job["exp_id"],
                "state": "running" if not ended else ("failed" if error else "done"),
                "elapsed": round(elapsed, 3), "expected_seconds": expected,
                "progress": progress, "status": result.get("status"),
                "verdict": result.get("verdict"), "takeaway": result.get("takeaway"),
                "error": error, "run_id": result.get("run_id"),
                "section_html": result.get("section_html")}

    def running(self):
        """The id of the job that is running, or None."""
        with self._lock:
            return self._running

    def shutdown(self) -> None:
        """Stop the worker process (a running experiment is abandoned, its job failed) and
        the pool; a later `start` creates a new one."""
        with self._lock:
            pool, self._pool = self._pool, None
            if self._running is not None:
                job = self._jobs[self._running]
                job["ended"], job["error"] = time.monotonic(), "stopped: the server shut down"
                self._running = None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # the executor has no way to stop a running task
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
