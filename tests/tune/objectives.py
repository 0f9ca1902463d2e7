"""Module-level objectives for the tune tests: importable by worker processes and Dask
workers (functions pickle by reference)."""
import math

import numpy as np

import tidu

OPTIMUM = (0.62, 0.27)


def narrow_peak(params):
    """A broad bowl with a narrow peak (width 0.02) at OPTIMUM on the unit square: the best
    score needs a point within a few hundredths of the optimum."""
    d2 = (params["x"] - OPTIMUM[0]) ** 2 + (params["y"] - OPTIMUM[1]) ** 2
    return -d2 + math.exp(-d2 / (2 * 0.02 ** 2))


def one_matters(params):
    """Only ``a`` matters; ``b`` is ignored."""
    return -(params["a"] - 0.37) ** 2


def noisy_with_failures(params, seed):
    """Raises for x > 0.85, diverges (NaN) for x < 0.1, +Inf for 0.1 ≤ x < 0.15; otherwise a
    bowl plus noise from the trial seed and from the global generators (which the trial
    seeds), so equal results across executors need every seed handled alike."""
    x = params["x"]
    if x > 0.85:
        raise ValueError(f"x={x:.3f} is too large")
    if x < 0.1:
        return float("nan")
    if x < 0.15:
        return math.inf
    noise = (np.random.default_rng(seed).random() + tidu.random.generator().random()
             + np.random.random())
    return {"score": -(x - 0.5) ** 2 + 1e-3 * noise, "noise": noise}


def pid(params):
    import os
    return float(os.getpid())


def build_mlp(params):
    """A tiny MLP for iris: 4 → hidden → 3, SGD with momentum."""
    from tidu import nn
    model = nn.Sequential(nn.Linear(4, params["hidden"]), nn.ReLU(),
                          nn.Linear(params["hidden"], 3))
    optimizer = tidu.optim.SGD(model.parameters(), lr=params["lr"], momentum=0.9)
    return model, nn.CrossEntropyLoss(), optimizer


def scaled_iris():
    X, y = tidu.data.load_iris()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, y


def crash_above(params):
    """Kills its worker process (as the OOM killer would) for x > 0.8."""
    import os
    if params["x"] > 0.8:
        os._exit(3)
    return params["x"]


def quick_or_stuck(params):
    """Returns at once for a < 0.5; otherwise sleeps far longer than any test (a trial that
    is still in flight when the search is interrupted)."""
    import time
    if params["a"] < 0.5:
        return params["a"]
    time.sleep(600)
    return params["a"]
