"""``tidu train``: a small config trains, is recorded, and bad configs fail cleanly."""
import pytest
from click.testing import CliRunner

from tidu.cli import main
from tidu.runs import RunDB


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_train_records_a_run_with_config_metrics_and_test_scores(iris_config, db_path,
                                                                  tmp_path):
    weights = tmp_path / "model.npz"
    out = invoke("train", iris_config, "--db", db_path, "--save", weights)
    assert out.exit_code == 0, out.output
    assert "Epoch 3/3 - loss:" in out.output  # progress, one line per epoch off a terminal
    assert "done   run 1:" in out.output and "test_accuracy" in out.output

    db = RunDB(db_path)
    (run,) = db.runs()
    assert (run.kind, run.name, run.status, run.seed) == ("train", "iris-mlp", "finished", 0)
    assert run.config["optimizer"] == {"type": "SGD", "lr": 0.1, "momentum": 0.9}
    assert run.config["fit"]["epochs"] == 3 and run.config["fit"]["batch_size"] == 16
    assert {"tidu", "numpy", "python"} <= set(run.versions)
    assert 0 <= run.metrics["test_accuracy"] <= 1 and run.metrics["epochs"] == 3
    assert run.metrics["saved_to"] == str(weights) and weights.exists()
    names, rows = db.metric_table(run.id)
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} <= set(names)
    assert [r[0] for r in rows] == [0, 1, 2]


def test_options_override_the_config(iris_config, db_path):
    out = invoke("train", iris_config, "--db", db_path, "--epochs", 1, "--seed", 5,
                 "--set", "optimizer.lr=0.05", "--set", "model.layers[0].out_features=8",
                 "--name", "quick", "--progress", "none")
    assert out.exit_code == 0, out.output
    assert "Epoch" not in out.output
    run = RunDB(db_path).runs()[0]
    assert (run.name, run.seed, run.metrics["epochs"]) == ("quick", 5, 1)
    assert run.config["optimizer"]["lr"] == 0.05
    assert run.config["model"]["layers"][0]["out_features"] == 8


def test_same_seed_same_run(iris_config, db_path):
    for _ in range(2):
        assert invoke("train", iris_config, "--db", db_path, "--progress", "none").exit_code == 0
    a, b = RunDB(db_path).runs()
    assert a.metrics["test_loss"] == b.metrics["test_loss"]
    assert a.metrics["val_loss"] == b.metrics["val_loss"]


@pytest.mark.parametrize("setting, expected", [
    ('model.layers[1].type="Rectifier"', 'model.layers[1].type = "Rectifier": unknown layer '
                                         'type'),
    ('training.epochs="ten"', 'training.epochs = "ten": expected an integer ≥ 0, got a string'),
    ("optimizer.momentun=0.9", 'optimizer.momentun: SGD has no argument \'momentun\'; did you '
                               'mean "momentum"?'),
    ("optimizer.lr=-0.1", "optimizer.lr = -0.1: expected a finite number > 0"),
    ("model.layers[2].out_features=5", "model.layers[2].out_features = 5: the model gives "
                                       "outputs of shape (5,) per sample, but iris has 3 "
                                       "classes"),
])
def test_a_bad_config_is_one_line_exit_2_no_traceback(iris_config, db_path, setting, expected):
    out = invoke("train", iris_config, "--db", db_path, "--set", setting)
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1, out.output
    assert lines[0].startswith(f"Error: bad config: {iris_config}: "), lines[0]
    assert expected in lines[0], lines[0]
    assert "Traceback" not in out.output
    assert not db_path.exists() or RunDB(db_path).runs() == []  # nothing ran


def test_unknown_key_in_the_file(tmp_path, iris_text, db_path):
    path = tmp_path / "bad.toml"
    path.write_text(iris_text.replace("[training]", "[trainning]"), encoding="utf-8")
    out = invoke("train", path, "--db", db_path)
    assert out.exit_code == 2
    assert out.output.strip() == (
        f'Error: bad config: {path}: trainning: unknown key at the top level; did you mean '
        f'"training"? allowed: callbacks, data, loss, model, name, optimizer, regularization, '
        f'schedule, search, training')


def test_a_failing_run_is_recorded_as_failed_with_a_clean_message(iris_config, db_path, tmp_path):
    target = tmp_path / "missing-folder" / "log.csv"
    out = invoke("train", iris_config, "--db", db_path, "--progress", "none",
                 "--set", f'callbacks.csv_logger.filename="{target.as_posix()}"')
    assert out.exit_code == 1, out.output
    assert out.output.strip().splitlines()[-1].startswith("Error: FileNotFoundError:")
    assert "Traceback" not in out.output
    (run,) = RunDB(db_path).runs()
    assert run.status == "failed" and run.error.startswith("FileNotFoundError")


def test_traceback_flag_shows_the_traceback(iris_config, db_path):
    out = invoke("--traceback", "train", iris_config, "--db", db_path, "--set", "optimizer.lr=-1")
    assert out.exit_code != 0 and out.exception is not None
    assert type(out.exception).__name__ == "ConfigError"


def test_help_everywhere():
    for args in ([], ["train"], ["search"], ["diagnose"], ["runs"], ["runs", "list"],
                 ["runs", "show"], ["runs", "compare"], ["runs", "export"], ["demo"]):
        out = invoke(*args, "--help")
        assert out.exit_code == 0, (args, out.output)
        assert "Usage: main" in out.output or "Usage:" in out.output
    assert "--scheduler" in invoke("search", "--help").output
    assert "--csv" in invoke("runs", "export", "--help").output
