"""RunDB: round trips of runs and metrics, statuses, transactions, stale runs."""
import json
import math
import os
import pickle
import sqlite3

import pytest

from tidu.runs import RunDB, default_db_path
from tidu.runs.db import pid_alive, process_start_token


@pytest.fixture
def db(tmp_path):
    with RunDB(tmp_path / "runs.db") as db:
        yield db


def test_round_trip_of_a_run_and_its_metrics(db):
    config = {"model": {"layers": ["Linear(4, 8)", "ReLU"]}, "optimizer": {"lr": 0.1}}
    run_id = db.start_run("train", name="first", config=config, seed=7)
    run = db.get_run(run_id)
    assert (run.kind, run.name, run.status, run.seed) == ("train", "first", "running", 7)
    assert run.config == config
    assert set(run.versions) >= {"tidu", "numpy", "python"}
    assert run.pid == os.getpid() and run.hostname and run.ended_at is None

    for epoch in range(3):
        db.log_metrics(run_id, epoch, {"loss": 1.0 / (epoch + 1), "val_loss": 2.0 - epoch,
                                       "note": "not a number", "flag": True})
    db.finish_run(run_id, {"val_loss": 0.0, "test_accuracy": 0.9})
    run = db.get_run(run_id)
    assert run.status == "finished" and run.error is None
    assert run.metrics == {"val_loss": 0.0, "test_accuracy": 0.9}
    assert run.duration >= 0 and run.ended_at >= run.started_at
    series = db.metrics(run_id)
    assert series["loss"] == [(0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]
    assert series["val_loss"] == [(0, 2.0), (1, 1.0), (2, 0.0)]
    assert "note" not in series and series["flag"] == [(0, 1.0), (1, 1.0), (2, 1.0)]
    names, rows = db.metric_table(run_id)
    assert names == ["flag", "loss", "val_loss"]
    assert rows[1] == [1, 1.0, 0.5, 1.0]


def test_nan_metrics_come_back_as_nan(db):
    run_id = db.start_run("lab")
    db.log_metrics(run_id, 0, {"loss": float("nan"), "inf": float("inf")})
    series = db.metrics(run_id)
    assert math.isnan(series["loss"][0][1]) and series["inf"][0][1] == math.inf


def test_failed_and_killed_runs_keep_their_error(db):
    failed = db.start_run("train")
    db.fail_run(failed, ValueError("lr must be > 0"))
    killed = db.start_run("train")
    db.end_run(killed, "killed", error="SIGKILL")
    assert db.get_run(failed).status == "failed"
    assert db.get_run(failed).error == "ValueError: lr must be > 0"
    assert (db.get_run(killed).status, db.get_run(killed).error) == ("killed", "SIGKILL")


def test_filters_children_and_delete(db):
    search = db.start_run("search", name="s")
    trials = [db.start_run("trial", parent_id=search, config={"lr": lr}) for lr in (0.1, 0.01)]
    other = db.start_run("train")
    db.finish_run(trials[0], {"score": 1.0})
    assert [r.id for r in db.children(search)] == trials
    assert [r.id for r in db.runs(kind="trial", status="finished")] == [trials[0]]
    assert [r.id for r in db.runs(limit=2)] == [other, trials[1]]
    db.log_metrics(trials[0], 0, {"loss": 1.0})
    db.delete_run(search)
    assert [r.id for r in db.runs()] == [other]
    assert db.metrics(trials[0]) == {}


def test_bad_arguments_name_what_is_allowed(db):
    with pytest.raises(ValueError, match="kind must be one of .*'train'.*got 'fit'"):
        db.start_run("fit")
    with pytest.raises(KeyError, match="no run with id 99"):
        db.start_run("trial", parent_id=99)
    run_id = db.start_run("train")
    with pytest.raises(ValueError, match="status must be one of"):
        db.end_run(run_id, "running")
    with pytest.raises(KeyError, match="no run with id 12345"):
        db.finish_run(12345)
    with pytest.raises(ValueError, match="timeout"):
        RunDB("x.db", timeout=0)


def test_a_failing_transaction_writes_nothing(db):
    run_id = db.start_run("lab")

    def half_then_fail(conn):
        conn.execute("INSERT INTO metrics VALUES (?, 0, 'loss', 1.0)", (run_id,))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        db._write(half_then_fail)
    assert db.metrics(run_id) == {}
    db.log_metrics(run_id, 0, {"loss": 2.0})  # the connection is usable afterwards
    assert db.metrics(run_id) == {"loss": [(0, 2.0)]}


def test_wal_mode_and_integrity(db):
    db.start_run("lab")
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    assert db.integrity_check() == "ok"


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    sqlite3.connect(path).execute("PRAGMA user_version = 99").connection.close()
    with pytest.raises(RuntimeError, match="schema version 99"):
        RunDB(path).runs()


def test_default_path_and_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("TIDU_RUNS_DB", raising=False)
    assert default_db_path() == "tidu-runs.db"
    monkeypatch.setenv("TIDU_RUNS_DB", str(tmp_path / "env.db"))
    assert RunDB().path == str(tmp_path / "env.db")


def test_pickles_as_its_path_and_reconnects(db):
    run_id = db.start_run("lab")
    copy = pickle.loads(pickle.dumps(db))
    assert copy.path == db.path and copy.get_run(run_id).id == run_id


def test_mark_stale_runs_spares_live_processes_and_catches_recycled_pids(db):
    live = db.start_run("train")
    dead = db.start_run("train")
    recycled = db.start_run("train")
    other_host = db.start_run("train")
    with db.conn:
        db.conn.execute("UPDATE runs SET pid = ? WHERE id = ?", (2 ** 22 + 12345, dead))
        db.conn.execute("UPDATE runs SET pid_start = 'not-this-process' WHERE id = ?",
                        (recycled,))
        db.conn.execute("UPDATE runs SET hostname = 'elsewhere', pid = 1 WHERE id = ?",
                        (other_host,))
    assert sorted(db.mark_stale_runs()) == [dead, recycled]
    assert [db.get_run(i).status for i in (live, dead, recycled, other_host)] == \
        ["running", "killed", "killed", "running"]
    assert "without finishing" in db.get_run(dead).error
    assert db.mark_stale_runs(all_hosts=True) == [other_host]


def test_pid_alive():
    assert pid_alive(os.getpid(), process_start_token(os.getpid()))
    assert not pid_alive(os.getpid(), "0")
    assert not pid_alive(2 ** 22 + 12345)
    assert not pid_alive(0)


def test_config_with_numpy_values_is_stored_as_json(db):
    import numpy as np
    run_id = db.start_run("lab", config={"lr": np.float32(0.5), "sizes": np.arange(3),
                                         "fn": len, "pair": (1, 2)})
    config = db.get_run(run_id).config
    assert config["lr"] == 0.5 and config["sizes"] == [0, 1, 2] and config["pair"] == [1, 2]
    assert "len" in config["fn"]
    json.dumps(config)


def test_query_reads_and_refuses_writes(db):
    run_id = db.record_run("train", "finished", name="q", metrics={"loss": 0.5})
    (row,) = db.query("SELECT id, json_extract(metrics, '$.loss') AS loss FROM runs WHERE name = ?",
                      ("q",))
    assert (row["id"], row["loss"]) == (run_id, 0.5)
    with pytest.raises(sqlite3.OperationalError, match="read-only"):
        db.query("DELETE FROM runs")
    assert db.get_run(run_id) is not None
