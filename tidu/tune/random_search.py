"""`RandomSearch`: independent random points of the space."""
from __future__ import annotations

from .base import Search, check_count
from .space import sample_space
from .trial import trial_rng

__all__ = ["RandomSearch"]


class RandomSearch(Search):
    """Try ``n_trials`` points drawn independently from the space (default 10).  Trial i's
    point is drawn from a generator seeded by (seed, i), so it does not depend on the
    executor or on the other trials.  See `Search` for the other arguments.

    Why random rather than a grid (notes 001, 超参数调试): with the same number of trials
    every hyper-parameter is tried at as many distinct values as there are trials, which
    matters when only some of them affect the score — and one rarely knows which.
    """

    kind = "random"

    def __init__(self, space, objective, n_trials: int = 10, **kwargs):
        super().__init__(space, objective, **kwargs)
        self.n_trials = check_count(n_trials, type(self).__name__, "n_trials")

    def points(self) -> list:
        """The points the trials will try, in trial order."""
        return [sample_space(self.space, trial_rng(self.seed, i)) for i in range(self.n_trials)]

    def _settings(self) -> dict:
        return {"n_trials": self.n_trials}

    def _plan(self):
        self._spaces.append(dict(self.space))
        yield [self._task(i, params) for i, params in enumerate(self.points())]
