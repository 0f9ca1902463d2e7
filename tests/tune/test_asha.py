"""ASHA: the asynchronous promotion rule (hand-computed), promoted trials continue from
their checkpoint, one run per configuration and rung, worker processes and a Dask cluster;
the executors' asynchronous interface (submit / wait_any), a crashed worker included."""
import doctest
import json
import math
import os

import pytest

from tidu.tune import RandomSearch, uniform
from tidu.tune import asha
from tidu.tune.asha import ASHA, asha_rungs
from tidu.tune.executor import ProcessExecutor, SerialExecutor
from tidu.tune.halving import BUDGET_KEY, HalvingResult
from tidu.tune.pruning import MedianPruner

from .objectives import crash_above

SPACE = {"x": uniform(0.0, 1.0)}


def toy(params, seed, budget, checkpoint):
    """A budgeted toy (module level: it runs in worker processes): logs each call's
    (epochs before, epochs after) in its checkpoint file, continuing from the file."""
    log = []
    if os.path.exists(checkpoint):
        with open(checkpoint) as f:
            log = json.load(f)
    log.append([log[-1][1] if log else 0, budget])
    with open(checkpoint, "w") as f:
        json.dump(log, f)
    x = params["x"]
    return math.sin(7.0 * x * budget) + x


def call_log(workdir, index):
    with open(os.path.join(workdir, f"trial-{index}.npz")) as f:
        return json.load(f)


def check_rule_invariants(result, workdir, rungs, eta=3):
    """What holds on every executor, whatever the timing: each configuration once per rung;
    a trial reaches rung k+1 only from a finished rung-k record, and at most ⌊n_k/η⌋ leave
    rung k; every trial trained each epoch once (its calls continue one another)."""
    keys = [(t["index"], t["rung"]) for t in result.trials]
    assert len(keys) == len(set(keys))
    for k in range(len(rungs) - 1):
        here = {t["index"]: t for t in result.rung(k)}
        up = [t["index"] for t in result.rung(k + 1)]
        assert all(here[i]["status"] == "finished" for i in up)
        assert len(up) <= len(here) // eta
    for t in result.trials:
        assert t["epochs"] == rungs[t["rung"]] and t["round"] == t["rung"]
    for i in {t["index"] for t in result.trials}:
        log = call_log(workdir, i)
        top = max(t["rung"] for t in result.trials if t["index"] == i)
        assert log == [[0 if k == 0 else rungs[k - 1], rungs[k]] for k in range(top + 1)]
    spent = sum(b - a for i in {t["index"] for t in result.trials}
                for a, b in call_log(workdir, i))
    assert result.total_epochs == spent


# ---------------------------------------------------------------------- the rule, serially
# rung-0 scores of configurations 0…8, rung-1 scores of the three that get there
RUNG0 = [5, 3, 8, 1, 9, 2, 7, 4, 6]
RUNG1 = {2: 1, 4: 3, 6: 2}
# by hand, η = 3 (n_k: records ended at rung k; candidates: its top ⌊n_k/3⌋):
#  c0, c1 (n_0 < 3) · c2 (n_0=3: top1 = c2) → c2↑1 · (c2 promoted) c3 · c4 (n_0=5: top1 =
#  c4) → c4↑1 · (n_0=5: c4 done) c5 · c6 · c7 (n_0=8: top2 = c4, c2) · c8 (n_0=9: top3 =
#  c4, c2, c6) → c6↑1 · (n_1=3: top1 by rung-1 score = c4) → c4↑2 · nothing left: the end
EXPECTED = [(0, 0), (1, 0), (2, 0), (2, 1), (3, 0), (4, 0), (4, 1), (5, 0), (6, 0), (7, 0),
            (8, 0), (6, 1), (4, 2)]


@pytest.mark.parametrize("mode", ["max", "min"])
def test_serial_asha_promotes_exactly_as_the_rule_says(tmp_path, mode):
    points = RandomSearch(SPACE, lambda p: 0.0, n_trials=9, seed=5).points()
    sign = 1.0 if mode == "max" else -1.0
    config = {p["x"]: i for i, p in enumerate(points)}
    calls = []

    def table(params, budget, checkpoint):
        i = config[params["x"]]
        calls.append((i, budget))
        toy(params, 0, budget, checkpoint)  # the checkpoint log
        score = {1: RUNG0[i], 3: RUNG1.get(i, 0), 9: 100}[budget]
        return sign * score

    seen = []
    search = ASHA(SPACE, table, n_trials=9, min_epochs=1, max_epochs=9, eta=3, mode=mode,
                  workdir=tmp_path, n_jobs=1, seed=5, callbacks=[seen.append])
    assert search.rungs == [1, 3, 9]
    result = search.run()
    assert isinstance(result, HalvingResult) and result is search.result_
    # the callbacks see the trials as they end; the result lists them by index and rung
    assert [(t["index"], t["rung"]) for t in seen] == EXPECTED
    assert [(t["index"], t["rung"]) for t in result.trials] == sorted(EXPECTED)
    assert [(i, [1, 3, 9][k]) for i, k in EXPECTED] == calls
    assert [t["params"] for t in result.rung(0)] == points  # config i drawn from (seed, i)
    assert result.best_trial["index"] == 4 and result.best_trial["epochs"] == 9
    assert result.final == [result.best_trial]
    # promoted trials continued from their checkpoint: every epoch trained once
    assert call_log(tmp_path, 4) == [[0, 1], [1, 3], [3, 9]]
    assert call_log(tmp_path, 2) == [[0, 1], [1, 3]] and call_log(tmp_path, 0) == [[0, 1]]
    assert result.total_epochs == 9 * 1 + 3 * 2 + 1 * 6
    check_rule_invariants(result, tmp_path, search.rungs)
    assert all(BUDGET_KEY not in t["params"] for t in seen)
    assert result.info["kind"] == "asha" and result.info["rungs"] == [1, 3, 9]


def test_the_rungs_and_a_failed_trial(tmp_path):
    assert asha_rungs(1, 27, 3) == [1, 3, 9, 27]
    assert asha_rungs(2, 20, 3) == [2, 6, 18, 20]
    assert asha_rungs(5, 5, 2) == [5]

    def fails_low(params, budget, checkpoint):
        if params["x"] < 0.5:
            raise ValueError("low")
        return params["x"] * budget

    result = ASHA(SPACE, fails_low, n_trials=12, max_epochs=4, eta=2, n_jobs=1,
                  seed=0).run()
    failed = {t["index"] for t in result.rung(0) if t["status"] == "failed"}
    assert failed and not failed & {t["index"] for t in result.trials if t["rung"] > 0}
    assert result.best_trial["epochs"] == 4


# ---------------------------------------------------------------------- executors
def rung0(result):
    return sorted((t["index"], t["params"]["x"], t["seed"], t["status"], t["score"])
                  for t in result.rung(0))


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("serial")
    search = ASHA(SPACE, toy, n_trials=12, max_epochs=9, seed=11, n_jobs=1, workdir=workdir)
    result = search.run()
    check_rule_invariants(result, workdir, search.rungs)
    assert len(result.rung(2)) >= 1
    return result


def test_two_worker_processes_run_the_same_configurations(serial, tmp_path):
    search = ASHA(SPACE, toy, n_trials=12, max_epochs=9, seed=11, n_jobs=2,
                  workdir=tmp_path)
    result = search.run()
    assert result.info["executor"] == "processes(n_jobs=2)"
    assert rung0(result) == rung0(serial)
    check_rule_invariants(result, tmp_path, search.rungs)
    assert result.best_trial["epochs"] == 9


def test_asha_on_a_dask_local_cluster_matches_the_local_result(serial, tmp_path):
    from distributed import Client, LocalCluster

    from tidu.tune.executor import DaskExecutor

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        assert DaskExecutor(client=client).slots() == 2
        search = ASHA(SPACE, toy, n_trials=12, max_epochs=9, seed=11, client=client,
                      workdir=tmp_path)
        result = search.run()
        assert client.status == "running"
    assert result.info["executor"].startswith("dask(")
    assert rung0(result) == rung0(serial)
    check_rule_invariants(result, tmp_path, search.rungs)
    # each promoted trial scores as the serial run's did at that rung
    scores = {(t["index"], t["rung"]): t["score"] for t in serial.trials}
    for t in result.trials:
        if (t["index"], t["rung"]) in scores:
            assert t["score"] == scores[t["index"], t["rung"]]


# ---------------------------------------------------------------------- async interface
def tasks(xs):
    return [{"index": i, "round": 0, "params": {"x": x}, "seed": i} for i, x in enumerate(xs)]


def drain(executor, n_submitted):
    records = []
    while True:
        batch = executor.wait_any()
        if not batch:
            break
        records.extend(batch)
    assert len(records) == n_submitted
    return sorted(records, key=lambda r: r["index"])


def test_the_serial_executor_runs_one_submitted_trial_per_wait():
    executor = SerialExecutor()
    executor.start(lambda p: p["x"] * 2, None, False)
    assert executor.slots() == 1 and executor.wait_any() == []
    for task in tasks([0.1, 0.2]):
        executor.submit(task)
    assert [r["score"] for r in executor.wait_any()] == [0.2]
    assert [r["score"] for r in executor.wait_any()] == [0.4]
    assert executor.wait_any() == []


def test_a_submitted_trial_that_kills_its_worker_fails_alone():
    executor = ProcessExecutor(2)
    executor.start(crash_above, None, False)
    xs = [0.1, 0.9, 0.2, 0.3, 0.95, 0.4]
    try:
        assert executor.slots() == 2
        for task in tasks(xs):
            executor.submit(task)
        records = drain(executor, len(xs))
        executor.submit(tasks([0.5])[0])  # a fresh pool after the broken one
        (after,) = executor.wait_any()
    finally:
        executor.close()
    for x, r in zip(xs, records):
        if x > 0.8:
            assert r["status"] == "failed" and r["error"].startswith("worker process died")
        else:
            assert r["status"] == "finished" and r["score"] == x
    assert after["score"] == 0.5


# ---------------------------------------------------------------------- arguments
def test_bad_arguments_raise_clear_errors(tmp_path):
    with pytest.raises(ValueError, match=r"eta must be an int ≥ 2, got eta=1"):
        ASHA(SPACE, toy, eta=1)
    with pytest.raises(ValueError, match=r"n_trials must be an int ≥ 1, got n_trials=0"):
        ASHA(SPACE, toy, n_trials=0)
    with pytest.raises(ValueError, match=r"min_epochs must be ≤ max_epochs, got "
                                         r"min_epochs=9 > max_epochs=3"):
        ASHA(SPACE, toy, min_epochs=9, max_epochs=3)
    with pytest.raises(TypeError, match="objective must take budget= .* and checkpoint="):
        ASHA(SPACE, lambda params: params["x"])
    with pytest.raises(ValueError, match="repeats=2 is not supported"):
        ASHA(SPACE, toy, repeats=2)

    def pruned(params, seed, budget, checkpoint, pruning):
        return 0.0

    with pytest.raises(ValueError, match="pruner= is not supported"):
        ASHA(SPACE, pruned, pruner=MedianPruner())
    with pytest.raises(ValueError, match="cannot resume without workdir"):
        ASHA(SPACE, toy, n_jobs=1).run(resume=[{"index": 0, "status": "finished"}])


@pytest.mark.parametrize("stop_after", [5, 13])
def test_resume_continues_an_interrupted_search(tmp_path, stop_after):
    """With one worker a resumed ASHA makes the trials an uninterrupted one makes (same
    rungs, scores, promotions), runs no ended trial again, and every promoted trial's
    checkpoint log shows it continued."""
    from .test_halving import _StopAfter, _signature
    kw = dict(n_trials=12, max_epochs=9, n_jobs=1, seed=0)
    full = ASHA(SPACE, toy, workdir=tmp_path / "full", **kw).run()
    stop = _StopAfter(stop_after)
    with pytest.raises(KeyboardInterrupt):
        ASHA(SPACE, toy, workdir=tmp_path / "cut", callbacks=[stop], **kw).run()
    ended = [t for t in stop.records if t["status"] != "killed"]
    again = []
    resumed = ASHA(SPACE, toy, workdir=tmp_path / "cut", callbacks=[again.append],
                   **kw).run(resume=ended)
    assert _signature(resumed.trials) == _signature(full.trials)
    assert not {(t["index"], t["rung"]) for t in again} & {(t["index"], t["rung"]) for t in ended}
    for i in {t["index"] for t in full.trials if t["status"] == "finished"}:
        assert call_log(tmp_path / "cut", i) == call_log(tmp_path / "full", i)


def test_the_docstring_examples_run():
    assert doctest.testmod(asha).failed == 0


def test_an_interrupted_asha_reports_the_trial_in_flight_as_killed(tmp_path):
    """Ctrl-C inside the fifth trial: the search stops with KeyboardInterrupt, the callbacks
    got the four ended trials and the running one as killed."""
    calls, seen = [], []

    def interrupted(params, seed, budget, checkpoint):
        calls.append(budget)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return toy(params, seed, budget, checkpoint)

    search = ASHA(SPACE, interrupted, n_trials=9, max_epochs=9, n_jobs=1, seed=0,
                  workdir=tmp_path / "w", callbacks=[seen.append])
    with pytest.raises(KeyboardInterrupt):
        search.run()
    assert [t["status"] for t in seen] == ["finished"] * 4 + ["killed"]
    assert "interrupted" in seen[-1]["error"]
