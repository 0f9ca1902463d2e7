"""The Lab page's data (`tidu.ui.lab_api`): the experiments with their latest verdicts, and
running one experiment from the page in a worker process, with progress, its report
section, the record in the run database, and the 404 / 409 answers."""
import json
import time

import pytest

from tidu.lab.registry import all_experiments
from tidu.runs import RunDB
from tidu.ui.lab_api import LabJobs, experiments, run_in_worker
from tidu.ui.runs_api import UIError

FAST = "E18"  # stable softmax: well under a second in quick mode


@pytest.fixture
def db(tmp_path):
    with RunDB(tmp_path / "runs.db") as db:
        yield db


def _lab_run(db, exp_id, status, seconds, parent=None):
    """A lab run as `tidu.lab.runner._record` writes one."""
    return db.record_run("lab", "finished", name=f"{exp_id} title", parent_id=parent,
                         config={"id": exp_id, "full": False, "setup": "…", "status": status},
                         metrics={"held": float(status == "held"), "seconds": seconds})


def test_experiments_lists_every_experiment_with_its_latest_run(db):
    parent = db.record_run("lab", "finished", name="tidu lab", config={"ids": ["E1", "E2"]})
    _lab_run(db, "E1", "held", 2.0, parent)
    _lab_run(db, "E2", "mixed", 3.0, parent)
    newest = _lab_run(db, "E1", "not held", 4.0)
    db.record_run("train", "finished", config={"id": "E2"})  # not a lab run
    listed = experiments(db, presets={"E1": {"activation": "sigmoid"}})
    assert json.loads(json.dumps(listed, allow_nan=False)) == listed
    assert [e["id"] for e in listed] == [e.id for e in all_experiments()]
    by_id = {e["id"]: e for e in listed}
    e1 = by_id["E1"]
    assert e1["preset"] == {"activation": "sigmoid"} and by_id["E2"]["preset"] is None
    assert e1["title"] and e1["claim_zh"] and e1["claim_en"] and isinstance(e1["notes"], list)
    assert e1["expected"] in ("held", "not held", "mixed")
    assert e1["latest"]["run_id"] == newest
    assert (e1["latest"]["status"], e1["latest"]["held"], e1["latest"]["seconds"]) == \
        ("not held", False, 4.0)
    assert e1["latest"]["run_status"] == "finished" and e1["latest"]["ended_at"]
    assert by_id["E2"]["latest"]["status"] == "mixed"
    assert by_id["E3"]["latest"] is None


def test_run_in_worker_returns_plain_data_and_records_the_run(db):
    out = run_in_worker(FAST, db)
    assert json.loads(json.dumps(out)) == out
    assert out["exp_id"] == FAST and out["status"] == "held" and out["error"] is None
    assert f'<section id="{FAST}">' in out["section_html"]
    assert "data:image/png;base64," in out["section_html"]  # the figures inline
    run = db.get_run(out["run_id"])
    assert run.kind == "lab" and run.parent_id is None and run.status == "finished"
    assert run.config["id"] == FAST and run.config["status"] == "held"
    assert run.metrics["held"] == 1.0 and run.metrics["seconds"] > 0


def _wait(jobs, job_id, timeout=90.0):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        state = jobs.status(job_id)
        seen.append(state)
        if state["state"] != "running":
            return state, seen
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still running after {timeout} s: {seen[-1]}")


def test_a_lab_job_runs_in_a_worker_reports_progress_and_records_it(db):
    _lab_run(db, FAST, "not held", 1000.0)  # an earlier run: says how long to expect
    jobs = LabJobs(db)
    try:
        job = jobs.start("e18")
        running = jobs.status(job)
        assert running["state"] == "running" and running["exp_id"] == FAST
        assert running["expected_seconds"] == 1000.0
        assert 0 <= running["progress"] < 0.01 and running["verdict"] is None

        with pytest.raises(UIError) as info:  # one at a time
            jobs.start("E26")
        assert info.value.status == 409 and FAST in str(info.value) and job in str(info.value)

        done, seen = _wait(jobs, job)
        assert json.loads(json.dumps(done, allow_nan=False)) == done
        assert done["state"] == "done" and done["progress"] == 1.0 and done["error"] is None
        assert done["status"] == "held" and done["verdict"]
        assert FAST in done["section_html"] and done["elapsed"] > 0
        assert jobs.status(job)["elapsed"] == done["elapsed"]  # the clock stopped
        assert jobs.running() is None

        latest = {e["id"]: e for e in experiments(db)}[FAST]["latest"]
        assert latest["run_id"] == done["run_id"] and latest["status"] == "held"
        assert latest["held"] is True and latest["seconds"] < 1000.0
    finally:
        jobs.shutdown()


def test_lab_job_errors_unknown_experiment_and_job(db):
    jobs = LabJobs(db)
    with pytest.raises(UIError) as info:
        jobs.start("E999")
    assert info.value.status == 404 and "E999" in str(info.value)
    with pytest.raises(UIError) as info:
        jobs.status("nope")
    assert info.value.status == 404 and "nope" in str(info.value)
    assert jobs._pool is None  # nothing started: no worker process
    jobs.shutdown()


def test_progress_is_unknown_without_an_earlier_run_and_shutdown_stops_a_job(db):
    jobs = LabJobs(db)
    job = jobs.start(FAST)
    state = jobs.status(job)
    assert state["expected_seconds"] is None and state["progress"] is None
    jobs.shutdown()  # while it runs (the worker is still starting)
    state = jobs.status(job)
    assert state["state"] == "failed" and "stopped" in state["error"]
    assert jobs.running() is None
    # a new start after a shutdown gets a new worker
    job = jobs.start(FAST)
    try:
        done, _ = _wait(jobs, job)
        assert done["state"] == "done" and done["status"] == "held"
    finally:
        jobs.shutdown()


def test_an_experiment_that_raises_is_recorded_failed(db, monkeypatch):
    from tidu.lab import base

    def broken(full=False):
        raise RuntimeError("boom")

    exp = base.Experiment("E900", "broken", "…", "…", ("000",), broken)
    monkeypatch.setitem(base.EXPERIMENTS, "E900", exp)
    out = run_in_worker("E900", db)
    assert out["error"] == "RuntimeError: boom" and out["status"] == "not held"
    assert "boom" in out["section_html"]
    run = db.get_run(out["run_id"])
    assert run.status == "failed" and run.error == "RuntimeError: boom"
