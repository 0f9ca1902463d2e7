"""`tidu search --workers 2` in a real process, stopped with SIGTERM or SIGKILL: no process
of its tree (the command, its workers, multiprocessing's resource tracker) survives, and
SIGTERM is handled as Ctrl-C — the trials in flight and the search recorded as killed, the
database closed."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from tidu.runs import RunDB

ROOT = Path(__file__).resolve().parents[2]

# trials that run far longer than the test: they are always in flight when it signals
SLOW_SEARCH = textwrap.dedent('''
    name = "slow-search"
    [data]
    dataset = "digits"
    [model]
    layers = ["Linear(64, 32)", "ReLU", {type = "Linear", out_features = 10}]
    [optimizer]
    type = "SGD"
    lr = 0.05
    [training]
    epochs = 100000
    batch_size = 16
    [search]
    strategy = "random"
    trials = 6
    refit = false
    [search.space]
    lr = {loguniform = [0.01, 0.1]}
''')


def alive(process: psutil.Process) -> bool:
    """Running and not a zombie (a dead child not yet reaped counts as dead)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def start_search(tmp_path):
    """The search command as a child process, once its two workers are training: returns
    (Popen, every process of its tree)."""
    config = tmp_path / "search.toml"
    config.write_text(SLOW_SEARCH, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "tidu.cli", "search", str(config),
                             "--db", str(tmp_path / "runs.db"), "--workers", "2",
                             "--progress", "lines"], cwd=tmp_path, env=env,
                            # a file, not a pipe: a surviving worker would hold a pipe open
                            stdout=open(tmp_path / "out.txt", "wb"), stderr=subprocess.STDOUT)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 90
    while True:
        assert proc.poll() is None, (tmp_path / "out.txt").read_text()
        assert time.monotonic() < deadline, "the workers never started training"
        children = parent.children(recursive=True)
        workers = [c for c in children if "spawn_main" in " ".join(c.cmdline())]
        # each worker has imported tidu and is training: a couple of seconds of CPU time
        if len(workers) == 2 and all(sum(w.cpu_times()[:2]) > 2.0 for w in workers):
            break
        time.sleep(0.1)
    tree = [parent] + parent.children(recursive=True)
    assert len(tree) >= 4, tree  # the command, two workers, the resource tracker
    return proc, tree


def wait_all_gone(tree, start: float, seconds: float = 10.0) -> float:
    """Seconds from ``start`` (the signal) until no process of ``tree`` is alive (fails
    after ``seconds``)."""
    while any(alive(p) for p in tree):
        survivors = [(p.pid, " ".join(p.cmdline())[-80:]) for p in tree if alive(p)]
        if time.monotonic() - start > seconds:
            for p in tree:  # leave nothing behind for the other tests
                if alive(p):
                    p.kill()
            pytest.fail(f"still running {seconds} s after the signal: {survivors}")
        time.sleep(0.05)
    return time.monotonic() - start


def test_sigterm_ends_the_whole_tree_and_records_the_search_as_killed(tmp_path):
    proc, tree = start_search(tmp_path)
    signalled = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    seconds = wait_all_gone(tree, signalled)
    output = (tmp_path / "out.txt").read_text()
    print(f"SIGTERM: every process gone after {seconds:.2f} s")

    assert proc.returncode == 128 + signal.SIGTERM, output
    assert "Error: terminated by SIGTERM (the run is recorded as killed)" in output
    assert "Traceback" not in output
    # the database was closed cleanly: SQLite removes the WAL file on the last close
    assert not (tmp_path / "runs.db-wal").exists()
    db = RunDB(tmp_path / "runs.db")
    assert db.integrity_check() == "ok"
    (search,) = db.runs(kind="search")
    assert search.status == "killed" and "SIGTERM" in search.error
    trials = db.children(search.id)
    # the two trials in flight, and only those (the other four never started)
    assert len(trials) == 2, [(t.status, t.error) for t in trials]
    assert all(t.status == "killed" and "interrupted" in t.error for t in trials)
    assert db.mark_stale_runs() == []


def test_sigkill_leaves_no_worker_or_resource_tracker_behind(tmp_path):
    proc, tree = start_search(tmp_path)
    signalled = time.monotonic()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    seconds = wait_all_gone(tree, signalled)
    print(f"SIGKILL: every process gone after {seconds:.2f} s")
    assert proc.returncode == -signal.SIGKILL
    db = RunDB(tmp_path / "runs.db")
    assert db.integrity_check() == "ok"
    (search,) = db.runs(kind="search")
    assert search.status == "running"  # nothing could run in the killed process…
    assert db.mark_stale_runs() == [search.id]  # …and its run is seen dead at once
