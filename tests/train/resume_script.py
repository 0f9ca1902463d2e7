"""Child process for the kill-and-resume tests (tests/train/test_checkpoint.py).

    python resume_script.py CHECKPOINT OUT [--kill-at-step N] [--stall-in-save N MARKER]

Trains a small dropout MLP with Adam, a per-batch StepLR, an L2 regularizer, EarlyStopping
and an accuracy metric, checkpointing every 4 steps to CHECKPOINT with ``resume=True`` (so
a second run continues a killed one), and writes the final weights and history to OUT.

``--kill-at-step N``: the process SIGKILLs itself right after optimizer step N (mid-epoch),
before the checkpoint of that step (if any) is written.
``--stall-in-save N MARKER``: the N-th checkpoint write stops half-way through the file,
creates MARKER and sleeps, so the parent can SIGKILL it during the write.
"""
from __future__ import annotations

import io
import os
import signal
import sys
import time

import numpy as np

import tidu
from tidu import nn
from tidu.train import (Callback, Checkpoint, EarlyStopping, LRSchedulerCallback, Regularizer,
                        fit)

EPOCHS = 4
BATCH_SIZE = 16          # 160 training samples: 10 steps per epoch
EVERY_N_STEPS = 4


class KillAtStep(Callback):
    def __init__(self, step: int):
        self.step = step

    def on_batch_end(self, batch, logs=None):
        if self.trainer.global_step == self.step:
            os.kill(os.getpid(), signal.SIGKILL)


def stall_in_save(n: int, marker: str) -> None:
    from tidu import serialization
    original = serialization._write_npz
    calls = [0]

    def write(f, entries):
        calls[0] += 1
        if calls[0] != n:
            return original(f, entries)
        buffer = io.BytesIO()
        original(buffer, entries)
        data = buffer.getvalue()
        f.write(data[: len(data) // 2])
        f.flush()
        os.fsync(f.fileno())
        with open(marker, "w") as m:
            m.write("writing")
        time.sleep(120)
        raise SystemExit("not killed")

    serialization._write_npz = write


def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 10)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)
    return (X[:160], y[:160]), (X[160:], y[160:])


def main(argv) -> None:
    checkpoint, out = argv[0], argv[1]
    callbacks = []
    if "--stall-in-save" in argv:
        i = argv.index("--stall-in-save")
        stall_in_save(int(argv[i + 1]), argv[i + 2])
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    optimizer = tidu.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = tidu.optim.lr_scheduler.StepLR(optimizer, step_size=7, gamma=0.7)
    callbacks += [LRSchedulerCallback(scheduler, interval="batch"),
                  Regularizer("l2", lam=1e-3),
                  EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)]
    if "--kill-at-step" in argv:
        callbacks.append(KillAtStep(int(argv[argv.index("--kill-at-step") + 1])))
    train, val = data()
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, val_data=val, epochs=EPOCHS,
                  batch_size=BATCH_SIZE, callbacks=callbacks, metrics=["accuracy"], seed=1,
                  verbose=0, checkpoint=Checkpoint(checkpoint, every_n_steps=EVERY_N_STEPS),
                  resume=True)
    tidu.save({"model": {k: np.array(v) for k, v in model.state_dict().items()},
               "history": history.history, "epoch": history.epoch}, out)


if __name__ == "__main__":
    main(sys.argv[1:])
