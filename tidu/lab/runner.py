"""Run a set of experiments, record them in the run database, and write the report."""
from __future__ import annotations

import numbers
import traceback

from .base import Experiment, Outcome, Result, run_experiment
from .registry import all_experiments, get
from .report import render_figures, write_report


def _numbers(outcome: Outcome) -> dict:
    return {k: float(v) for k, v in outcome.numbers.items()
            if isinstance(v, numbers.Real) and not isinstance(v, bool)}


def _run_one(exp: Experiment, full: bool) -> tuple[Result, str | None]:
    """Run one experiment; an experiment that raises becomes a "not held" result with the error."""
    try:
        return run_experiment(exp, full=full), None
    except Exception as err:  # noqa: BLE001 - one broken experiment must not sink the report
        error = f"{type(err).__name__}: {err}"
        outcome = Outcome(held=False, verdict=f"the experiment failed: {error}",
                          setup=traceback.format_exc(limit=3))
        return Result(exp, outcome, 0.0, full), error


def run_lab(ids=None, full: bool = False, out="reports/lab", db=None, log=print,
            progress: bool = True):
    """Run experiments ``ids`` (all when None), write ``out/index.html``; returns
    (results, report path).  ``db``: a RunDB, a path, None (the default database) or False
    (record nothing).  Each experiment is a child run of one ``lab`` run."""
    from tqdm import tqdm

    experiments = all_experiments() if not ids else get(ids)
    store, parent = None, None
    if db is not False:
        from ..runs import as_db
        store = as_db(db)
        parent = store.start_run("lab", name="tidu lab", seed=0,
                                 config={"ids": [e.id for e in experiments], "full": full})
    results = []
    bar = tqdm(experiments, desc="lab", unit="exp", disable=not progress or None)
    for exp in bar:
        bar.set_postfix_str(exp.id)
        result, error = _run_one(exp, full)
        results.append(render_figures(result))
        verdict = "held" if result.outcome.held else "not held"
        log(f"{exp.id:>4}  {verdict:<8}  {result.seconds:5.1f} s  {exp.title}: {result.outcome.verdict}")
        if store is not None:
            child = store.start_run("lab", name=f"{exp.id} {exp.title}", seed=0, parent_id=parent,
                                    config={"id": exp.id, "full": full, "setup": result.outcome.setup})
            final = {**_numbers(result.outcome), "held": float(result.outcome.held),
                     "seconds": result.seconds}
            if error:
                store.fail_run(child, error, final)
            else:
                store.finish_run(child, final)
    path = write_report(results, out)
    if store is not None:
        store.finish_run(parent, {"held": float(sum(r.outcome.held for r in results)),
                                  "experiments": float(len(results))})
    return results, path
