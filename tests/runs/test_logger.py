"""RunLogger: a fit recorded in the database, and failures recorded through `with`."""
import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.runs import RunDB, RunLogger
from tidu.train import Callback, EarlyStopping, fit


def small_problem(seed=0):
    tidu.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((48, 3)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))
    return model, tidu.optim.SGD(model.parameters(), lr=0.2, momentum=0.5), X, y


def test_fit_is_recorded_with_config_metrics_and_final_values(tmp_path):
    db = RunDB(tmp_path / "runs.db")
    model, opt, X, y = small_problem()
    logger = RunLogger(db, name="tiny", config={"note": "hello"}, seed=0)
    history = fit(model, nn.CrossEntropyLoss(), opt, (X, y), val_data=(X, y), epochs=4,
                  batch_size=16, metrics=["accuracy"], verbose=0, callbacks=[logger])
    run = db.get_run(logger.run_id)
    assert (run.status, run.name, run.seed, run.kind) == ("finished", "tiny", 0, "train")
    assert run.config["note"] == "hello"
    fit_info = run.config["fit"]
    assert fit_info["epochs"] == 4 and fit_info["batch_size"] == 16
    assert fit_info["optimizer"] == "SGD" and fit_info["optimizer_params"]["lr"] == 0.2
    assert fit_info["loss"] == "CrossEntropyLoss" and fit_info["metrics"] == ["accuracy"]
    series = db.metrics(run.id)
    for key in ("loss", "val_loss", "accuracy", "val_accuracy", "lr"):
        assert [v for _, v in series[key]] == pytest.approx(history.history[key])
    assert run.metrics["val_loss"] == pytest.approx(history.history["val_loss"][-1])
    assert run.metrics["epochs"] == 4 and "stop_reason" not in run.metrics


def test_early_stop_reason_is_a_final_metric(tmp_path):
    db = RunDB(tmp_path / "runs.db")
    model, opt, X, y = small_problem()

    class Stop(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.trainer.stop_training = True
                self.trainer.stop_reason = "enough"

    logger = RunLogger(db)
    fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=10, verbose=0,
        callbacks=[logger, Stop()])
    run = db.get_run(logger.run_id)
    assert run.status == "finished" and run.metrics["epochs"] == 2
    assert run.metrics["stop_reason"] == "enough"


def test_context_manager_adds_test_metrics_and_records_failures(tmp_path):
    db = RunDB(tmp_path / "runs.db")
    model, opt, X, y = small_problem()
    with RunLogger(db, name="ok") as run:
        fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=2, verbose=0, callbacks=[run])
        assert db.get_run(run.run_id).status == "running"  # the block has not ended
        run.finish({"test_accuracy": 0.75})
    ok = db.get_run(run.run_id)
    assert ok.status == "finished" and ok.metrics["test_accuracy"] == 0.75
    assert "loss" in ok.metrics

    model, opt, X, y = small_problem()
    with pytest.raises(ValueError, match="monitor='val_loss' needs validation data"):
        with RunLogger(db, name="bad") as run:
            fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=2, verbose=0,
                callbacks=[run, EarlyStopping("val_loss")])
    bad = db.get_run(run.run_id)
    assert bad.status == "failed" and bad.error.startswith("ValueError: EarlyStopping")

    with pytest.raises(KeyboardInterrupt):
        with RunLogger(db, name="interrupted") as run:
            raise KeyboardInterrupt
    assert db.get_run(run.run_id).status == "killed"


def test_exception_inside_fit_outside_a_with_block_is_marked_at_exit(tmp_path):
    db = RunDB(tmp_path / "runs.db")
    model, opt, X, y = small_problem()

    class Boom(Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise RuntimeError("boom")

    logger = RunLogger(db)
    with pytest.raises(RuntimeError):
        fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=3, verbose=0,
            callbacks=[logger, Boom()])
    assert db.get_run(logger.run_id).status == "running"
    logger._abandon()  # what the interpreter's exit does
    run = db.get_run(logger.run_id)
    assert run.status == "failed" and "exited before training ended" in run.error
    assert db.metrics(run.id)["loss"][0][0] == 0  # epoch 0 was recorded before the error
