"""``tidu runs list | show | compare | export``."""
import csv
import io
import json

import pytest
from click.testing import CliRunner

from tidu.cli import main
from tidu.runs import RunDB


def invoke(*args):
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2 mixes stderr in by default
    except TypeError:
        runner = CliRunner()  # click ≥ 8.2 keeps result.stderr apart
    return runner.invoke(main, [str(a) for a in args])


@pytest.fixture
def two_runs(iris_config, db_path):
    for lr in ("0.1", "0.05"):
        out = invoke("train", iris_config, "--db", db_path, "--progress", "none",
                     "--set", f"optimizer.lr={lr}")
        assert out.exit_code == 0, out.output
    return db_path


def test_list_shows_runs_newest_first(two_runs):
    out = invoke("runs", "list", "--db", two_runs)
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["id", "kind", "parent", "name", "status", "started",
                                "duration", "metrics"]
    assert lines[2].split()[:4] == ["2", "train", "iris-mlp", "finished"]
    assert lines[3].split()[:4] == ["1", "train", "iris-mlp", "finished"]
    assert "test_accuracy=" in lines[2]
    out = invoke("runs", "list", "--db", two_runs, "--status", "failed")
    assert out.stdout.strip() == "no runs recorded"


def test_list_marks_dead_processes_runs_killed(db_path):
    db = RunDB(db_path)
    dead = db.start_run("train", name="ghost")
    with db.conn:
        db.conn.execute("UPDATE runs SET pid = ? WHERE id = ?", (2 ** 22 + 4321, dead))
    alive = db.start_run("train", name="me")
    out = invoke("runs", "list", "--db", db_path)
    assert out.exit_code == 0
    rows = {line.split()[0]: line for line in out.stdout.splitlines()[2:]}
    assert "killed" in rows[str(dead)] and "running?" in rows[str(alive)]


def test_show_prints_metrics_epochs_and_config(two_runs):
    out = invoke("runs", "show", 1, "--db", two_runs)
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert text.startswith("run 1 · train · iris-mlp · finished")
    assert "final metrics" in text and "test_accuracy" in text
    assert "per-epoch metrics (3 epochs)" in text
    assert "optimizer.lr = 0.1" in text and "model.layers[0].out_features = 16" in text
    assert "versions   tidu" in text
    short = invoke("runs", "show", 1, "--db", two_runs, "--no-epochs", "--no-config").stdout
    assert "per-epoch" not in short and "optimizer.lr" not in short


def test_show_unknown_run_and_missing_db(two_runs, tmp_path):
    out = invoke("runs", "show", 99, "--db", two_runs)
    assert out.exit_code == 1 and "no run with id 99" in out.stderr
    out = invoke("runs", "list", "--db", tmp_path / "nothing.db")
    assert out.exit_code == 1 and "no run database at" in out.stderr
    assert not (tmp_path / "nothing.db").exists()


def test_compare_shows_metrics_and_config_differences(two_runs):
    out = invoke("runs", "compare", 1, 2, "--db", two_runs)
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["run", "1", "run", "2"]
    lr_row = next(line for line in lines if line.strip().startswith("optimizer.lr"))
    assert lr_row.split()[1:] == ["0.1", "0.05"]
    assert any(line.strip().startswith("test_accuracy") for line in lines)
    assert not any(line.strip().startswith("data.dataset") for line in lines)  # the same
    full = invoke("runs", "compare", 1, 2, "--db", two_runs, "--all-config").stdout
    assert "data.dataset" in full
    assert invoke("runs", "compare", 1, "--db", two_runs).exit_code == 2


def test_export_csv_to_stdout_and_file(two_runs, tmp_path):
    out = invoke("runs", "export", 1, "--csv", "--db", two_runs)
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    history = RunDB(two_runs).metrics(1)
    assert [float(r["val_loss"]) for r in rows] == [v for _, v in history["val_loss"]]

    path = tmp_path / "run1.csv"
    out = invoke("runs", "export", 1, "--csv", path, "--db", two_runs)
    assert out.exit_code == 0 and "wrote 3 rows" in out.stderr
    with open(path, newline="") as f:
        assert list(csv.DictReader(f)) == rows


def test_export_json_and_format_required(two_runs):
    out = invoke("runs", "export", 2, "--json", "--db", two_runs)
    doc = json.loads(out.stdout)
    assert doc["id"] == 2 and doc["status"] == "finished"
    assert len(doc["epochs"]["loss"]) == 3 and doc["config"]["optimizer"]["lr"] == 0.05
    out = invoke("runs", "export", 2, "--db", two_runs)
    assert out.exit_code == 2 and "choose a format" in out.stderr


def _seeded_runs(db_path, groups):
    db = RunDB(db_path)
    ids = []
    for lr, losses in groups:
        for seed, loss in enumerate(losses):
            run = db.start_run("train", name="mlp", config={"optimizer": {"lr": lr},
                                                             "seed": seed}, seed=seed)
            db.finish_run(run, {"val_loss": loss, "val_accuracy": 1 - loss})
            ids.append(run)
    return ids


def test_compare_says_whether_configurations_differ_beyond_seed_noise(db_path):
    ids = _seeded_runs(db_path, [(0.1, [0.30, 0.31, 0.29]), (0.01, [0.20, 0.21, 0.19])])
    out = invoke("runs", "compare", *ids, "--db", db_path)
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert "seed noise: 2 configurations (runs {1, 2, 3}, {4, 5, 6})" in text
    loss = next(line for line in text.splitlines() if line.strip().startswith("val_loss:"))
    assert "{4, 5, 6} 0.2 [" in loss and "(n=3)" in loss
    assert "{4, 5, 6} vs {1, 2, 3}: differ beyond seed noise" in loss
    acc = next(line for line in text.splitlines() if line.strip().startswith("val_accuracy:"))
    assert "{4, 5, 6} vs {1, 2, 3}" in acc  # higher is better for an accuracy


def test_compare_within_noise_and_with_one_seed_each(db_path, tmp_path):
    ids = _seeded_runs(db_path, [(0.1, [0.30, 0.20, 0.25]), (0.01, [0.24, 0.27, 0.22])])
    text = invoke("runs", "compare", *ids, "--db", db_path).stdout
    assert "not distinguishable beyond seed noise" in text
    single = tmp_path / "single.db"
    ids = _seeded_runs(single, [(0.1, [0.3]), (0.01, [0.2])])
    text = invoke("runs", "compare", *ids, "--db", single).stdout
    assert "one seed per configuration: cannot be told from seed noise" in text
