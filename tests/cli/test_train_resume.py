"""`tidu train CONFIG --resume [RUN_ID]`: a run killed with SIGKILL mid-epoch continues from
its last checkpoint as the same run and ends bit-identical to an uninterrupted run."""
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from click.testing import CliRunner

import tidu
from tidu.cli import main
from tidu.runs import RunDB

ROOT = Path(__file__).resolve().parents[2]

# dropout, Adam, a step schedule and early stopping: every kind of state a resume restores
CONFIG = textwrap.dedent('''
    name = "digits-resume"
    [data]
    dataset = "digits"
    [model]
    layers = ["Linear(64, 32)", "ReLU", {type = "Dropout", p = 0.1},
              {type = "Linear", out_features = 10}]
    [optimizer]
    type = "Adam"
    lr = 0.01
    [schedule]
    type = "StepLR"
    step_size = 2
    gamma = 0.5
    [callbacks.early_stopping]
    patience = 50
    [training]
    epochs = 8
    batch_size = 16
''')


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def weights(path):
    return tidu.load(str(path))


def assert_identical(a: dict, b: dict):
    assert a.keys() == b.keys()
    for key in a:
        x, y = np.asarray(a[key]), np.asarray(b[key])
        assert x.dtype == y.dtype and x.shape == y.shape, key
        assert np.array_equal(x, y), f"{key} differs"  # exactly: bit-identical


def per_epoch(db_path, run_id):
    return RunDB(db_path).metric_table(run_id)


def kill_mid_training(config, db_path, after_epoch: int = 3):
    """Start `tidu train` in a child process and SIGKILL it right after it has printed
    epoch ``after_epoch`` (so during the next epoch)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "tidu.cli", "train", str(config), "--db",
                             str(db_path), "--checkpoint-every", "7", "--progress", "lines"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen = []
    for line in proc.stdout:
        seen.append(line.decode())
        if seen[-1].startswith(f"Epoch {after_epoch}/"):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, "".join(seen)  # killed before it finished


def test_resume_after_sigkill_is_bit_identical_and_the_same_run(tmp_path):
    config = tmp_path / "digits.toml"
    config.write_text(CONFIG, encoding="utf-8")
    reference_db = tmp_path / "reference.db"
    out = invoke("train", config, "--db", reference_db, "--save", tmp_path / "reference.npz",
                 "--progress", "none")
    assert out.exit_code == 0, out.output

    db_path = tmp_path / "runs.db"
    kill_mid_training(config, db_path)
    db = RunDB(db_path)
    (killed,) = db.runs()
    assert killed.status == "running" and killed.metrics == {}
    checkpoint = Path(db.checkpoint_path(killed.id))
    assert checkpoint.exists()
    progress = tidu.load(str(checkpoint))["progress"]
    assert 1 <= int(progress["global_step"]) < 8 * 68  # taken mid-training
    first_epoch = int(progress["epoch"]) + (2 if progress["epoch_finished"] else 1)

    out = invoke("train", config, "--db", db_path, "--resume", "--save",
                 tmp_path / "resumed.npz", "--progress", "lines")
    assert out.exit_code == 0, out.output
    assert f"run    {killed.id} resumed from {checkpoint}" in out.output
    # it continued where the checkpoint was taken rather than starting over
    epochs = [line for line in out.output.splitlines() if line.startswith("Epoch ")]
    assert epochs[0].startswith(f"Epoch {first_epoch}/8") and len(epochs) == 9 - first_epoch

    assert_identical(weights(tmp_path / "reference.npz"), weights(tmp_path / "resumed.npz"))
    (run,) = RunDB(db_path).runs()  # the same run, not a new one
    (reference,) = RunDB(reference_db).runs()
    assert run.id == killed.id and run.status == "finished" and run.error is None
    assert run.pid == os.getpid()  # it is this process's now
    assert per_epoch(db_path, run.id) == per_epoch(reference_db, reference.id)
    for key in ("loss", "val_loss", "accuracy", "test_loss", "test_accuracy", "epochs", "lr"):
        assert run.metrics[key] == reference.metrics[key], key
    assert not checkpoint.exists()  # a finished run's checkpoint is removed


def test_resume_by_id_from_the_start_when_killed_before_the_first_checkpoint(tmp_path):
    config = tmp_path / "digits.toml"
    config.write_text(CONFIG.replace("epochs = 8", "epochs = 2"), encoding="utf-8")
    db_path = tmp_path / "runs.db"
    out = invoke("train", config, "--db", db_path, "--save", tmp_path / "a.npz",
                 "--progress", "none")
    assert out.exit_code == 0, out.output
    db = RunDB(db_path)
    # a run whose process died before its first checkpoint
    run_id = db.start_run("train", name="digits-resume", config=db.get_run(1).config, seed=0)
    db.end_run(run_id, "killed", error="killed")
    out = invoke("train", config, "--db", db_path, "--resume", run_id, "--save",
                 tmp_path / "b.npz", "--progress", "none")
    assert out.exit_code == 0, out.output
    assert "resumed from the start (no checkpoint yet)" in out.output
    assert RunDB(db_path).get_run(run_id).status == "finished"
    assert_identical(weights(tmp_path / "a.npz"), weights(tmp_path / "b.npz"))


def test_what_cannot_be_resumed_is_refused_in_one_line(tmp_path):
    config = tmp_path / "digits.toml"
    config.write_text(CONFIG.replace("epochs = 8", "epochs = 1"), encoding="utf-8")
    db_path = tmp_path / "runs.db"
    assert invoke("train", config, "--db", db_path, "--progress", "none").exit_code == 0
    db = RunDB(db_path)
    killed = db.start_run("train", config=db.get_run(1).config, seed=0)
    db.end_run(killed, "killed")
    cases = [
        (["--resume", "1"], "--resume: run 1 finished; there is nothing to resume"),
        (["--resume", "99"], "--resume: no run with id 99"),
        (["--resume", str(killed), "--set", "optimizer.lr=0.02"],
         f"--resume: run {killed} was trained with another config: optimizer.lr (0.01 → 0.02)"),
        (["--resume", "--set", "optimizer.lr=0.02"],
         "--resume: no killed or failed train run of this config"),
        (["--resume", "x"], "Invalid value for '--resume': expected a run id, got 'x'"),
    ]
    for args, message in cases:
        out = invoke("train", config, "--db", db_path, *args)
        assert out.exit_code != 0, (args, out.output)
        assert message in out.output, (args, out.output)
        assert "Traceback" not in out.output
    assert [r.status for r in RunDB(db_path).runs(newest_first=False)] == ["finished", "killed"]


def test_sigterm_records_the_run_killed_and_it_resumes(tmp_path):
    config = tmp_path / "digits.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db_path = tmp_path / "runs.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "tidu.cli", "train", str(config), "--db",
                             str(db_path), "--progress", "lines"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen = []
    for line in proc.stdout:
        seen.append(line.decode())
        if seen[-1].startswith("Epoch 2/"):
            proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    proc.stdout.close()
    output = "".join(seen)
    assert proc.returncode == 128 + signal.SIGTERM, output
    assert output.strip().splitlines()[-1] == ("Error: terminated by SIGTERM (the run is "
                                               "recorded as killed)")
    assert not Path(f"{db_path}-wal").exists()  # the database was closed
    (run,) = RunDB(db_path).runs()
    assert run.status == "killed" and "SIGTERM" in run.error
    out = invoke("train", config, "--db", db_path, "--resume", run.id, "--progress", "none")
    assert out.exit_code == 0, out.output
    assert RunDB(db_path).get_run(run.id).status == "finished"
