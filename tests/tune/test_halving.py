"""SuccessiveHalving / Hyperband: the top 1/η promoted, promoted trials continue from their
checkpoint (bit-exact weights), the epochs spent, the paper's brackets, executors, errors."""
import doctest
import json
import math
import os

import numpy as np
import pytest

import tidu
from tidu.train import Trainer
from tidu.train.callbacks import Callback
from tidu.tune import loguniform, make_objective, randint, uniform
from tidu.tune import halving
from tidu.tune.halving import (BUDGET_KEY, HalvingResult, Hyperband,
                               SuccessiveHalving, hyperband_brackets)

from .objectives import build_mlp, scaled_iris

SPACE = {"x": uniform(0.0, 1.0)}
SAFE_SPACE = {"x": uniform(0.1, 0.85)}


def toy_score(x, budget):
    """A score whose ranking changes from one budget to the next."""
    return math.sin(7.0 * x * budget) + x


def toy(params, seed, budget, checkpoint):
    """A budgeted toy objective: it logs each call's (epochs before, epochs after) in its
    checkpoint file, continuing from the file's last budget.  Raises for x > 0.9, returns
    NaN for x < 0.05 (neither may ever be promoted)."""
    log = []
    if os.path.exists(checkpoint):
        with open(checkpoint) as f:
            log = json.load(f)
    x = params["x"]
    if x > 0.9:
        raise ValueError(f"x={x:.3f} is too large")
    if x < 0.05:
        return float("nan")
    log.append([log[-1][1] if log else 0, budget])
    with open(checkpoint, "w") as f:
        json.dump(log, f)
    return toy_score(x, budget)


def call_log(workdir, index):
    with open(os.path.join(workdir, f"trial-{index}.npz")) as f:
        return json.load(f)


def ranked(trials, mode):
    sign = -1.0 if mode == "max" else 1.0
    ok = [t for t in trials if t["status"] == "finished"]
    return [t["index"] for t in sorted(ok, key=lambda t: (sign * t["score"], t["index"]))]


# ---------------------------------------------------------------------- promotion
@pytest.mark.parametrize("mode", ["max", "min"])
def test_exactly_the_top_third_of_each_rung_is_promoted(tmp_path, mode):
    seen = []
    search = SuccessiveHalving(SPACE, toy, n_trials=27, min_epochs=1, max_epochs=27, eta=3,
                               metric="score", mode=mode, workdir=tmp_path, n_jobs=1, seed=4,
                               callbacks=[seen.append])
    assert search.rungs == [(27, 1), (9, 3), (3, 9), (1, 27)]
    result = search.run()
    assert isinstance(result, HalvingResult) and result is search.result_
    rungs = [result.rung(k) for k in range(4)]
    assert [len(r) for r in rungs] == [27, 9, 3, 1]
    failed = [t["index"] for t in rungs[0] if t["status"] != "finished"]
    assert failed, "the seed must draw some failing trials"
    for k in range(3):
        expected = sorted(ranked(rungs[k], mode)[:len(rungs[k]) // 3])
        assert sorted(t["index"] for t in rungs[k + 1]) == expected
        assert not set(failed) & {t["index"] for t in rungs[k + 1]}
    for k, (_, epochs) in enumerate(search.rungs):
        for t in rungs[k]:
            assert t["round"] == t["rung"] == k and t["epochs"] == epochs
            assert t["bracket"] == 0 and set(t["params"]) == {"x"}
            if t["status"] == "finished":  # scored at this rung's budget
                assert t["score"] == toy_score(t["params"]["x"], epochs)
    # the best is the last rung's trial, even if a 1-epoch score was higher
    (last,) = rungs[3]
    assert result.best_trial is last and result.top(5) == [last]
    # promoted trials continued from their checkpoint, never restarted
    assert call_log(tmp_path, last["index"]) == [[0, 1], [1, 3], [3, 9], [9, 27]]
    # the callbacks saw the same settled records
    assert len(seen) == 40 and all(BUDGET_KEY not in t["params"] and "rung" in t
                                   for t in seen)


def test_the_epochs_spent_match_the_schedule(tmp_path):
    search = SuccessiveHalving(SAFE_SPACE, toy, n_trials=10, min_epochs=2, max_epochs=20,
                               eta=3, workdir=tmp_path, n_jobs=1, seed=1)
    # 10 → 3 → 1 trials at 2, 6, 18 epochs: stops when no one more would be promoted
    assert search.rungs == [(10, 2), (3, 6), (1, 18)]
    result = search.run()
    schedule = 10 * 2 + 3 * (6 - 2) + 1 * (18 - 6)
    spent = sum(b - a for i in range(10) for a, b in call_log(tmp_path, i))
    assert result.total_epochs == spent == schedule == 44
    capped = SuccessiveHalving(SAFE_SPACE, toy, n_trials=27, min_epochs=2, max_epochs=10)
    assert capped.rungs == [(27, 2), (9, 6), (3, 10)]


def test_a_temporary_workdir_is_removed_and_a_used_one_refused(tmp_path):
    search = SuccessiveHalving(SAFE_SPACE, toy, n_trials=3, max_epochs=3, n_jobs=1, seed=0)
    search.run()
    assert not os.path.exists(search._dir)
    SuccessiveHalving(SAFE_SPACE, toy, n_trials=3, max_epochs=3, n_jobs=1, seed=0,
                      workdir=tmp_path).run()
    assert os.path.exists(tmp_path / "trial-0.npz")
    with pytest.raises(ValueError, match="workdir=.*already holds trial checkpoints"):
        SuccessiveHalving(SAFE_SPACE, toy, n_trials=3, max_epochs=3, n_jobs=1, seed=0,
                          workdir=tmp_path).run()


# ---------------------------------------------------------------------- real training
class EpochLog(Callback):
    """Appends each trained epoch to the file ``params["log"]``, keyed by the point."""

    def __init__(self, path, key):
        self.path, self.key = path, key

    def on_epoch_end(self, epoch, logs=None):
        with open(self.path, "a") as f:
            f.write(f"{self.key} {epoch}\n")


def build_logged_mlp(params):
    model, loss_fn, optimizer = build_mlp(params)
    key = f"{params['hidden']}:{params['lr']!r}"
    return model, loss_fn, optimizer, [EpochLog(params["log"], key)]


def test_a_promoted_trial_ends_with_the_weights_of_an_uninterrupted_run(tmp_path):
    X, y = scaled_iris()
    fit_kwargs = {"batch_size": 16}
    objective = make_objective(build_logged_mlp, X, y, fit_kwargs=fit_kwargs)
    log = str(tmp_path / "epochs.log")
    space = {"lr": loguniform(1e-2, 0.3), "hidden": randint(4, 10), "log": log}
    search = SuccessiveHalving(space, objective, n_trials=9, min_epochs=1, max_epochs=9,
                               workdir=tmp_path, n_jobs=1, seed=2)
    result = search.run()
    assert [len(result.rung(k)) for k in range(3)] == [9, 3, 1]
    best = result.best_trial
    assert best["epochs"] == 9 and best["rung"] == 2
    saved = tidu.load(str(tmp_path / f"trial-{best['index']}.npz"))
    assert saved["progress"]["epoch"] == 8 and saved["progress"]["epoch_finished"]
    # it trained each of its 9 epochs once, over three calls: it never started again
    key = f"{best['params']['hidden']}:{best['params']['lr']!r}"
    with open(log) as f:
        epochs = [int(line.split()[1]) for line in f if line.split()[0] == key]
    assert epochs == list(range(9))
    with open(log) as f:
        assert len(f.readlines()) == 9 * 1 + 3 * 2 + 1 * 6 == result.total_epochs
    # one uninterrupted 9-epoch run from the same seed
    (train, _), = objective.cv
    tidu.manual_seed(best["seed"])
    model, loss_fn, optimizer = build_mlp(best["params"])
    Trainer(model, loss_fn, optimizer, verbose=0).fit((X[train], y[train]), epochs=9,
                                                      batch_size=16)
    expected = model.state_dict()
    assert set(saved["model"]) == set(expected)
    for name, value in expected.items():
        np.testing.assert_array_equal(np.asarray(saved["model"][name]),
                                      value.numpy() if hasattr(value, "numpy") else value)
    # and the same score as the plain (cross_validate) objective trained 9 epochs
    plain = make_objective(build_mlp, X, y, fit_kwargs={"epochs": 9, **fit_kwargs})
    assert plain(best["params"], seed=best["seed"]) == best["metrics"]
    assert plain({"lr": 0.1, "hidden": 5}, seed=7) == \
        make_objective(build_mlp, X, y, fit_kwargs=fit_kwargs)({"lr": 0.1, "hidden": 5},
                                                               seed=7, budget=9)


def test_budgeted_k_fold_is_refused():
    X, y = scaled_iris()
    objective = make_objective(build_mlp, X, y, cv=3)
    with pytest.raises(ValueError, match=r"budget= / checkpoint= need hold-out.*cv\(3\)"):
        objective({"lr": 0.1, "hidden": 4}, seed=0, budget=2)
    holdout = make_objective(build_mlp, X, y)
    with pytest.raises(ValueError, match="budget must be an int ≥ 1.*budget=0"):
        holdout({"lr": 0.1, "hidden": 4}, seed=0, budget=0)


def test_a_checkpoint_past_the_budget_is_refused(tmp_path):
    X, y = scaled_iris()
    objective = make_objective(build_mlp, X, y, fit_kwargs={"batch_size": 32})
    path = str(tmp_path / "t.npz")
    objective({"lr": 0.1, "hidden": 4}, seed=0, budget=3, checkpoint=path)
    with pytest.raises(ValueError, match=r"already holds 3 epochs, more than budget=2"):
        objective({"lr": 0.1, "hidden": 4}, seed=0, budget=2, checkpoint=path)


# ---------------------------------------------------------------------- Hyperband
def test_hyperband_brackets_are_the_papers():
    # Li et al. 2018, R = 27 and (their Table 1) R = 81, η = 3: (n_i, r_i) per bracket
    assert hyperband_brackets(27, 3) == [[(27, 1), (9, 3), (3, 9), (1, 27)],
                                         [(12, 3), (4, 9), (1, 27)],
                                         [(6, 9), (2, 27)],
                                         [(4, 27)]]
    assert hyperband_brackets(81, 3) == [[(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
                                         [(34, 3), (11, 9), (3, 27), (1, 81)],
                                         [(15, 9), (5, 27), (1, 81)],
                                         [(8, 27), (2, 81)],
                                         [(5, 81)]]
    assert hyperband_brackets(27, 3, min_epochs=3) == [[(9, 3), (3, 9), (1, 27)],
                                                       [(5, 9), (1, 27)], [(3, 27)]]


def test_hyperband_runs_its_brackets_and_spends_their_epochs(tmp_path):
    search = Hyperband(SAFE_SPACE, toy, max_epochs=27, eta=3, metric="score",
                       workdir=tmp_path, n_jobs=1, seed=3)
    result = search.run()
    assert sorted({t["index"] for t in result.trials}) == list(range(49))
    first = 0
    for s, rungs in zip((3, 2, 1, 0), search.brackets):
        for k, (n, epochs) in enumerate(rungs):
            trials = result.rung(k, bracket=s)
            assert len(trials) == n and {t["epochs"] for t in trials} == {epochs}
            assert all(first <= t["index"] < first + rungs[0][0] for t in trials)
            if k:
                previous = result.rung(k - 1, bracket=s)
                assert sorted(t["index"] for t in trials) == \
                    sorted(ranked(previous, "max")[:n])
        first += rungs[0][0]
    schedule = sum(n * (r - (rungs[k - 1][1] if k else 0))
                   for rungs in search.brackets for k, (n, r) in enumerate(rungs))
    spent = sum(b - a for i in range(49) for a, b in call_log(tmp_path, i))
    assert result.total_epochs == spent == schedule
    assert result.best_trial["epochs"] == 27 and len(result.final) == 1 + 1 + 2 + 4
    assert result.info["kind"] == "hyperband" and result.info["n_trials"] == 49
    rows = result.to_records()
    assert [(r["index"], r["rung"], r["epochs"], r["bracket"]) for r in rows] == \
        [(t["index"], t["rung"], t["epochs"], t["bracket"]) for t in result.trials]


# ---------------------------------------------------------------------- executors
def summary(result):
    return [(t["index"], t["rung"], t["epochs"], t["bracket"], t["status"], t["score"],
             t["params"], t["seed"]) for t in result.trials]


def test_two_worker_processes_give_the_serial_result(tmp_path):
    kwargs = dict(n_trials=9, max_epochs=9, metric="score", seed=11)
    serial = SuccessiveHalving(SPACE, toy, n_jobs=1, workdir=tmp_path / "a", **kwargs).run()
    parallel = SuccessiveHalving(SPACE, toy, n_jobs=2, workdir=tmp_path / "b", **kwargs).run()
    assert summary(parallel) == summary(serial)
    assert parallel.best_trial["index"] == serial.best_trial["index"]


# ---------------------------------------------------------------------- arguments
@pytest.mark.parametrize("cls", [SuccessiveHalving, Hyperband])
def test_bad_arguments_raise_clear_errors(cls):
    with pytest.raises(ValueError, match=r"eta must be an int ≥ 2, got eta=1"):
        cls(SPACE, toy, eta=1)
    with pytest.raises(ValueError, match=r"min_epochs must be ≤ max_epochs, got "
                                         r"min_epochs=9 > max_epochs=3"):
        cls(SPACE, toy, min_epochs=9, max_epochs=3)
    with pytest.raises(ValueError, match=r"max_epochs must be an int ≥ 1, got max_epochs=0"):
        cls(SPACE, toy, max_epochs=0)
    with pytest.raises(TypeError, match="objective must take budget= .* and checkpoint="):
        cls(SPACE, lambda params: params["x"])
    with pytest.raises(TypeError, match="workdir must be a folder path or None, got int"):
        cls(SPACE, toy, workdir=3)
    with pytest.raises(ValueError, match="repeats=2 is not supported"):
        cls(SPACE, toy, repeats=2)
    from tidu.tune import MedianPruner
    def reports_epochs(params, budget=None, checkpoint=None, pruning=None):
        return 0.0
    with pytest.raises(ValueError, match="pruner= is not supported: its rungs stop trials"):
        cls(SPACE, reports_epochs, pruner=MedianPruner())


def test_the_docstring_examples_run():
    assert doctest.testmod(halving).failed == 0


# ---------------------------------------------------------------------- resume
class _StopAfter:
    """A search callback that keeps the trial records and interrupts the search (as a
    Ctrl-C would) once ``n`` have ended."""

    def __init__(self, n):
        self.n, self.records = n, []

    def __call__(self, trial):
        self.records.append(trial)
        if len(self.records) == self.n:
            raise KeyboardInterrupt


def _halving_kwargs(kind):
    kw = dict(n_jobs=1, seed=0, max_epochs=9)
    return dict(kw, n_trials=9) if kind is SuccessiveHalving else kw


def _signature(trials):
    return sorted((t["index"], t["rung"], t["status"], t["score"], t["epochs"]) for t in trials)


@pytest.mark.parametrize("kind", [SuccessiveHalving, Hyperband])
@pytest.mark.parametrize("stop_after", [4, 11])
def test_resume_continues_an_interrupted_search(tmp_path, kind, stop_after):
    """Interrupted after some trials (mid-rung), resumed from their records with the same
    workdir: the same trials, scores and rungs as an uninterrupted search, the ended trials
    not run again, and every trial's checkpoint log as if never interrupted."""
    kw = _halving_kwargs(kind)
    full = kind(SAFE_SPACE, toy, workdir=tmp_path / "full", **kw).run()
    stop = _StopAfter(stop_after)
    with pytest.raises(KeyboardInterrupt):
        kind(SAFE_SPACE, toy, workdir=tmp_path / "cut", callbacks=[stop], **kw).run()
    ended = [t for t in stop.records if t["status"] != "killed"]
    again = []
    resumed = kind(SAFE_SPACE, toy, workdir=tmp_path / "cut", callbacks=[again.append],
                   **kw).run(resume=ended)
    assert _signature(resumed.trials) == _signature(full.trials)
    assert not {(t["index"], t["rung"]) for t in again} & {(t["index"], t["rung"]) for t in ended}
    assert resumed.best_trial["index"] == full.best_trial["index"]
    for i in {t["index"] for t in full.trials}:
        assert call_log(tmp_path / "cut", i) == call_log(tmp_path / "full", i)


def test_resume_through_the_run_database(tmp_path):
    from tidu.runs import RunDB, TrialRecorder, trial_records
    db = RunDB(str(tmp_path / "runs.db"))
    kw = _halving_kwargs(SuccessiveHalving)
    full = SuccessiveHalving(SAFE_SPACE, toy, workdir=tmp_path / "full", **kw).run()
    recorder = TrialRecorder(db)
    with pytest.raises(KeyboardInterrupt):
        with recorder:
            SuccessiveHalving(SAFE_SPACE, toy, workdir=tmp_path / "cut",
                              callbacks=[recorder, _StopAfter(7)], **kw).run()
    previous = trial_records(db, recorder.search_id)
    assert len(previous) == 7
    resumed = SuccessiveHalving(SAFE_SPACE, toy, workdir=tmp_path / "cut",
                                callbacks=[TrialRecorder(db, resume_id=recorder.search_id)],
                                **kw).run(resume=previous)
    assert _signature(resumed.trials) == _signature(full.trials)
    assert len(trial_records(db, recorder.search_id)) == len(full.trials)


def test_resume_needs_a_workdir():
    with pytest.raises(ValueError, match="cannot resume without workdir"):
        SuccessiveHalving(SAFE_SPACE, toy, n_trials=9, max_epochs=9, n_jobs=1).run(
            resume=[{"index": 0, "status": "finished"}])
    assert not SuccessiveHalving(SAFE_SPACE, toy, n_jobs=1).resumable
