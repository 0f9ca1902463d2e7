"""The pathology map of a search: for two parameters, the score of the trials that trained
beside what became of every trial — diverged, exploding or vanishing gradients, a dead
network, another failure — drawn from the user's own search (matplotlib on the Agg canvas,
no pyplot).

It is the notes' lesson (001, 超参数调试) of why a learning rate is searched on a log scale,
seen in one's own trials: the good region is a narrow band in log10(lr), bounded by runs
that barely move on one side and runs that blow up on the other.  A log-scaled parameter is
drawn on a log axis.
"""
from __future__ import annotations

from .space import IntUniform, LogUniform, space_from_dict

__all__ = ["trial_outcome", "plot_pathology_map", "OUTCOMES"]

OUTCOMES = {"finished": "#4c72b0", "diverged": "#c44e52", "exploding_gradients": "#dd8452",
            "vanishing_gradients": "#8172b3", "dead_relu": "#937860", "nonfinite": "#c44e52",
            "failed": "#7f7f7f"}
"""Each outcome and its colour on the map."""

_FINDINGS = ("exploding_gradients", "vanishing_gradients", "dead_relu", "nonfinite")


def trial_outcome(trial: dict) -> str:
    """What became of a trial: ``"finished"``, a diagnosis' finding that stopped or marked it
    (``trial["finding"]``, as diagnosis-aware pruning records it), ``"diverged"`` (a non-
    finite loss or score), or ``"failed"`` (any other error)."""
    finding = trial.get("finding")
    if finding in _FINDINGS:
        return finding
    if trial["status"] == "finished":
        return "finished"
    error = (trial.get("error") or "").lower()
    if error.startswith("diverged") or "nan" in error or "inf" in error:
        return "diverged"
    return "failed"


def _figure(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def plot_pathology_map(result, x: str, y: str, figsize=(10, 4.2)):
    """Two panels over parameters ``x`` and ``y`` of ``result`` (a `SearchResult`): the score
    of every finished trial (colour), and every trial's `trial_outcome`.  Returns the
    matplotlib ``Figure``."""
    space = space_from_dict(result.info.get("space", {}))
    for name in (x, y):
        if name not in space or not hasattr(space[name], "to_dict"):
            raise ValueError(f"plot_pathology_map: {name!r} is not a searched parameter; "
                             f"those are {[n for n, d in space.items() if hasattr(d, 'to_dict')]}")
    trials = [t for t in result.trials if x in t["params"] and y in t["params"]]
    fig = _figure(figsize)
    ax_score, ax_outcome = fig.subplots(1, 2, sharex=True, sharey=True)
    done = [t for t in trials if t["status"] == "finished"]
    if done:
        dots = ax_score.scatter([t["params"][x] for t in done], [t["params"][y] for t in done],
                                c=[t["score"] for t in done], cmap="viridis", s=36)
        fig.colorbar(dots, ax=ax_score, label=f"score ({result.mode})")
    ax_score.set_title("score of the trials that trained")
    for outcome, colour in OUTCOMES.items():
        mine = [t for t in trials if trial_outcome(t) == outcome]
        if mine:
            ax_outcome.scatter([t["params"][x] for t in mine], [t["params"][y] for t in mine],
                               color=colour, s=36, label=f"{outcome} ({len(mine)})")
    ax_outcome.set_title("what became of each trial")
    ax_outcome.legend(fontsize=8, loc="best")
    for ax in (ax_score, ax_outcome):
        ax.set_xlabel(x)
        ax.set_ylabel(y)
    for name, setter in ((x, "set_xscale"), (y, "set_yscale")):
        dist = space[name]
        if isinstance(dist, LogUniform) or (isinstance(dist, IntUniform) and dist.log):
            getattr(ax_score, setter)("log")
    return fig
