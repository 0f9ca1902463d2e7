"""The evaluation model E15 (random vs grid) and E16 (coarse-to-fine) share: a trial's
observed score is its true score plus seed-to-seed noise, and a search is judged by the true
score of the trial it picked on observed scores."""
from __future__ import annotations

import numpy as np

# one training run's validation accuracy differs from seed to seed by about one percentage
# point for a small net on a few hundred validation samples (E2's 10-layer nets on 360
# held-out digits: 0.4–1 point)
NOISE = 0.01


def with_noise(true, seed: int):
    """An objective returning ``true(params)`` + N(0, NOISE²), drawn from its own generator."""
    noise = np.random.default_rng(seed)
    return lambda params: true(params) + NOISE * float(noise.standard_normal())


def picked_curve(result, true) -> np.ndarray:
    """After each trial: the true score of the trial with the best observed score so far."""
    observed = np.array([t["score"] for t in result.trials])
    best = np.array([int(np.argmax(observed[:i + 1])) for i in range(len(observed))])
    truth = np.array([true(t["params"]) for t in result.trials])
    return truth[best]
