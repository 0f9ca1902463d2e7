"""Plots of a `GradientMonitor`'s records (matplotlib, drawn on the Agg canvas: no pyplot,
no display, no change of the global backend; each function returns the ``Figure`` — save it
with ``fig.savefig("flow.png")``).

* `plot_gradient_flow` — the gradient norm of every layer over the recorded steps as a heat
  map on a log colour scale (layers top to bottom from input to output): vanishing
  gradients show as a dark band at the input layers, exploding ones as a bright region that
  spreads over the steps; elements with no gradient or a non-finite one are left blank.
* `plot_activation_histograms` — one histogram per layer of its activation values at the
  last record: saturated sigmoid/tanh layers pile up at the ends of their range, dead ReLU
  layers at 0.
"""
from __future__ import annotations

import math

import numpy as np

from .monitor import GradientMonitor, GradientStats

__all__ = ["plot_gradient_flow", "plot_activation_histograms"]


def _stats(source, owner: str) -> GradientStats:
    if isinstance(source, GradientMonitor):
        return source.stats
    if isinstance(source, GradientStats):
        return source
    raise TypeError(f"{owner}: expected a GradientMonitor or GradientStats, got "
                    f"{type(source).__name__}")


def _figure(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def plot_gradient_flow(source, ax=None, field: str = "grad_norm", cmap: str = "viridis"):
    """Heat map of ``field`` (default ``"grad_norm"``; any (steps, layers) statistic of
    `GradientStats` with positive values, e.g. ``"update_ratio"``) per layer (rows, input
    layer at the top) and recorded step (columns), colour on a log scale.  Draws on ``ax``
    if given, else on a new figure; returns the Figure."""
    from matplotlib.colors import LogNorm

    stats = _stats(source, "plot_gradient_flow")
    if not isinstance(getattr(stats, field, None), np.ndarray) or getattr(stats, field).ndim != 2:
        raise ValueError(f"plot_gradient_flow: field must name a (steps, layers) statistic such "
                         f"as 'grad_norm' or 'update_ratio', got field={field!r}")
    if len(stats.steps) == 0:
        raise ValueError("plot_gradient_flow: the monitor has recorded no step yet")
    values = getattr(stats, field).T  # (layers, steps)
    shown = np.ma.masked_where(~np.isfinite(values) | (values <= 0), values)
    if ax is None:
        fig = _figure((max(6.0, min(14.0, 4 + 0.08 * values.shape[1])),
                       max(3.0, min(12.0, 1.5 + 0.35 * values.shape[0]))))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    steps = stats.steps.astype(float)
    # cell edges halfway between recorded steps, so uneven spacing is drawn as it is
    if len(steps) > 1:
        mids = (steps[1:] + steps[:-1]) / 2
        edges = np.concatenate([[steps[0] - (mids[0] - steps[0])], mids,
                                [steps[-1] + (steps[-1] - mids[-1])]])
    else:
        edges = np.array([steps[0] - 0.5, steps[0] + 0.5])
    rows = np.arange(values.shape[0] + 1) - 0.5
    finite = shown.compressed()
    norm = None
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        if hi <= lo:
            lo, hi = lo / 10, hi * 10
        norm = LogNorm(vmin=lo, vmax=hi)
    mesh = ax.pcolormesh(edges, rows, shown, cmap=cmap, norm=norm, shading="flat")
    ax.set_ylim(values.shape[0] - 0.5, -0.5)  # input layer at the top
    ax.set_yticks(np.arange(values.shape[0]))
    ax.set_yticklabels([f"{info.name} ({info.type})" for info in stats.layers])
    ax.set_xlabel("training step")
    ax.set_ylabel("layer (input → output)")
    label = {"grad_norm": "gradient norm ‖∇θ‖₂", "update_ratio": "update/weight ‖Δθ‖/‖θ‖",
             "weight_norm": "weight norm ‖θ‖₂"}.get(field, field)
    ax.set_title(f"{label.split(' ‖')[0].capitalize()} per layer over training (log scale)")
    cbar = fig.colorbar(mesh, ax=ax)
    cbar.set_label(f"{label} (log scale)")
    return fig


def plot_activation_histograms(source, bins: int = 50, ncols: int = 4):
    """One histogram per layer of its activation values at the last record (from up to
    ``histogram_samples`` values the monitor kept), ``ncols`` panels a row, each titled with
    the layer, its activation kind and its saturated or dead fraction.  Returns the
    Figure."""
    stats = _stats(source, "plot_activation_histograms")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"plot_activation_histograms: bins must be a positive int, got {bins!r}")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"plot_activation_histograms: ncols must be a positive int, got {ncols!r}")
    layers = [(j, info) for j, info in enumerate(stats.layers)
              if info.name in stats.activation_samples]
    if not layers:
        raise ValueError("plot_activation_histograms: no activations recorded yet (record a "
                         "step with the monitor attached and histogram_samples > 0)")
    ncols = min(ncols, len(layers))
    nrows = math.ceil(len(layers) / ncols)
    fig = _figure((3.2 * ncols, 2.6 * nrows + 0.6))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).reshape(-1)
    for ax, (j, info) in zip(axes, layers):
        values = np.asarray(stats.activation_samples[info.name], dtype=np.float64)
        lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
        if not hi - lo > 1e-9 * max(1.0, abs(lo), abs(hi)):  # (nearly) constant: widen
            pad = 0.5 * max(1e-3, 1e-3 * abs(lo))
            lo, hi = lo - pad, hi + pad
        ax.hist(values, bins=bins, range=(lo, hi), color="tab:blue")
        extra = ""
        last = {"saturated": stats.saturated, "dead": stats.dead}
        for what, arr in last.items():
            if len(arr) and np.isfinite(arr[-1, j]):
                extra = f", {arr[-1, j]:.0%} {what}"
        kind = info.activation or "output"
        ax.set_title(f"{info.name} ({kind}{extra})", fontsize=9)
        ax.set_xlabel("activation")
        ax.set_ylabel("count")
    for ax in axes[len(layers):]:
        ax.set_visible(False)
    step = int(stats.steps[-1]) if len(stats.steps) else 0
    fig.suptitle(f"Activations per layer at step {step}")
    return fig
