"""TrialRecorder: a tidu.tune search and its trials in the run database (parent/child)."""
import math

import pytest

from tidu import tune
from tidu.runs import RunDB, TrialRecorder


def objective(params):
    if params["x"] > 0.8:
        raise ValueError("x too large")
    if params["x"] < 0.1:
        return math.nan  # diverged
    return {"loss": (params["x"] - 0.5) ** 2, "x2": params["x"] * 2}


def test_search_and_trials_are_recorded_with_failures(tmp_path):
    db = RunDB(tmp_path / "runs.db")
    recorder = TrialRecorder(db, name="toy", config={"note": "quadratic"})
    search = tune.GridSearch({"x": tune.uniform(0.0, 1.0)}, objective, points_per_axis=5,
                             metric="loss", mode="min", n_jobs=1, seed=3,
                             callbacks=[recorder])
    with recorder:
        result = search.run()
    run = db.get_run(recorder.search_id)
    assert (run.kind, run.name, run.status, run.seed) == ("search", "toy", "finished", 3)
    assert run.config["note"] == "quadratic" and run.config["search"]["kind"] == "grid"
    trials = db.children(run.id)
    assert [t.config["index"] for t in trials] == [0, 1, 2, 3, 4]
    assert [t.status for t in trials] == ["failed", "finished", "finished", "finished", "failed"]
    assert "diverged" in trials[0].error and trials[4].error == "ValueError: x too large"
    assert trials[2].config["params"] == {"x": 0.5} and trials[2].metrics["score"] == 0.0
    assert trials[2].metrics["x2"] == 1.0
    assert all(t.parent_id == run.id and t.kind == "trial" for t in trials)
    assert run.metrics["best_run"] == trials[2].id == recorder.trial_ids[2]
    assert run.metrics["best_score"] == result.best_score == 0.0
    assert (run.metrics["n_trials"], run.metrics["n_failed"]) == (5, 2)
    assert all(t.duration is not None and t.duration >= 0 for t in trials)


def test_a_search_where_every_trial_fails_is_recorded_failed(tmp_path):
    db = RunDB(tmp_path / "runs.db")
    recorder = TrialRecorder(db)
    search = tune.RandomSearch({"x": tune.uniform(0.9, 1.0)}, objective, n_trials=2,
                               metric="loss", mode="min", n_jobs=1, seed=0,
                               callbacks=[recorder])
    with pytest.raises(tune.TuneError):
        with recorder:
            search.run()
    run = db.get_run(recorder.search_id)
    assert run.status == "failed" and "all 2 trials failed" in run.error
    assert [t.status for t in db.children(run.id)] == ["failed", "failed"]


def test_an_exception_stopping_the_search_marks_it_failed(tmp_path):
    db = RunDB(tmp_path / "runs.db")
    recorder = TrialRecorder(db)

    def stop(trial):
        raise RuntimeError("stop here")

    search = tune.RandomSearch({"x": tune.uniform(0.2, 0.7)}, objective, n_trials=3,
                               metric="loss", mode="min", n_jobs=1, seed=0,
                               callbacks=[recorder, stop])
    with pytest.raises(RuntimeError):
        with recorder:
            search.run()
    run = db.get_run(recorder.search_id)
    assert run.status == "failed" and run.error == "RuntimeError: stop here"
    assert len(db.children(run.id)) == 1  # the trial that ended before the stop
