"""The four tasks of the search benchmark and the ONE training code both libraries call.

Each task is a small MLP on a small bundled data set, split once (seed 0) into a training
and a validation part, so that one epoch takes milliseconds:

* ``digits``   — 8×8 digits (scaled by 1/16), 600 train / 400 validation, 10 classes;
* ``spirals``  — 3 noisy spirals (σ = 0.2), 400 / 200, 3 classes;
* ``cancer``   — breast cancer (standardized on the training part), 380 / 189, 2 classes;
* ``teacher``  — teacher–student regression (an MLP teacher, 10 features, σ = 0.1),
  400 / 400; scored by validation MSE (lower is better).

The splits are those of `tidu.diagnose.benchmark` (the diagnosis benchmark).

The model of every task: ``Linear(d, w) → ReLU → Linear(w, w) → ReLU → Linear(w, k)``
trained with ``Adam(lr, weight_decay)`` on mini-batches of 32, reshuffled every epoch from
the trial's own generator.  The search space (`SPACE`) is the same for both libraries::

    lr            log-uniform on [1e-4, 0.3]
    width         integer, log-uniform on [4, 256]
    weight_decay  log-uniform on [1e-6, 1e-2]

`TrainState` holds one trial's model, optimizer, generator and epoch count; `train_epoch`
trains it one epoch and returns the validation score; a state pickles whole, which is the
checkpoint tidu's Hyperband resumes from (Optuna keeps it in memory: its trial runs in one
call).  `Budget` counts every epoch trained by either library and stops a search that would
go over its budget.
"""
from __future__ import annotations

import math
import pickle
import time
from functools import lru_cache

import numpy as np

import tidu
from tidu import nn
from tidu.data import datasets
from tidu.nn import functional as F
from tidu.optim import Adam

SPACE = {"lr": (1e-4, 0.3), "width": (4, 256), "weight_decay": (1e-6, 1e-2)}
BATCH = 32


def _split(X, y, n_train: int, n_val: int, seed: int = 0) -> tuple:
    idx = np.random.default_rng(seed).permutation(len(X))
    tr, va = idx[:n_train], idx[n_train:n_train + n_val]
    return (X[tr], y[tr]), (X[va], y[va])


@lru_cache(maxsize=None)
def load(task: str) -> tuple:
    """((X_train, y_train), (X_val, y_val)) of ``task``, float32 inputs."""
    if task == "digits":
        X, y = datasets.load_digits()
        return _split((X / 16).astype(np.float32), y, 600, 400)
    if task == "spirals":
        X, y = datasets.make_spirals(600, n_classes=3, noise=0.2, seed=0)
        return _split(X.astype(np.float32), y, 400, 200)
    if task == "cancer":
        X, y = datasets.load_breast_cancer()
        (Xt, yt), (Xv, yv) = _split(X, y, 380, 189)
        mu, sd = Xt.mean(0), Xt.std(0)
        return ((((Xt - mu) / sd).astype(np.float32), yt),
                (((Xv - mu) / sd).astype(np.float32), yv))
    if task == "teacher":
        X, y, _ = datasets.make_teacher_student(800, 10, noise_sigma=0.1, seed=0,
                                                teacher="mlp")
        return _split(X.astype(np.float32), y.astype(np.float32), 400, 400)
    raise ValueError(f"load: task must be one of {TASKS}, got task={task!r}")


TASKS = ("digits", "spirals", "cancer", "teacher")
MODE = {"digits": "max", "spirals": "max", "cancer": "max", "teacher": "min"}
METRIC = {"digits": "accuracy", "spirals": "accuracy", "cancer": "accuracy",
          "teacher": "mse"}


class BudgetExhausted(BaseException):
    """The search's epoch budget is spent.  A BaseException, so that neither library records
    it as a failed trial and goes on: it ends ``Search.run`` / ``study.optimize`` alike."""


class Budget:
    """Counts the epochs a search trains and logs every validation score with its time.

    ``log`` rows: (seconds since ``start()``, trial key, epochs the trial had trained,
    validation score)."""

    def __init__(self, epochs: int):
        self.epochs = int(epochs)
        self.used = 0
        self.log: list = []
        self.t0 = time.perf_counter()

    def start(self) -> None:
        self.used, self.log, self.t0 = 0, [], time.perf_counter()

    def take(self) -> None:
        if self.used >= self.epochs:
            raise BudgetExhausted(f"{self.used} of {self.epochs} epochs used")
        self.used += 1

    def record(self, key, epochs: int, score: float) -> None:
        self.log.append((time.perf_counter() - self.t0, key, int(epochs), float(score)))


class TrainState:
    """One trial's training: model, optimizer, shuffling generator, epochs done."""

    def __init__(self, task: str, params: dict, seed: int):
        (Xt, yt), _ = load(task)
        out = 1 if task == "teacher" else int(yt.max()) + 1
        w = int(params["width"])
        tidu.manual_seed(int(seed))
        self.task = task
        self.model = nn.Sequential(nn.Linear(Xt.shape[1], w), nn.ReLU(), nn.Linear(w, w),
                                   nn.ReLU(), nn.Linear(w, out))
        self.optimizer = Adam(self.model.parameters(), lr=float(params["lr"]),
                              weight_decay=float(params["weight_decay"]))
        self.rng = np.random.default_rng(int(seed))
        self.epochs = 0

    def save(self, path: str) -> None:
        with open(path, "wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def load(path: str) -> "TrainState":
        with open(path, "rb") as f:
            return pickle.load(f)


def train_epoch(state: TrainState, budget: Budget) -> float:
    """Train ``state`` one epoch (counted against ``budget``) and return its validation
    score (accuracy, or MSE for the regression task).  A non-finite training loss raises
    `FloatingPointError` (a diverged trial — both libraries record it as failed)."""
    budget.take()
    (Xt, yt), (Xv, yv) = load(state.task)
    regression = state.task == "teacher"
    model, opt = state.model, state.optimizer
    order = state.rng.permutation(len(Xt))
    last = 0.0
    with np.errstate(all="ignore"):
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            out = model(tidu.tensor(Xt[idx]))
            target = tidu.tensor(yt[idx])
            loss = F.mse_loss(out, target) if regression else F.cross_entropy(out, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            last = float(loss._data)
        state.epochs += 1
        if not math.isfinite(last):
            raise FloatingPointError(f"diverged: training loss {last} at epoch {state.epochs}")
        with tidu.no_grad():
            pred = model(tidu.tensor(Xv))._data
        if regression:
            score = float(np.mean((pred - yv) ** 2))
        else:
            score = float(np.mean(pred.argmax(1) == yv))
    if not math.isfinite(score):
        raise FloatingPointError(f"diverged: validation score {score} at epoch {state.epochs}")
    return score
