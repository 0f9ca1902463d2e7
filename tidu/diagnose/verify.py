r"""`verify_remedies`: controlled reruns of a checked-up run, one per remedy and seed, that
measure what each remedy does to the validation loss and accuracy.

For each seed s = recipe.seed, recipe.seed + 1, …, recipe.seed + seeds − 1:

* the **baseline**: the recipe trained again from its initial weights with ``fit(seed=s)``
  and an in-memory checkpoint after every epoch (for s = recipe.seed, and ``steps=None``,
  this is the checked-up run itself, bit for bit); data with NaN/inf rows, which ``fit``
  refuses, gives no model: its loss counts as +∞;
* per remedy, the **remedied run** with the same seed, only the remedy changed (see
  `tidu.diagnose.remedies.plan`).  A forkable plan (model, weights and data unchanged)
  continues from the baseline's checkpoint at the fork epoch — the last epoch completed
  before the finding's onset, ``finding.step // steps_per_epoch − 1`` (for a finding read
  from the epoch curves, its ``epoch``; ``train_longer``: the baseline's last epoch) — so its data order and random draws after the fork are the
  baseline's; a fork epoch of −1 (or a finding without a step) trains from scratch, as do
  plans that change the model or the data.  The fork epoch is at most the run's epochs − 2,
  so at least one epoch runs with the remedy.

Each run is scored by its final model's loss (and accuracy, when the run has that metric) on
the validation data (the training data when there is none), a non-finite loss counting as
+∞.  Per remedy: Δ = remedy − baseline per seed, its mean and a 95% Student-t interval over
the seeds (mean ± t₀.₉₇₅,ₙ₋₁ · sd/√n; ``scipy.stats.t`` when SciPy is installed, else a
table for up to 30 degrees of freedom and 1.96 above); the remedy ``improved`` the run when
the mean Δloss < 0 and Δloss < 0 for a majority of the seeds (an infinite baseline loss made
finite is Δ = −∞; both infinite is Δ = 0).  The results are ordered best first (by mean
Δloss).

``first_seed`` moves the seeds to first_seed, first_seed + 1, … (None: recipe.seed): the
best of several remedies picked on some seeds is confirmed without bias (no winner's curse)
on fresh ones.  ``steps`` caps every run at ``ceil(steps / steps_per_epoch)`` epochs (None: the recipe's).
Deterministic: the same diagnosis verified twice gives the same numbers.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from ..data.loader import DataLoader
from .._stats import mean_interval
from ..errors import ArgumentError
from .checkup import MemoryCheckpoint
from .findings import REMEDIES
from .remedies import _check_key, _finite_rows, plan as make_plan

__all__ = ["verify_remedies", "VerifiedRemedy", "Verification"]


@dataclass
class Run:
    """One training run: its ``trainer`` (``trainer.model`` the final model), ``history``,
    ``checkpoint`` (a `MemoryCheckpoint`, state after epoch e at ``states[e]`` for a run from
    scratch), the score (``loss``, ``accuracy`` or None) and the ``fork_epoch`` it continued
    from (None: from scratch)."""

    trainer: object
    history: object
    checkpoint: MemoryCheckpoint
    loss: float
    accuracy: float | None
    fork_epoch: int | None = None


def steps_per_epoch(recipe) -> int:
    """Optimizer steps per epoch of ``recipe``'s run."""
    if not trainable(recipe):  # the loader refuses the data; no run has any step
        return 1
    return len(DataLoader(recipe.train_data, batch_size=recipe.batch_size, shuffle=False,
                          seed=0))


def trainable(recipe) -> bool:
    """Whether ``fit`` accepts the recipe's data (it refuses rows with NaN/inf)."""
    pairs = [recipe.train_data] + ([recipe.val_data] if recipe.val_data is not None else [])
    return all(_finite_rows(a).all() for pair in pairs for a in pair)


def run_epochs(recipe, steps: int | None) -> int:
    """Epochs of a rerun capped at ``steps`` optimizer steps (None: the recipe's)."""
    if steps is None:
        return recipe.epochs
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ArgumentError(f"verify: steps must be a positive int or None, got "
                            f"steps={steps!r}")
    return math.ceil(int(steps) / steps_per_epoch(recipe))


def _score(recipe, trainer) -> tuple:
    data = recipe.val_data if recipe.val_data is not None else recipe.train_data
    with np.errstate(all="ignore"):
        logs = trainer.evaluate(data, batch_size=recipe.batch_size)
    loss = float(logs["loss"])
    acc = logs.get("accuracy")
    return (loss if math.isfinite(loss) else math.inf), (None if acc is None else float(acc))


def _train(recipe, seed, epochs, checkpoint, resume=False, fork_epoch=None) -> Run:
    model, optimizer, callbacks = recipe.build()
    trainer = recipe.trainer(model, optimizer, callbacks, checkpoint=checkpoint)
    with np.errstate(all="ignore"):
        history = recipe.fit(trainer, seed=seed, epochs=epochs, resume=resume)
    loss, acc = _score(recipe, trainer)
    return Run(trainer, history, checkpoint, loss, acc, fork_epoch)


def baseline_run(recipe, seed: int, epochs: int | None = None) -> Run:
    """``recipe`` trained again from its initial weights with ``fit(seed=seed)``, an
    in-memory checkpoint after every epoch."""
    checkpoint = MemoryCheckpoint(keep_callbacks=len(recipe.callbacks))
    if not trainable(recipe):  # fit refuses the data: no model comes out, loss +∞
        return Run(None, None, checkpoint, math.inf, None)
    return _train(recipe, seed, recipe.epochs if epochs is None else epochs, checkpoint)


def fork_epoch_of(p, finding, baseline: Run, spe: int, epochs: int) -> int | None:
    """The baseline epoch a forkable plan continues from, or None (from scratch)."""
    if not p.forkable:
        return None
    saved = len(baseline.checkpoint.states)
    if p.fork == "last":
        return saved - 1 if saved else None
    step, onset = getattr(finding, "step", None), getattr(finding, "epoch", None)
    if step is None and onset is None:
        return None
    epoch = int(step) // spe - 1 if step is not None else int(onset)
    epoch = min(epoch, epochs - 2, saved - 1)
    return epoch if epoch >= 0 else None


def remedy_run(recipe, p, seed: int, epochs: int | None = None, baseline: Run | None = None,
               fork_epoch: int | None = None) -> Run:
    """The run of ``recipe`` with plan ``p`` applied and ``fit(seed=seed)``: from the
    ``baseline``'s checkpoint after ``fork_epoch`` (with the plan's optimizer overrides
    written into that state's groups), or from scratch when ``fork_epoch`` is None."""
    remedied = p.apply(recipe)
    epochs = recipe.epochs if epochs is None else epochs
    if p.epochs is not None:
        epochs = epochs * p.epochs // recipe.epochs
    if fork_epoch is None:
        return _train(remedied, seed, epochs,
                      MemoryCheckpoint(every_n_epochs=None, keep_callbacks=len(recipe.callbacks)))
    if not p.forkable or baseline is None:
        raise ArgumentError(f"verify: remedy {p.key!r} changes the model or the data; it "
                            f"cannot continue from the baseline's checkpoint")
    state = copy.deepcopy(baseline.checkpoint.states[fork_epoch])
    for group, overrides in zip(state["optimizer"]["param_groups"], p.optimizer):
        group.update(overrides)
    checkpoint = MemoryCheckpoint(every_n_epochs=None, states=[state], index=0,
                                  keep_callbacks=len(recipe.callbacks))
    return _train(remedied, seed, epochs, checkpoint, resume=True, fork_epoch=fork_epoch)


# --------------------------------------------------------------------------- statistics
def _delta(a: float, b: float) -> float:
    """a − b, with finite − ∞ = −∞ and ∞ − ∞ = 0 (both runs diverged: no change)."""
    if math.isinf(a) and math.isinf(b):
        return 0.0
    return a - b


@dataclass
class VerifiedRemedy:
    """The measured effect of one remedy: ``key``, ``name``, ``fork_epoch`` (the baseline
    epoch the reruns continued from; None: from scratch), the ``seeds``, per seed the
    validation ``loss`` / ``accuracy`` of the remedied run and of the ``baseline_*`` run,
    ``delta_loss`` (mean of remedy − baseline) with its 95% t-interval ``delta_loss_ci``,
    the same for accuracy (None without the metric), ``improved`` and ``changes`` (the
    plan's `describe`: exactly what differed from the baseline)."""

    key: str
    name: str
    fork_epoch: int | None
    seeds: list
    loss: list
    baseline_loss: list
    accuracy: list
    baseline_accuracy: list
    delta_loss: float
    delta_loss_ci: tuple
    delta_accuracy: float | None
    delta_accuracy_ci: tuple | None
    improved: bool
    changes: dict = field(default_factory=dict)

    def __str__(self) -> str:
        acc = ("" if self.delta_accuracy is None else
               f", Δaccuracy {self.delta_accuracy:+.3g} "
               f"[{self.delta_accuracy_ci[0]:+.3g}, {self.delta_accuracy_ci[1]:+.3g}]")
        fork = "from scratch" if self.fork_epoch is None else f"from epoch {self.fork_epoch}"
        verdict = "improved" if self.improved else "did not improve"
        return (f"{self.key}: {verdict} — Δval_loss {self.delta_loss:+.3g} "
                f"[{self.delta_loss_ci[0]:+.3g}, {self.delta_loss_ci[1]:+.3g}]{acc} over "
                f"{len(self.seeds)} seeds, {fork}")


class Verification(list):
    """The `VerifiedRemedy` results, best first; ``str()`` is a table."""

    def __str__(self) -> str:
        if not self:
            return "No remedy verified."
        head = f"{'remedy':<15} {'Δval_loss':>10} {'95% interval':>23} {'Δacc':>8} " \
               f"{'improved':>8} {'seeds':>5} {'fork':>7}"
        rows = [head, "-" * len(head)]
        for v in self:
            lo, hi = v.delta_loss_ci
            acc = "" if v.delta_accuracy is None else f"{v.delta_accuracy:+.3f}"
            fork = "scratch" if v.fork_epoch is None else str(v.fork_epoch)
            ci = "n/a" if math.isnan(lo) else f"[{lo:+.3g}, {hi:+.3g}]"
            rows.append(f"{v.key:<15} {v.delta_loss:>+10.4g} {ci:>23} {acc:>8} "
                        f"{'yes' if v.improved else 'no':>8} {len(v.seeds):>5} {fork:>7}")
        return "\n".join(rows)

    __repr__ = __str__


def _verified(key, fork, seeds, runs, baselines) -> VerifiedRemedy:
    loss = [r.loss for r in runs]
    base_loss = [b.loss for b in baselines]
    d_loss = [_delta(a, b) for a, b in zip(loss, base_loss)]
    mean, ci = mean_interval(d_loss)
    acc = [r.accuracy for r in runs]
    base_acc = [b.accuracy for b in baselines]
    if any(a is None for a in acc + base_acc):
        mean_acc, ci_acc = None, None
    else:
        mean_acc, ci_acc = mean_interval([a - b for a, b in zip(acc, base_acc)])
    better = sum(d < 0 for d in d_loss)
    improved = bool(mean < 0 and better > len(d_loss) / 2)
    return VerifiedRemedy(key, REMEDIES[key].name, fork, list(seeds), loss, base_loss, acc,
                          base_acc, mean, ci, mean_acc, ci_acc, improved)


def _candidates(diagnosis, remedies, top: int) -> list:
    recipe, finding = diagnosis.recipe, diagnosis.top
    if remedies is not None:
        keys = [remedies] if isinstance(remedies, str) else list(remedies)
        for key in keys:
            _check_key(key)
        for key in keys:
            if make_plan(key, recipe, finding, recipe.seed) is None:
                raise ArgumentError(f"verify: tidu cannot apply remedy {key!r} to this run "
                                    f"(see tidu.diagnose.remedies for what each remedy needs)")
        return list(dict.fromkeys(keys))
    if finding is None:
        return []
    keys = []
    for r in finding.remedies:
        if len(keys) == top:
            break
        if r.key not in keys and make_plan(r.key, recipe, finding, recipe.seed) is not None:
            keys.append(r.key)
    return keys


def verify_remedies(diagnosis, seeds: int = 3, steps: int | None = None, remedies=None,
                    top: int = 3, first_seed: int | None = None) -> Verification:
    """Controlled reruns of ``diagnosis``'s run (a `Diagnosis` made by `checkup`) for the
    first ``top`` remedies of its top finding that tidu can apply (or the keys in
    ``remedies``), each over ``seeds`` seeds; returns the `VerifiedRemedy` results best
    first (a `Verification`).  See the module docstring for the protocol."""
    recipe = getattr(diagnosis, "recipe", None)
    if recipe is None:
        raise ArgumentError("verify: this diagnosis has no recorded run to repeat; make it "
                            "with tidu.diagnose.checkup(...)")
    for name, value in (("seeds", seeds), ("top", top)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ArgumentError(f"verify: {name} must be a positive int, got "
                                f"{name}={value!r}")
    epochs = run_epochs(recipe, steps)
    keys = _candidates(diagnosis, remedies, top)
    finding, spe = diagnosis.top, steps_per_epoch(recipe)
    start = recipe.seed if first_seed is None else int(first_seed)
    seed_list = [start + i for i in range(int(seeds))]
    baselines = [baseline_run(recipe, s, epochs) for s in seed_list]
    results = []
    for key in keys:
        runs, fork = [], None
        for s, base in zip(seed_list, baselines):
            p = make_plan(key, recipe, finding, s)
            fork = fork_epoch_of(p, finding, base, spe, epochs)
            runs.append(remedy_run(recipe, p, s, epochs, base, fork))
        v = _verified(key, fork, seed_list, runs, baselines)
        v.changes = make_plan(key, recipe, finding, recipe.seed).describe()
        results.append(v)
    results.sort(key=lambda v: (math.isnan(v.delta_loss), v.delta_loss))
    return Verification(results)
