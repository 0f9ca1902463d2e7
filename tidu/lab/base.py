"""An experiment of the lab: one claim of the notes, run as a seeded, deterministic function
that returns a verdict with the measured numbers that decide it, and figures.

Each experiment module in `tidu.lab.experiments` registers itself with `@experiment(...)`:

    @experiment("E18", title="Stable softmax", notes=("004",),
                claim_zh="…the notes' own words…", claim_en="…one English line…")
    def run(full: bool = False) -> Outcome:
        ...
        return Outcome(held=…, verdict="…numbers…", setup="…", numbers={…}, figures=[fig])

``full=False`` (quick mode, the default) must finish in seconds on 2 cores; ``full=True`` may
use larger setups.  An experiment uses only tidu's public API.  ``expected`` is the verdict a
fair setup gives (True = the claim holds); where the notes are wrong or hold only under
conditions, set ``expected=False`` and explain in ``expected_reason`` — never tune a setup
until a verdict comes out "held".
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import matplotlib
from threadpoolctl import threadpool_limits

matplotlib.use("Agg")

EXPERIMENTS: dict[str, "Experiment"] = {}


@dataclass
class Outcome:
    """What an experiment measured: the verdict and what decides it."""

    held: bool
    verdict: str                      # the deciding quantities, e.g. "ratio 3.1e-07 (sigmoid) vs 0.84 (ReLU+He)"
    setup: str                        # data, model, optimizer, steps: enough to repeat it
    numbers: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)   # matplotlib Figures; base64 PNG once rendered


@dataclass
class Experiment:
    id: str
    title: str
    claim_zh: str
    claim_en: str
    notes: tuple
    run: Callable[..., Outcome]
    expected: bool = True
    expected_reason: str = ""


@dataclass
class Result:
    experiment: Experiment
    outcome: Outcome
    seconds: float
    full: bool

    @property
    def as_expected(self) -> bool:
        return self.outcome.held == self.experiment.expected


def experiment(id: str, *, title: str, claim_zh: str, claim_en: str, notes=(), expected: bool = True,
               expected_reason: str = ""):
    """Register the decorated ``run(full=False) -> Outcome`` as experiment ``id``."""
    def register(fn):
        if id in EXPERIMENTS:
            raise ValueError(f"experiment {id} is registered twice")
        EXPERIMENTS[id] = Experiment(id, title, claim_zh, claim_en, tuple(notes), fn, expected,
                                     expected_reason)
        return fn
    return register


def run_experiment(exp: Experiment, full: bool = False) -> Result:
    from ..random import manual_seed

    manual_seed(0)  # every experiment starts from the same state, whatever ran before it
    # One BLAS thread: the lab's models are small, so extra threads only add contention,
    # and timing claims (E14) must not depend on how loaded the machine is.
    with threadpool_limits(1, "blas"):
        start = time.perf_counter()
        outcome = exp.run(full=full)
        seconds = time.perf_counter() - start
    if not isinstance(outcome, Outcome):
        raise TypeError(f"experiment {exp.id} returned {type(outcome).__name__}, not an Outcome")
    return Result(exp, outcome, seconds, full)
