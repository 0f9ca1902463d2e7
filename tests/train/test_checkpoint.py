"""Checkpoint and resume: a run killed with SIGKILL — mid-epoch, or in the middle of writing a
checkpoint — and started again ends bit-identical to an uninterrupted run."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.data import DataLoader, GaussianNoise
from tidu.optim.lr_scheduler import ReduceLROnPlateau
from tidu.serialization import SerializationError
from tidu.errors import StateDictError
from tidu.train import (Callback, Checkpoint, EarlyStopping, LRSchedulerCallback, ModelCheckpoint,
                        Regularizer, Trainer, fit)

SCRIPT = Path(__file__).with_name("resume_script.py")


def _child(*args, timeout=120):
    return subprocess.Popen([sys.executable, str(SCRIPT), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run(*args):
    proc = _child(*args)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, err.decode()


def _assert_bit_identical(a: dict, b: dict):
    assert a.keys() == b.keys()
    host = lambda v: v.cpu().numpy() if isinstance(v, tidu.Tensor) else np.asarray(v)  # noqa: E731
    for key in a:
        assert a[key].dtype == b[key].dtype
        assert host(a[key]).tobytes() == host(b[key]).tobytes(), f"{key} differs"


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run (4 epochs × 10 steps)."""
    d = tmp_path_factory.mktemp("reference")
    rc, err = _run(d / "ckpt.npz", d / "out.npz")
    assert rc == 0, err
    return tidu.load(d / "out.npz")


def test_sigkill_mid_epoch_then_resume_is_bit_identical(tmp_path, reference):
    ckpt, out = tmp_path / "ckpt.npz", tmp_path / "out.npz"
    rc, _ = _run(ckpt, out, "--kill-at-step", 15)
    assert rc == -signal.SIGKILL and not out.exists()
    saved = tidu.load(ckpt)["progress"]  # checkpoints every 4 steps: the last one at step 12
    assert (saved["global_step"], saved["epoch"], saved["batches_done"],
            saved["epoch_finished"]) == (12, 1, 2, False)
    rc, err = _run(ckpt, out)
    assert rc == 0, err
    resumed = tidu.load(out)
    _assert_bit_identical(resumed["model"], reference["model"])
    assert resumed["history"] == reference["history"]  # every logged float, to the bit
    assert resumed["epoch"] == [0, 1, 2, 3]


def test_sigkill_during_a_checkpoint_write_leaves_the_previous_one(tmp_path, reference):
    ckpt, out, marker = tmp_path / "ckpt.npz", tmp_path / "out.npz", tmp_path / "writing"
    # saves: step 4, step 8, end of epoch 0 (step 10), …; the 3rd stalls half-written
    proc = _child(ckpt, out, "--stall-in-save", 3, marker)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1].decode()
        assert time.monotonic() < deadline, "the child never reached the third save"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].stat().st_size > 0  # the half-written file
    state = tidu.load(ckpt)  # the target is the complete previous checkpoint
    assert state["progress"]["global_step"] == 8 and state["progress"]["batches_done"] == 8
    rc, err = _run(ckpt, out)
    assert rc == 0, err
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # cleaned up
    resumed = tidu.load(out)
    _assert_bit_identical(resumed["model"], reference["model"])
    assert resumed["history"] == reference["history"]


# --------------------------------------------------------------------------- in process
class Crash(Exception):
    pass


class CrashAt(Callback):
    """Raise after optimizer step ``step``, in on_batch_end (before that step's checkpoint)
    or, with ``at_epoch_end``, in the on_epoch_end that follows it."""

    def __init__(self, step, at_epoch_end=False):
        self.step, self.at_epoch_end = step, at_epoch_end

    def on_batch_end(self, batch, logs=None):
        if self.trainer.global_step == self.step and not self.at_epoch_end:
            raise Crash

    def on_epoch_end(self, epoch, logs=None):
        if self.trainer.global_step == self.step and self.at_epoch_end:
            raise Crash


def _setup(crash_at=None, every_n_steps=None, every_n_epochs=1, path=None):
    """An MLP with dropout and BatchNorm, augmented data, Adam, ReduceLROnPlateau per epoch,
    EarlyStopping with best weights, ModelCheckpoint, an L1 penalty, metrics."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((90, 6)).astype(np.float32)
    y = (X[:, :2].sum(1) > 0).astype(np.int64)
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.25),
                          nn.Linear(16, 2))
    opt = tidu.optim.Adam(model.parameters(), lr=0.02)
    loader = DataLoader((X[:70], y[:70]), batch_size=16, shuffle=True, seed=4,
                        transform=GaussianNoise(0.1, seed=9))
    callbacks = [LRSchedulerCallback(ReduceLROnPlateau(opt, patience=0, factor=0.5)),
                 EarlyStopping(patience=3, restore_best_weights=True),
                 ModelCheckpoint(path.with_suffix(".best.npz"), save_best_only=True),
                 Regularizer("l1", lam=1e-3)]
    if crash_at is not None:
        callbacks.append(CrashAt(*crash_at))
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, metrics=["accuracy", "f1"],
                      callbacks=callbacks, verbose=0,
                      checkpoint=Checkpoint(path, every_n_steps=every_n_steps,
                                            every_n_epochs=every_n_epochs))
    return trainer, loader, (X[70:], y[70:])


def _weights(model):
    return {k: v.cpu().numpy().copy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("crash_at,every_n_steps,every_n_epochs,saved_at", [
    # (epoch, batches_done, epoch_finished, global_step) of the checkpoint resumed from
    ((11,), 3, None, (1, 4, False, 9)),          # mid-epoch
    ((13,), None, 1, (1, 5, True, 10)),          # the end of epoch 1
    ((10, True), 5, None, (1, 5, False, 10)),    # all batches done, the epoch's end not yet
])
def test_resume_after_a_crash_is_bit_identical(tmp_path, crash_at, every_n_steps, every_n_epochs,
                                               saved_at):
    ref, loader, val = _setup(path=tmp_path / "ref.npz", every_n_steps=every_n_steps,
                              every_n_epochs=every_n_epochs)
    ref_history = ref.fit(loader, val, epochs=4)
    crashed, loader, val = _setup(crash_at, every_n_steps, every_n_epochs, tmp_path / "run.npz")
    with pytest.raises(Crash):
        crashed.fit(loader, val, epochs=4, resume=True)
    progress = tidu.load(tmp_path / "run.npz")["progress"]
    assert (progress["epoch"], progress["batches_done"], progress["epoch_finished"],
            progress["global_step"]) == saved_at
    resumed, loader, val = _setup(None, every_n_steps, every_n_epochs, tmp_path / "run.npz")
    history = resumed.fit(loader, val, epochs=4, resume=True)
    _assert_bit_identical(_weights(resumed.model), _weights(ref.model))
    assert history.history == ref_history.history and history.epoch == ref_history.epoch
    assert resumed.global_step == ref.global_step == 20
    _assert_bit_identical(tidu.load(tmp_path / "run.best.npz"),
                          tidu.load(tmp_path / "ref.best.npz"))


def test_checkpoint_contents_and_completed_run(tmp_path):
    trainer, loader, val = _setup(path=tmp_path / "c.npz")
    history = trainer.fit(loader, val, epochs=2)
    assert trainer.checkpoint.saves == 3  # two epoch ends and the end of training
    state = tidu.load(tmp_path / "c.npz")
    assert set(state) == {"format", "version", "model", "optimizer", "callbacks", "train_loader",
                          "rng", "progress", "accumulators", "history", "stop_training",
                          "stop_reason"}
    assert set(state["rng"]) == {"tidu", "numpy", "python"}
    assert set(state["callbacks"]) == {"0:LRSchedulerCallback", "1:EarlyStopping",
                                       "2:ModelCheckpoint"}
    assert state["progress"] == {"epoch": 1, "batches_done": 5, "epoch_finished": True,
                                 "global_step": 10, "epochs": 2, "steps_per_epoch": 5}
    # resuming a finished run trains nothing more and gives back its history
    again, loader, val = _setup(path=tmp_path / "c.npz")
    before = _weights(again.model)
    again_history = again.fit(loader, val, epochs=2, resume=True)
    assert again_history.history == history.history
    _assert_bit_identical(_weights(again.model), _weights(trainer.model))
    assert not np.array_equal(before["0.weight"], _weights(again.model)["0.weight"])
    # asking for more epochs continues the run
    more, loader, val = _setup(path=tmp_path / "c.npz")
    assert more.fit(loader, val, epochs=3, resume=True).epoch == [0, 1, 2]


def test_resume_refuses_mismatched_runs(tmp_path):
    trainer, loader, val = _setup(path=tmp_path / "c.npz")
    trainer.fit(loader, val, epochs=1)
    other, _, val = _setup(path=tmp_path / "c.npz")
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((40, 6)).astype(np.float32), rng.integers(0, 2, 40)
    with pytest.raises(StateDictError, match="taken with 5 batches per epoch, this run has 3"):
        other.fit((X, y), val, epochs=2, batch_size=16, resume=True)
    fewer, loader, val = _setup(path=tmp_path / "c.npz")
    fewer.callbacks = fewer.callbacks[1:]
    with pytest.raises(StateDictError, match="holds state for callbacks"):
        fewer.fit(loader, val, epochs=2, resume=True)
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 not a zip")
    broken, loader, val = _setup(path=tmp_path / "bad.npz")
    with pytest.raises(SerializationError, match="not a readable .npz"):
        broken.fit(loader, val, epochs=2, resume=True)
    tidu.save({"model": {}}, tmp_path / "other.npz")
    foreign, loader, val = _setup(path=tmp_path / "other.npz")
    with pytest.raises(SerializationError, match="is not a tidu.train checkpoint .*'format' is missing"):
        foreign.fit(loader, val, epochs=2, resume=True)


def test_resume_without_a_file_starts_fresh_and_stale_temporaries_go(tmp_path):
    stale = tmp_path / ".c.npz.abc123.tmp"
    stale.write_bytes(b"half")
    unrelated = tmp_path / ".other.npz.abc.tmp"
    unrelated.write_bytes(b"x")
    a, loader, val = _setup(path=tmp_path / "c.npz")
    ha = a.fit(loader, val, epochs=2, resume=True)
    b, loader, val = _setup(path=tmp_path / "d.npz")
    hb = b.fit(loader, val, epochs=2)
    assert ha.history == hb.history
    assert not stale.exists() and unrelated.exists()


def test_checkpoint_arguments():
    with pytest.raises(ValueError, match="Checkpoint: every_n_steps must be a positive int"):
        Checkpoint("x.npz", every_n_steps=0)
    model = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="Trainer: checkpoint must be a path, a Checkpoint or "
                                        "None, got int"):
        fit(model, nn.MSELoss(), tidu.optim.SGD(model.parameters()), (np.ones((2, 1)),) * 2,
            checkpoint=3)
    assert Checkpoint("x.npz").every_n_epochs == 1
