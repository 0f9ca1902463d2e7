"""Real processes: a run killed with SIGKILL, and two processes writing at once."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


from tidu.runs import RunDB

SCRIPT = Path(__file__).with_name("child_script.py")
ROOT = Path(__file__).resolve().parents[2]


def child(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, str(SCRIPT), *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(path: Path, proc, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[1].decode()
        assert time.monotonic() < deadline, "the child never got going"
        time.sleep(0.01)


def test_fit_killed_with_sigkill_leaves_a_consistent_db_and_an_unfinished_run(tmp_path):
    path = tmp_path / "runs.db"
    proc = child("fit", path)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err.decode()

    db = RunDB(path)
    assert db.integrity_check() == "ok"
    (run,) = db.runs()
    assert (run.name, run.status, run.ended_at) == ("doomed", "running", None)
    assert run.config["what"] == "killed at epoch 3" and run.config["fit"]["epochs"] == 50
    names, rows = db.metric_table(run.id)
    assert names == ["accuracy", "loss", "lr", "val_accuracy", "val_loss"]
    assert [r[0] for r in rows] == [0, 1, 2, 3]  # every epoch recorded before the kill
    assert all(v is not None for r in rows for v in r)

    assert db.mark_stale_runs() == [run.id]
    run = db.get_run(run.id)
    assert run.status == "killed" and run.ended_at is not None
    assert db.mark_stale_runs() == []


def test_kill_during_a_stream_of_writes_leaves_whole_transactions(tmp_path):
    path, marker = tmp_path / "runs.db", tmp_path / "started"
    proc = child("hammer", path, marker)
    wait_for(marker, proc)
    time.sleep(0.3)  # hundreds of transactions in flight
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    db = RunDB(path)
    assert db.integrity_check() == "ok"
    (run,) = db.runs()
    assert run.status == "running"
    series = db.metrics(run.id)
    epochs = [[e for e, _ in series[f"m{i}"]] for i in range(10)]
    assert len(epochs[0]) > 5
    assert all(e == epochs[0] for e in epochs)  # each epoch's 10 values all there or none
    assert epochs[0] == list(range(len(epochs[0])))
    assert db.mark_stale_runs() == [run.id]
    assert db.get_run(run.id).status == "killed"


def test_two_processes_writing_at_once_both_succeed(tmp_path):
    path, go, n = tmp_path / "runs.db", tmp_path / "go", 60
    RunDB(path).runs()  # create the file first (creation under contention is tested below)
    procs = [child("write", path, n, tag, go) for tag in ("a", "b")]
    for tag, proc in zip("ab", procs):
        wait_for(tmp_path / f"go.{tag}.ready", proc)
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()

    db = RunDB(path)
    assert db.integrity_check() == "ok"
    runs = db.runs(newest_first=False)
    assert len(runs) == 2 * n
    assert all(r.status == "finished" for r in runs)
    for tag in ("a", "b"):
        mine = [r for r in runs if r.config["tag"] == tag]
        assert sorted(r.config["i"] for r in mine) == list(range(n))
    rows = db.conn.execute("SELECT COUNT(*) FROM metrics").fetchone()[0]
    assert rows == 2 * n * 5 * 3
    # the two writers interleaved rather than ran one after the other
    tags = "".join(r.config["tag"] for r in runs)
    assert "ab" in tags or "ba" in tags


def test_two_processes_creating_the_database_at_once(tmp_path):
    path, go = tmp_path / "fresh.db", tmp_path / "go"
    procs = [child("write", path, 5, tag, go) for tag in ("a", "b")]
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert len(RunDB(path).runs()) == 10


def test_sixteen_processes_hammering_one_database_for_30_seconds(tmp_path):
    """Issue 13's concurrency check: 16 writers on one SQLite file (WAL, BEGIN IMMEDIATE,
    busy_timeout and a jittered retry) for 30 s: no 'database is locked' reaches a writer,
    and every run each writer says it recorded is there, whole."""
    path, go, writers = tmp_path / "runs.db", tmp_path / "go", 16
    RunDB(path).runs()
    tags = [f"w{k:02d}" for k in range(writers)]
    procs = [child("write_for", path, 30, tag, go) for tag in tags]
    for tag, proc in zip(tags, procs):
        wait_for(tmp_path / f"go.{tag}.ready", proc)
    go.touch()
    counts = {}
    for tag, proc in zip(tags, procs):
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
        assert b"locked" not in err.lower()
        counts[tag] = int(out.decode().split()[-1])

    db = RunDB(path)
    assert db.integrity_check() == "ok"
    runs = db.runs(newest_first=False)
    assert len(runs) == sum(counts.values()) and min(counts.values()) > 0
    assert all(r.status == "finished" for r in runs)
    for tag, n in counts.items():
        assert sorted(r.config["i"] for r in runs if r.config["tag"] == tag) == list(range(n))
    rows = db.conn.execute("SELECT COUNT(*) FROM metrics").fetchone()[0]
    assert rows == 5 * 3 * len(runs)
