"""Child process for the run-database tests (tests/runs/test_processes.py).

    python child_script.py fit DB            record a fit with RunLogger; SIGKILL itself
                                             right after epoch 3 has been recorded
    python child_script.py hammer DB MARKER  start a run, create MARKER, then record epochs
                                             of 10 metrics each, one transaction per epoch,
                                             until killed
    python child_script.py write DB N TAG GO create GO.TAG.ready, wait for the file GO,
                                             then record N runs (start, 5 epochs of 3
                                             metrics, finish)
    python child_script.py write_for DB SECONDS TAG GO
                                             the same, recording runs for SECONDS after GO
                                             appears instead of N; prints how many
"""
from __future__ import annotations

import os
import signal
import sys
import time

import numpy as np


def fit_and_die(path: str) -> None:
    import tidu
    from tidu import nn
    from tidu.runs import RunLogger
    from tidu.train import Callback, fit

    class KillAfterEpoch(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 3:
                os.kill(os.getpid(), signal.SIGKILL)

    tidu.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    logger = RunLogger(path, name="doomed", config={"what": "killed at epoch 3"}, seed=0)
    fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
        val_data=(X, y), epochs=50, batch_size=16, metrics=["accuracy"], verbose=0,
        callbacks=[logger, KillAfterEpoch()])


def hammer(path: str, marker: str) -> None:
    from tidu.runs import RunDB
    db = RunDB(path)
    run = db.start_run("lab", name="hammer")
    open(marker, "w").close()
    epoch = 0
    while True:
        db.log_metrics(run, epoch, {f"m{i}": epoch + i / 10 for i in range(10)})
        epoch += 1


def write(path: str, n: int, tag: str, go: str, seconds: float | None = None) -> int:
    from tidu.runs import RunDB
    db = RunDB(path)
    open(f"{go}.{tag}.ready", "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.001)
    stop = None if seconds is None else time.monotonic() + seconds
    i = 0
    while (i < n) if stop is None else (time.monotonic() < stop):
        run = db.start_run("lab", name=f"{tag}-{i}", config={"tag": tag, "i": i}, seed=i)
        for epoch in range(5):
            db.log_metrics(run, epoch, {"loss": 1.0 / (epoch + 1), "acc": epoch / 5, "i": i})
        db.finish_run(run, {"loss": 0.2, "i": i})
        i += 1
    return i


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "fit":
        fit_and_die(sys.argv[2])
    elif mode == "hammer":
        hammer(sys.argv[2], sys.argv[3])
    elif mode == "write":
        write(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif mode == "write_for":
        print(write(sys.argv[2], 0, sys.argv[4], sys.argv[5], seconds=float(sys.argv[3])))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
