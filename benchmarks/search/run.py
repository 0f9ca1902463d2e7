"""tidu's search against Optuna at an equal budget of training epochs (issue 13, item 8).

    .venv/bin/pip install -e '.[bench]'          # optuna, for this benchmark only
    .venv/bin/python benchmarks/search/run.py     # 4 tasks × 20 seeds, ~10 min on 2 cores

The protocol is in README.md beside this file; the measured table goes to RESULTS.md (and
every search's numbers to results.json).  Quick check: ``--seeds 2 --tasks digits``.

Searches (all with one worker, in one process, on the same `tasks.train_epoch`):

* ``tidu-hyperband``  — `tidu.tune.Hyperband(max_epochs=27, eta=3)`; promoted trials resume
  from their pickled `TrainState`;
* ``tidu-tpe-median`` — `tidu.tune.TPESearch` (defaults) with ``MedianPruner()`` (defaults),
  each trial up to 27 epochs, reporting every epoch;
* ``optuna``          — ``TPESampler(seed)`` (defaults) with
  ``HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)``, each trial up to
  27 epochs, ``trial.report`` / ``should_prune`` every epoch.

Every search gets the same budget: the epochs one tidu Hyperband sweep trains (357 for
R = 27, η = 3, counting a promoted trial's continued epochs only once); a search that would
train one more epoch is stopped there (`tasks.BudgetExhausted`).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from multiprocessing import get_context

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from tasks import (MODE, METRIC, SPACE, TASKS, Budget, BudgetExhausted,  # noqa: E402
                   TrainState, train_epoch)

MAX_EPOCHS, ETA = 27, 3
SEARCHES = ("tidu-hyperband", "tidu-tpe-median", "optuna")


def budget_epochs(max_epochs: int = MAX_EPOCHS, eta: int = ETA) -> int:
    """Epochs one Hyperband sweep trains: Σ over brackets and rungs of n_i·(r_i − r_{i−1})."""
    from tidu.tune.halving import hyperband_brackets
    total = 0
    for rungs in hyperband_brackets(max_epochs, eta):
        before = 0
        for n, r in rungs:
            total += n * (r - before)
            before = r
    return total


# ------------------------------------------------------------------ the objectives
class HyperbandObjective:
    """tidu's budgeted objective: train to ``budget`` epochs, resuming from ``checkpoint``."""

    def __init__(self, task: str, budget: Budget):
        self.task, self.budget = task, budget
        self.metric, self.mode = METRIC[task], MODE[task]

    def __call__(self, params, seed=None, budget=None, checkpoint=None):
        if os.path.exists(checkpoint):
            state = TrainState.load(checkpoint)
        else:
            state = TrainState(self.task, params, seed)
        score = None
        while state.epochs < budget:
            score = train_epoch(state, self.budget)
            self.budget.record(checkpoint, state.epochs, score)
        state.save(checkpoint)
        return {self.metric: score}


class PrunedObjective:
    """tidu's objective for a pruned search: up to MAX_EPOCHS epochs, each reported."""

    def __init__(self, task: str, budget: Budget):
        self.task, self.budget = task, budget
        self.metric, self.mode = METRIC[task], MODE[task]

    def __call__(self, params, seed=None, pruning=None):
        state = TrainState(self.task, params, seed)
        key = object()
        for epoch in range(MAX_EPOCHS):
            score = train_epoch(state, self.budget)
            self.budget.record(id(key), state.epochs, score)
            pruning.report(epoch, score)
        return {self.metric: score}


def _tidu_space():
    from tidu.tune import loguniform, randint
    return {"lr": loguniform(*SPACE["lr"]), "width": randint(*SPACE["width"], log=True),
            "weight_decay": loguniform(*SPACE["weight_decay"])}


def run_tidu_hyperband(task: str, seed: int, budget: Budget):
    from tidu.tune import Hyperband
    with tempfile.TemporaryDirectory(prefix="bench-hb-") as workdir:
        search = Hyperband(_tidu_space(), HyperbandObjective(task, budget),
                           max_epochs=MAX_EPOCHS, eta=ETA, n_jobs=1, seed=seed,
                           workdir=workdir)
        result = search.run()
    return result.best_score


def run_tidu_tpe_median(task: str, seed: int, budget: Budget):
    from tidu.tune import MedianPruner, TPESearch
    search = TPESearch(_tidu_space(), PrunedObjective(task, budget), n_trials=100_000,
                       pruner=MedianPruner(), n_jobs=1, seed=seed)
    search.run()  # ends by BudgetExhausted


def run_optuna(task: str, seed: int, budget: Budget):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize" if MODE[task] == "max" else "minimize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=MAX_EPOCHS,
                                              reduction_factor=ETA))

    def objective(trial):
        params = {"lr": trial.suggest_float("lr", *SPACE["lr"], log=True),
                  "width": trial.suggest_int("width", *SPACE["width"], log=True),
                  "weight_decay": trial.suggest_float("weight_decay", *SPACE["weight_decay"],
                                                      log=True)}
        state = TrainState(task, params, int(np.random.SeedSequence(
            [seed, trial.number]).generate_state(1)[0] >> 1))
        for epoch in range(1, MAX_EPOCHS + 1):
            score = train_epoch(state, budget)
            budget.record(trial.number, state.epochs, score)
            trial.report(score, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return score

    study.optimize(objective, catch=(FloatingPointError,))


RUNNERS = {"tidu-hyperband": run_tidu_hyperband, "tidu-tpe-median": run_tidu_tpe_median,
           "optuna": run_optuna}


# ------------------------------------------------------------------ one job
def run_job(job: tuple) -> list:
    """The three searches of one (task, seed), in an order rotated by the seed."""
    from threadpoolctl import threadpool_limits
    task, seed, epochs = job
    rows = []
    order = SEARCHES[seed % 3:] + SEARCHES[:seed % 3]
    with threadpool_limits(1):
        for name in order:
            budget = Budget(epochs)
            budget.start()
            try:
                RUNNERS[name](task, seed, budget)
            except BudgetExhausted:
                pass
            wall = time.perf_counter() - budget.t0
            full = [(t, s) for t, _, e, s in budget.log if e == MAX_EPOCHS]
            rows.append({"task": task, "seed": seed, "search": name, "epochs": budget.used,
                         "seconds": wall, "n_evals": len(budget.log), "full": full,
                         "n_full": len(full)})
    return rows


# ------------------------------------------------------------------ the report
def _best(row, mode):
    if not row["full"]:
        return float("nan")
    scores = [s for _, s in row["full"]]
    return max(scores) if mode == "max" else min(scores)


def _time_to(row, target, mode):
    for t, s in row["full"]:  # in time order
        if (s >= target) if mode == "max" else (s <= target):
            return t
    return float("inf")


def _worst_filled(values, mode):
    v = np.asarray(values, dtype=float)
    return np.where(np.isnan(v), -np.inf if mode == "max" else np.inf, v)


def summarize(rows: list) -> dict:
    """Per task and search: median best, IQR, time to Optuna's median best."""
    out = {}
    for task in sorted({r["task"] for r in rows}, key=TASKS.index):
        mode = MODE[task]
        by = {name: sorted([r for r in rows if r["task"] == task and r["search"] == name],
                           key=lambda r: r["seed"]) for name in SEARCHES}
        best = {n: _worst_filled([_best(r, mode) for r in rs], mode) for n, rs in by.items()}
        target = float(np.median(best["optuna"]))
        stats = {}
        for name, rs in by.items():
            b = best[name]
            times = np.array([_time_to(r, target, mode) for r in rs])
            stats[name] = {
                "median": float(np.median(b)), "q25": float(np.percentile(b, 25)),
                "q75": float(np.percentile(b, 75)),
                # the lower median: the 10th fastest of 20 seeds (the plain median of
                # 10 finite and 10 infinite times would be infinite)
                "time_to_target": float(np.percentile(times, 50, method="lower")),
                "reached": int(np.isfinite(times).sum()), "n": len(rs),
                "epochs": float(np.median([r["epochs"] for r in rs])),
                "seconds": float(np.median([r["seconds"] for r in rs])),
                "n_full": float(np.median([r["n_full"] for r in rs]))}
        tidus = ["tidu-hyperband", "tidu-tpe-median"]
        better = (max if mode == "max" else min)(tidus, key=lambda n: stats[n]["median"])
        out[task] = {"mode": mode, "metric": METRIC[task], "target": target, "stats": stats,
                     "picked": better}
    return out


def _fmt(x, metric):
    if not np.isfinite(x):
        return "—"
    return f"{x:.4f}" if metric == "mse" else f"{x:.3f}"


def _sec(t):
    return "not reached" if not np.isfinite(t) else f"{t:.2f} s"


def report(summary: dict, meta: dict) -> str:
    lines = ["# tidu's search vs Optuna at an equal epoch budget", "",
             f"Generated by `benchmarks/search/run.py` (protocol: README.md). "
             f"{meta['date']}, {meta['minutes']:.1f} min.", "", "## Machine", ""]
    lines += [f"- **{k}**: {v}" for k, v in meta["machine"].items()]
    lines += ["", f"Budget per search: **{meta['budget']} epochs**; {meta['seeds']} seeds per "
              f"task and search; every search with 1 worker and 1 BLAS thread; "
              f"{meta['processes']} searches ran side by side (one per core).", "",
              "## Results", "",
              "Best = the best validation score among models trained the full 27 epochs "
              "(accuracy ↑; teacher: MSE ↓). Target = Optuna's median best. Time to target: "
              "lower median over seeds (the ⌈n/2⌉-th fastest) of the wall-clock seconds "
              "from the search's start to its first full-length model at or beyond the "
              "target (a search that never got there counts as never; \"not reached\" when "
              "fewer than ⌈n/2⌉ seeds got there).", "",
              "| task | search | median best | IQR | time to Optuna's median | reached | "
              "epochs used | wall s | full-length models |",
              "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for task, s in summary.items():
        m = s["metric"]
        for name in SEARCHES:
            st = s["stats"][name]
            mark = " (picked)" if name == s["picked"] else ""
            lines.append(f"| {task} ({m}) | {name}{mark} | {_fmt(st['median'], m)} | "
                         f"{_fmt(st['q25'], m)}–{_fmt(st['q75'], m)} | "
                         f"{_sec(st['time_to_target'])} | {st['reached']}/{st['n']} | "
                         f"{st['epochs']:.0f} | {st['seconds']:.2f} | {st['n_full']:.0f} |")
    lines += ["", "## Targets", "",
              "tidu's strategy per task is the one of the two with the better median best "
              "score (picked after the run, on the same seeds — a selection that favours "
              "tidu slightly; both are shown above).", "",
              "| task | picked | median ≥ Optuna's | time to target vs Optuna | ≥ 30% less |",
              "| --- | --- | --- | ---: | --- |"]
    for task, s in summary.items():
        p, o = s["stats"][s["picked"]], s["stats"]["optuna"]
        ge = p["median"] >= o["median"] if s["mode"] == "max" else p["median"] <= o["median"]
        tp, to = p["time_to_target"], o["time_to_target"]
        if np.isfinite(tp) and np.isfinite(to) and to > 0:
            ratio = f"{tp / to:.2f}×"
            fast = tp <= 0.7 * to
        elif np.isfinite(tp):
            ratio, fast = "Optuna not reached", True
        else:
            ratio, fast = "tidu not reached", False
        lines.append(f"| {task} | {s['picked']} | {'met' if ge else 'MISSED'} | {ratio} | "
                     f"{'met' if fast else 'MISSED'} |")
    return "\n".join(lines) + "\n"


def machine() -> dict:
    import tidu
    import optuna
    info = {"CPU": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "OS": platform.platform(), "Python": platform.python_version(),
            "NumPy": np.__version__, "tidu": getattr(tidu, "__version__", "?"),
            "Optuna": optuna.__version__}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["CPU"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    p.add_argument("--processes", type=int, default=2,
                   help="(task, seed) jobs run side by side, each with one worker")
    p.add_argument("--out", default=HERE, help="folder for results.json and RESULTS.md")
    args = p.parse_args(argv)
    epochs = budget_epochs()
    jobs = [(task, seed, epochs) for seed in range(args.seeds) for task in args.tasks]
    start = time.perf_counter()
    rows = []
    with get_context("spawn").Pool(args.processes) as pool:
        for i, job_rows in enumerate(pool.imap_unordered(run_job, jobs), 1):
            rows += job_rows
            r = {x["search"]: x for x in job_rows}
            print(f"[{i}/{len(jobs)}] {job_rows[0]['task']} seed {job_rows[0]['seed']}: " +
                  ", ".join(f"{n} {_best(r[n], MODE[r[n]['task']]):.4f} "
                            f"({r[n]['seconds']:.1f} s)" for n in SEARCHES), flush=True)
    minutes = (time.perf_counter() - start) / 60
    summary = summarize(rows)
    meta = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "minutes": minutes, "machine": machine(), "budget": epochs,
            "seeds": args.seeds, "processes": args.processes}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "summary": summary, "rows": rows}, f, indent=1)
    text = report(summary, meta)
    with open(os.path.join(args.out, "RESULTS.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
