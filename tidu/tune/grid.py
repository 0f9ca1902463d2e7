"""`GridSearch`: every combination of evenly spaced values of each hyper-parameter."""
from __future__ import annotations

import itertools
from numbers import Integral

from .base import Search
from .space import Distribution

__all__ = ["GridSearch"]


class GridSearch(Search):
    """Try every point of the grid: each distribution contributes ``points_per_axis`` evenly
    spaced values (`Distribution.grid`: log-spaced for log scales, every option of a
    `choice`, at most the distinct integers of a `randint`), constants one; the trials are
    the Cartesian product, in order (the last hyper-parameter varies fastest).

    ``points_per_axis``: an int for all axes (default 3) or a dict name → int (the others
    get 3).  See `Search` for the other arguments.  (scikit-learn's ``GridSearchCV`` takes
    the list of values of each axis; here give them as ``choice([...])``.)

    The notes (001, 超参数调试) prefer random points: a 3 × 3 grid tries only 3 values of each
    hyper-parameter in 9 trials, so if only one of them matters, 6 trials are wasted;
    9 random points try 9 values of each.
    """

    kind = "grid"

    def __init__(self, space, objective, points_per_axis=3, **kwargs):
        super().__init__(space, objective, **kwargs)
        owner = type(self).__name__
        if isinstance(points_per_axis, dict):
            unknown = set(points_per_axis) - set(self.space)
            if unknown:
                raise ValueError(f"{owner}: points_per_axis names {sorted(unknown)}, which are "
                                 f"not in the space {list(self.space)}")
            per_axis = {name: points_per_axis.get(name, 3) for name in self.space}
        else:
            per_axis = {name: points_per_axis for name in self.space}
        for name, n in per_axis.items():
            if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
                raise ValueError(f"{owner}: points_per_axis must be a positive int (or a dict "
                                 f"of them), got {n!r} for {name!r}")
        self.points_per_axis = {name: int(n) for name, n in per_axis.items()}

    def axes(self) -> dict:
        """name → the list of values the grid tries."""
        return {name: (d.grid(self.points_per_axis[name]) if isinstance(d, Distribution)
                       else [d]) for name, d in self.space.items()}

    def points(self) -> list:
        """Every point of the grid, in trial order."""
        axes = self.axes()
        names = list(axes)
        return [dict(zip(names, values)) for values in itertools.product(*axes.values())]

    def _settings(self) -> dict:
        points = self.points()
        return {"points_per_axis": dict(self.points_per_axis), "n_trials": len(points)}

    def _plan(self):
        self._spaces.append(dict(self.space))
        yield [self._task(i, params) for i, params in enumerate(self.points())]
