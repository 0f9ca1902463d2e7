"""`tidu bench --scaling`: how each library's epoch time and peak memory grow with the batch
size and, for MLPs, with the hidden width.

For every workload named, the same samples per epoch are trained at each batch size of
``batch_sizes`` (32 … 512 by default) and — when the workload is an MLP (it has a
``resize``) — at each hidden width of ``widths`` (256 … 2048) at its own batch size.  Each
point is a `workloads.variant` of the workload measured by `harness.run_workload`: the
same interleaved tidu/PyTorch epoch pairs (fewer of them by default) and the same
peak-memory subprocesses as the main table.  The report is a markdown "Scaling" section
(a table per workload) and a PNG figure (seconds per epoch against batch size and against
width, both libraries, log axes) drawn with matplotlib's Agg backend.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from .harness import (BenchError, Settings, WorkloadResult, check_device, import_torch,
                      run_workload, thread_limit)
from .workloads import WORKLOADS, Workload, check_names, variant

BATCH_SIZES = (32, 64, 128, 256, 512)
WIDTHS = (256, 512, 1024, 2048)
QUICK_BATCH_SIZES, QUICK_WIDTHS = (32, 64), (256, 512)  # --quick: a smoke test
SCALING_PAIRS, SCALING_WARMUP = 3, 1
AXES = ("batch", "width")
HEADER = ("varied", "value", "samples", "batch", "width", "tidu s/epoch", "PyTorch s/epoch",
          "tidu/PyTorch", "tidu peak MB", "PyTorch peak MB")
LEFT = {0}


@dataclass(frozen=True)
class ScalingSettings:
    """What the scaling run varies: workload names, batch sizes, widths (MLPs only), and
    the samples per epoch (None: the workload's own, at least the largest batch)."""

    names: tuple
    batch_sizes: tuple = BATCH_SIZES
    widths: tuple = WIDTHS
    samples: int | None = None


@dataclass
class ScalingPoint:
    """One measured variant: which axis was varied, its value, and the harness' result."""

    axis: str  # "batch" or "width"
    value: int
    width: int | None
    result: WorkloadResult


@dataclass
class ScalingRun:
    """Every point of every workload, in the order measured."""

    settings: ScalingSettings
    points: list = field(default_factory=list)

    def of(self, name: str, axis: str) -> list:
        """The points of workload ``name`` along ``axis``, by increasing value."""
        return sorted((p for p in self.points if p.result.name == name and p.axis == axis),
                      key=lambda p: p.value)


# --------------------------------------------------------------------------- settings
def parse_names(text: str) -> tuple:
    """``"a,b"`` → ("a", "b"), checked against the workloads; a BenchError naming the
    unknown ones (and the valid ones) otherwise."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    if not names:
        raise BenchError(f"--scaling expects WORKLOAD[,WORKLOAD…] from "
                         f"{', '.join(WORKLOADS)}, got {text!r}")
    try:
        return tuple(check_names(names))
    except ValueError as exc:
        raise BenchError(f"--scaling: {exc}") from None


def parse_sizes(text: str, option: str) -> tuple:
    """``"32,64"`` → (32, 64): positive integers, increasing order, no repeats; a BenchError
    naming ``option`` otherwise."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise BenchError(f"{option} expects positive integers separated by commas, got "
                         f"{text!r}")
    return tuple(sorted(set(values)))


def make_scaling_settings(names, batch_sizes=None, widths=None, samples=None,
                          quick=False) -> ScalingSettings:
    """ScalingSettings from names (a "a,b" string or a sequence) and the sizes (None: 32 …
    512 and 256 … 2048, or only the two smallest of each with ``quick``); a BenchError for
    an unknown name or a bad size."""
    names = parse_names(names if isinstance(names, str) else ",".join(names))
    if batch_sizes is None:
        batch_sizes = QUICK_BATCH_SIZES if quick else BATCH_SIZES
    if widths is None:
        widths = QUICK_WIDTHS if quick else WIDTHS
    for option, values in (("batch sizes", batch_sizes), ("widths", widths)):
        if not values or any(not isinstance(v, int) or v < 1 for v in values):
            raise BenchError(f"scaling {option} must be positive integers, got {values!r}")
    if samples is not None and (not isinstance(samples, int) or samples < 1):
        raise BenchError(f"scaling samples must be a positive integer, got {samples!r}")
    return ScalingSettings(names, tuple(batch_sizes), tuple(widths), samples)


def point_settings(settings: Settings, pairs_given: bool) -> Settings:
    """The harness settings of one point: the main run's, with the scaling run's own
    default pair counts unless pairs were given."""
    if pairs_given or settings.quick:
        return settings
    return replace(settings, pairs=SCALING_PAIRS, warmup=min(settings.warmup, SCALING_WARMUP))


# --------------------------------------------------------------------------- measuring
def plan(workload: Workload, scaling: ScalingSettings, quick: bool) -> list:
    """(axis, value, variant) of every point of ``workload``: each batch size at the same
    samples per epoch, then (MLPs) each width at the workload's batch size."""
    samples = scaling.samples or max(workload.sizes(quick), max(scaling.batch_sizes))
    out = [("batch", b, variant(workload, batch=b, samples=samples))
           for b in scaling.batch_sizes]
    if workload.resize is not None:
        out += [("width", w, variant(workload, width=w, samples=samples))
                for w in scaling.widths]
    return out


def run_scaling(settings: Settings, scaling: ScalingSettings, pairs_given: bool = False,
                log=print) -> ScalingRun:
    """Measure every point of ``scaling`` with the harness (interleaved pairs, memory
    subprocesses) under ``settings``' threads and device."""
    torch = import_torch()
    check_device(settings.device, torch)
    each = point_settings(settings, pairs_given)
    out = ScalingRun(scaling)
    with thread_limit(settings.threads, torch):
        for name in scaling.names:
            for axis, value, work in plan(WORKLOADS[name], scaling, settings.quick):
                result = run_workload(work, each, log=lambda m, a=axis, v=value:
                                      log(f"scaling {a}={v}: {m}"))
                out.points.append(ScalingPoint(axis, value, work.width, result))
    return out


# --------------------------------------------------------------------------- the tables
def _cell(value, fmt: str) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else fmt.format(value)


def point_row(point: ScalingPoint) -> list:
    """One table row: varied axis and value, sizes, both times, ratio, both peaks."""
    r = point.result
    head = [point.axis, str(point.value), f"{r.samples:,}", str(r.batch),
            _cell(point.width, "{}")]
    if not r.ok:
        return head + ["skipped"] + ["—"] * (len(HEADER) - len(head) - 1)
    return head + [f"{r.median_tidu:#.4g}", f"{r.median_torch:#.4g}", f"{r.ratio:.2f}",
                   _cell(r.memory_tidu.mb if r.memory_tidu else None, "{:.1f}"),
                   _cell(r.memory_torch.mb if r.memory_torch else None, "{:.1f}")]


def tables(run: ScalingRun) -> dict:
    """Workload name → its rows (batch points, then width points)."""
    return {name: [point_row(p) for axis in AXES for p in run.of(name, axis)]
            for name in run.settings.names}


def scaling_notes(run: ScalingRun) -> list:
    """Skipped points and points whose memory was not measured."""
    out = []
    for p in run.points:
        where = f"{p.result.name} {p.axis}={p.value}"
        if p.result.error:
            out.append(f"{where}: skipped — {p.result.error}")
        elif p.result.memory_error:
            out.append(f"{where}: peak memory not measured — {p.result.memory_error}")
    return out


def console_scaling(run: ScalingRun) -> str:
    """The scaling tables as plain text, one per workload."""
    from .report import text_table
    parts = []
    for name, body in tables(run).items():
        parts += [f"scaling of {name}:", text_table(HEADER, body), ""]
    parts += [f"note: {n}" for n in scaling_notes(run)]
    return "\n".join(parts).rstrip()


def markdown_scaling(run: ScalingRun, figure: str | None = None, pairs: int = 0,
                     warmup: int = 0) -> str:
    """The markdown "Scaling" section: method, the figure (a path relative to the report),
    a table per workload, notes."""
    from .report import markdown_table
    s = run.settings
    parts = ["## Scaling", "",
             f"Per workload, the same samples per epoch trained at batch sizes "
             f"{', '.join(map(str, s.batch_sizes))} and, for the MLPs, at hidden widths "
             f"{', '.join(map(str, s.widths))} (every hidden layer that wide, at the "
             f"workload's own batch size); each point measured like the table above "
             f"({warmup} warm-up + {pairs} timed interleaved pairs, peak memory in fresh "
             f"subprocesses).", ""]
    if figure:
        parts += [f"![seconds per epoch against batch size and width]({figure})", ""]
    for name, body in tables(run).items():
        parts += [f"### {name}", "", f"{WORKLOADS[name].description}.", "",
                  markdown_table(HEADER, body, left=LEFT), ""]
    notes = scaling_notes(run)
    if notes:
        parts += ["Notes:", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(parts)


# --------------------------------------------------------------------------- the figure
def figure_path(out_md) -> Path:
    """Where the figure of a report written to ``out_md`` goes: beside it, named
    ``<stem>-scaling.png``."""
    out_md = Path(out_md)
    return out_md.with_name(f"{out_md.stem}-scaling.png")


def plot(run: ScalingRun, path) -> Path:
    """Draw seconds per epoch against batch size (left) and hidden width (right), one colour
    per workload, tidu solid and PyTorch dashed, log-log axes; save a PNG at ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, name in enumerate(run.settings.names):
        for ax, axis in zip(axes, AXES):
            points = [p for p in run.of(name, axis) if p.result.ok]
            if not points:
                continue
            xs = [p.value for p in points]
            for lib, style, marker in (("tidu", "-", "o"), ("torch", "--", "s")):
                ys = [p.result.median_tidu if lib == "tidu" else p.result.median_torch
                      for p in points]
                label = f"{name} {'tidu' if lib == 'tidu' else 'PyTorch'}"
                ax.plot(xs, ys, linestyle=style, marker=marker, label=label,
                        color=colours[i % len(colours)])
    for ax, axis in zip(axes, AXES):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("batch size" if axis == "batch" else "hidden width (MLPs)")
        ax.set_ylabel("seconds per epoch (median)")
        ax.grid(True, which="both", alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "no workload varies here", ha="center", va="center",
                    transform=ax.transAxes)
    axes[0].set_title("time per epoch vs batch size (same samples)")
    axes[1].set_title("time per epoch vs hidden width")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
