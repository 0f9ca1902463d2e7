"""Run a set of experiments, record them in the run database, and write the report.

Experiments are independent (each starts from ``manual_seed(0)`` under one BLAS thread), so
``jobs`` of them run at once in spawned worker processes — one per core by default — and the
results come back in id order whatever order they finish in.
"""
from __future__ import annotations

import numbers
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

from .base import Experiment, Outcome, Result, run_experiment
from .registry import all_experiments, get
from .report import render_figures, write_report


def _numbers(outcome: Outcome) -> dict:
    return {k: float(v) for k, v in outcome.numbers.items()
            if isinstance(v, numbers.Real) and not isinstance(v, bool)}


def _run_one(exp: Experiment, full: bool) -> tuple[Result, str | None]:
    """Run one experiment, figures rendered; an experiment that raises becomes a "not held"
    result with the error."""
    try:
        return render_figures(run_experiment(exp, full=full)), None
    except Exception as err:  # noqa: BLE001 - one broken experiment must not sink the report
        error = f"{type(err).__name__}: {err}"
        outcome = Outcome(held=False, verdict=f"the experiment failed: {error}",
                          setup=traceback.format_exc(limit=3))
        return Result(exp, outcome, 0.0, full), error


def _run_by_id(exp_id: str, full: bool):
    """Worker side: the experiment is found again by id (its function pickles by name)."""
    return _run_one(get([exp_id])[0], full)


def _results(experiments, full: bool, jobs: int):
    """Yield (experiment, result, error) as experiments finish."""
    if jobs <= 1 or len(experiments) <= 1:
        for exp in experiments:
            yield (exp, *_run_one(exp, full))
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(experiments)),
                             mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_run_by_id, exp.id, full): exp for exp in experiments}
        for future in as_completed(futures):
            exp = futures[future]
            try:
                result, error = future.result()
            except Exception as err:  # noqa: BLE001 - a worker that died takes only its experiment
                error = f"{type(err).__name__}: {err}"
                result = Result(exp, Outcome(held=False, verdict=f"the experiment failed: {error}",
                                             setup=""), 0.0, full)
            yield exp, result, error


def default_jobs() -> int:
    from ..tune.executor import cpu_count
    return max(1, min(2, cpu_count()))


def run_lab(ids=None, full: bool = False, out="reports/lab", db=None, log=print,
            progress: bool = True, jobs: int | None = None):
    """Run experiments ``ids`` (all when None), write ``out/index.html``; returns
    (results, report path).  ``db``: a RunDB, a path, None (the default database) or False
    (record nothing).  Each experiment is a child run of one ``lab`` run.  ``jobs``:
    experiments run at once (default: one per core, at most 2) in spawned processes, so a
    script that calls ``run_lab`` needs the usual ``if __name__ == "__main__":`` guard
    (``jobs=1`` runs everything in this process)."""
    from tqdm import tqdm

    experiments = all_experiments() if not ids else get(ids)
    jobs = default_jobs() if jobs is None else int(jobs)
    store, parent = None, None
    if db is not False:
        from ..runs import as_db
        store = as_db(db)
        parent = store.start_run("lab", name="tidu lab", seed=0,
                                 config={"ids": [e.id for e in experiments], "full": full})
    start = time.perf_counter()
    done = {}
    bar = tqdm(total=len(experiments), desc="lab", unit="exp", disable=not progress or None)
    for exp, result, error in _results(experiments, full, jobs):
        bar.update()
        bar.set_postfix_str(exp.id)
        done[exp.id] = result
        log(f"{exp.id:>4}  {result.outcome.status:<8}  {result.seconds:5.1f} s  {exp.title}: "
            f"{result.outcome.takeaway or result.outcome.verdict}")
        if store is not None:
            _record(store, parent, exp, result, error, full)
    bar.close()
    results = [done[e.id] for e in experiments]
    path = write_report(results, out, seconds=time.perf_counter() - start, jobs=jobs)
    if store is not None:
        store.finish_run(parent, {"held": float(sum(r.outcome.held for r in results)),
                                  "experiments": float(len(results))})
    return results, path


def _record(store, parent, exp, result, error, full) -> None:
    child = store.start_run("lab", name=f"{exp.id} {exp.title}", seed=0, parent_id=parent,
                            config={"id": exp.id, "full": full, "setup": result.outcome.setup,
                                    "status": result.outcome.status})
    final = {**_numbers(result.outcome), "held": float(result.outcome.held),
             "seconds": result.seconds}
    if error:
        store.fail_run(child, error, final)
    else:
        store.finish_run(child, final)
