"""`CoarseToFine`: rounds of random search, each on a space narrowed around the best trials."""
from __future__ import annotations

from numbers import Real

from .base import Search, check_count
from .result import best_of
from .space import Choice, Distribution, sample_space
from .trial import trial_rng

__all__ = ["CoarseToFine"]


class CoarseToFine(Search):
    """Coarse-to-fine search (notes 001, 超参数调试 — 从粗糙到精细): random search over the whole
    space, then over smaller and smaller regions around the best points found.

    ``n_rounds`` rounds (default 3) of ``trials_per_round`` random trials (default 10), so
    ``n_rounds × trials_per_round`` trials in all.  After each round, let T be the
    ``keep_top`` best finished trials so far (default 3).  Every numeric range
    moves to the smallest range holding T's values, widened about its middle to at least
    ``shrink`` × its current width (default 0.5) and never wider than now, clipped to the
    original bounds — on the log scale for `loguniform` and ``randint(log=True)``
    (`Distribution.refine`).  A `choice` keeps the options T used when
    ``narrow_choices=True`` (default), else all of them.  A round whose trials all failed
    leaves the space as it was.  ``result.spaces[r]`` is the space round r sampled from.

    Rounds run one after another (each needs the previous one's results); the trials of a
    round run in parallel.  See `Search` for the other arguments.
    """

    kind = "coarse_to_fine"

    def __init__(self, space, objective, n_rounds: int = 3, trials_per_round: int = 10,
                 keep_top: int = 3, shrink: float = 0.5, narrow_choices: bool = True,
                 **kwargs):
        super().__init__(space, objective, **kwargs)
        owner = type(self).__name__
        self.n_rounds = check_count(n_rounds, owner, "n_rounds")
        self.trials_per_round = check_count(trials_per_round, owner, "trials_per_round")
        self.keep_top = check_count(keep_top, owner, "keep_top")
        if isinstance(shrink, bool) or not isinstance(shrink, Real) or not 0 < shrink <= 1:
            raise ValueError(f"{owner}: shrink must be in (0, 1], got shrink={shrink!r}")
        self.shrink = float(shrink)
        self.narrow_choices = bool(narrow_choices)

    def _settings(self) -> dict:
        return {"n_rounds": self.n_rounds, "trials_per_round": self.trials_per_round,
                "keep_top": self.keep_top, "shrink": self.shrink,
                "narrow_choices": self.narrow_choices,
                "n_trials": self.n_rounds * self.trials_per_round}

    def narrowed(self, space: dict, top: list) -> dict:
        """The space of the next round, given the best trials so far (best first)."""
        if not top:
            return dict(space)
        out = {}
        for name, d in space.items():
            values = [t["params"][name] for t in top]
            if not isinstance(d, Distribution):
                out[name] = d
            elif isinstance(d, Choice) and not self.narrow_choices:
                out[name] = d
            else:
                out[name] = d.refine(values, self.shrink)
        return out

    def _plan(self):
        space = dict(self.space)
        for r in range(self.n_rounds):
            if r:
                space = self.narrowed(space, best_of(self._trials, self.mode, self.keep_top))
            self._spaces.append(space)
            first = r * self.trials_per_round
            yield [self._task(i, sample_space(space, trial_rng(self.seed, i)), round=r)
                   for i in range(first, first + self.trials_per_round)]
