"""`tidu search --workers 4` killed with SIGKILL mid-way, then `--resume`: the search ends
with every trial present exactly once — the ones that had ended kept (same run ids), the
others run — and with the same trials an uninterrupted search would have tried."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from click.testing import CliRunner

from tidu.cli import main
from tidu.runs import RunDB

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 24

SEARCH = textwrap.dedent(f'''
    [search]
    strategy = "random"
    trials = {TRIALS}
    refit = false
    metric = "val_accuracy"
    seed = 3

    [search.space]
    lr = {{loguniform = [0.01, 0.3]}}
''')


def trials_recorded(db_path) -> int:
    if not Path(db_path).exists():
        return 0
    db = RunDB(db_path, timeout=5)
    try:
        return len(db.runs(kind="trial"))
    finally:
        db.close()


def test_a_killed_search_resumes_with_every_trial_once(tmp_path, iris_text):
    config = tmp_path / "search.toml"
    config.write_text(iris_text.replace("epochs = 3", "epochs = 150") + SEARCH, encoding="utf-8")
    db_path = tmp_path / "runs.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "tidu.cli", "search", str(config), "--db",
                             str(db_path), "--workers", "4", "--progress", "none"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while trials_recorded(db_path) < 4:
        assert proc.poll() is None, "the search ended before it could be killed"
        assert time.monotonic() < deadline, "no trial ended in time"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    db = RunDB(db_path)
    (search,) = db.runs(kind="search")
    kept = {r.config["index"]: r.id for r in db.children(search.id)}
    assert 4 <= len(kept) < TRIALS
    db.close()

    out = CliRunner().invoke(main, ["search", str(config), "--db", str(db_path), "--workers",
                                    "2", "--progress", "none", "--resume"])
    assert out.exit_code == 0, out.output
    assert f"resume search {search.id}: {len(kept)} ended trials are kept" in out.output

    db = RunDB(db_path)
    assert [r.id for r in db.runs(kind="search")] == [search.id]
    assert db.get_run(search.id).status == "finished"
    children = db.children(search.id)
    indices = sorted(r.config["index"] for r in children)
    assert indices == list(range(TRIALS))  # every trial exactly once
    assert all(r.status == "finished" for r in children)
    assert {i: kept[i] for i in kept} == {r.config["index"]: r.id for r in children
                                          if r.config["index"] in kept}
    # the same trials as an uninterrupted search with that seed
    fresh = tmp_path / "fresh.db"
    out = CliRunner().invoke(main, ["search", str(config), "--db", str(fresh), "--workers", "1",
                                    "--progress", "none", "--epochs", "1"])
    assert out.exit_code == 0, out.output
    fresh_params = {r.config["index"]: r.config["params"] for r in RunDB(fresh).runs(kind="trial")}
    assert {r.config["index"]: r.config["params"] for r in children} == fresh_params


def test_resume_without_an_interrupted_search_says_so(iris_config, db_path):
    path = Path(iris_config)
    path.write_text(path.read_text() + SEARCH.replace(f"trials = {TRIALS}", "trials = 2"))
    out = CliRunner().invoke(main, ["search", str(path), "--db", str(db_path), "--progress",
                                    "none", "--resume"])
    assert out.exit_code == 1
    assert "--resume: no killed or failed search of this config" in out.output
