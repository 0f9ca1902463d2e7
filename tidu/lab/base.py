"""An experiment of the lab: one claim of the notes, run as a seeded, deterministic function
that returns a verdict with the measured numbers that decide it, and figures.

Each experiment module in `tidu.lab.experiments` registers itself with `@experiment(...)`:

    @experiment("E18", title="Stable softmax", notes=("004",),
                claim_zh="…the notes' own words…", claim_en="…one English line…")
    def run(full: bool = False) -> Outcome:
        ...
        return Outcome(takeaway="…one plain sentence with the key numbers…",
                       verdict="…the deciding numbers and the criterion…", setup="…",
                       subclaims=[SubClaim("…", held=…, evidence="…")], seeds=(0, 1, 2),
                       per_seed={"…": [..]}, numbers={…}, figures=[fig])

A claim with several parts (the notes' "momentum is faster *and* oscillates less") gets one
`SubClaim` each; the experiment's status is then **held** (all hold), **not held** (none
does) or **mixed**.  A single claim may pass ``held=`` instead.  Where a verdict depends on
a training outcome, quick mode uses ≥ 3 seeds and ``per_seed`` shows the spread; a status
other than held says ``what_would_change`` it.  ``full=False`` (quick mode, the default)
must finish in seconds on 2 cores; ``full=True`` may use larger setups, and must not
contradict quick mode's verdict.  An experiment uses only tidu's public API.

``expected`` is the status a fair setup gives, reviewed by a person and checked against
full mode by a slow test; a claim that goes beyond the notes' own words says so in
``beyond_notes``.  Never tune a setup until a verdict comes out "held".
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import matplotlib
from threadpoolctl import threadpool_limits

matplotlib.use("Agg")

EXPERIMENTS: dict[str, "Experiment"] = {}


STATUSES = ("held", "not held", "mixed")


@dataclass
class SubClaim:
    """One part of a claim, with its own verdict and the numbers that decide it."""

    name: str                         # e.g. "momentum reaches f ≤ 1e-3 in fewer steps than SGD"
    held: bool
    evidence: str                     # the deciding numbers and the criterion
    beyond_notes: bool = False        # the notes do not say this; the lab adds it


@dataclass
class Outcome:
    """What an experiment measured: the verdict and what decides it."""

    verdict: str                      # the deciding quantities and the criterion
    setup: str                        # data, model, optimizer, steps, seeds: enough to repeat it
    held: bool | None = None          # a single claim; else derived from the sub-claims
    takeaway: str = ""                # one plain sentence for the summary, numbers included
    subclaims: list = field(default_factory=list)
    what_would_change: str = ""       # for "not held" / "mixed": the setup that would flip it
    seeds: tuple = ()
    per_seed: dict = field(default_factory=dict)  # quantity → one value per seed
    numbers: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)   # matplotlib Figures; base64 PNG once rendered

    def __post_init__(self):
        if self.subclaims:
            held = [bool(c.held) for c in self.subclaims]
            derived = all(held)
            if self.held is not None and bool(self.held) != derived:
                raise ValueError("Outcome: held= contradicts the sub-claims; give one or the other")
            self.held = derived
            self._status = "held" if all(held) else ("not held" if not any(held) else "mixed")
        else:
            if self.held is None:
                raise ValueError("Outcome: give held= or at least one SubClaim")
            self.held = bool(self.held)
            self._status = "held" if self.held else "not held"
        self.seeds = tuple(int(s) for s in self.seeds)

    @property
    def status(self) -> str:
        """'held' (every sub-claim holds), 'not held' (none does) or 'mixed'."""
        return self._status


@dataclass
class Experiment:
    id: str
    title: str
    claim_zh: str
    claim_en: str
    notes: tuple
    run: Callable[..., Outcome]
    expected: str = "held"
    expected_reason: str = ""
    beyond_notes: str = ""


@dataclass
class Result:
    experiment: Experiment
    outcome: Outcome
    seconds: float
    full: bool

    @property
    def as_expected(self) -> bool:
        return self.outcome.status == self.experiment.expected


def _status(expected) -> str:
    if expected is True or expected is False:
        return "held" if expected else "not held"
    if expected not in STATUSES:
        raise ValueError(f"expected must be one of {STATUSES} (or a bool), got {expected!r}")
    return expected


def experiment(id: str, *, title: str, claim_zh: str, claim_en: str, notes=(), expected="held",
               expected_reason: str = "", beyond_notes: str = ""):
    """Register the decorated ``run(full=False) -> Outcome`` as experiment ``id``.
    ``expected``: the reviewed status ('held', 'not held', 'mixed'; True/False for the
    first two); ``beyond_notes``: what the claim adds to the notes' own words, if anything."""
    def register(fn):
        if id in EXPERIMENTS:
            raise ValueError(f"experiment {id} is registered twice")
        EXPERIMENTS[id] = Experiment(id, title, claim_zh, claim_en, tuple(notes), fn,
                                     _status(expected), expected_reason, beyond_notes)
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
