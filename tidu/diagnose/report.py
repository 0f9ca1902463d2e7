"""The diagnosis report: one self-contained HTML page of a `Diagnosis` — what ``tidu diagnose
CONFIG.toml --out DIR`` writes as ``DIR/diagnosis.html``.

``write_report(diagnosis, path, title=None)`` writes, in this order:

* a summary: the run (epochs, recorded steps, layers) and the findings' titles, most
  important first (or "No problem found");
* one section per finding: its summary, the layers and the step where it was first seen,
  its evidence (the numbers the rule looked at) and its remedies ranked for this case;
* the verified remedies (`Diagnosis.verify`), best first: Δ validation loss and Δ accuracy
  (remedy − original run, mean over the seeds with its interval) and whether it improved;
* the evidence plots: loss (and accuracy) per epoch, training and validation; the gradient
  norm per layer and step (heat map, `plot_gradient_flow`); the update/weight ratio per
  layer; the sharpness λ_max against the stability limit 2/lr when it was tracked; the
  activation histograms at the last record.

The page has no external asset: CSS inline, plots as base64 PNG (matplotlib on the Agg
canvas, no pyplot), no script.  Plots that cannot be drawn from what was recorded (no
history, no monitor) are left out.
"""
from __future__ import annotations

import base64
import datetime
import html
import io
import math
import os
import pathlib

import numpy as np

from .._format import fmt
from .plots import _figure, plot_activation_histograms, plot_gradient_flow

__all__ = ["write_report", "report_figures"]

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} .sub{color:#666;margin-top:0}
table{border-collapse:collapse;margin:.6em 0} td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
section{border-top:1px solid #ddd;margin-top:2em;padding-top:.5em}
article.finding{border-left:4px solid #b71c1c;padding:.2em .8em;margin:1em 0;background:#fdf6f5}
.healthy{background:#e3f5e1;color:#1b5e20;font-weight:600;padding:.3em .6em}
.yes{background:#e3f5e1;color:#1b5e20;font-weight:600} .no{background:#fdecea;color:#b71c1c;font-weight:600}
.why{color:#8a4b00} .how{color:#555;font-size:.9em}
img{max-width:100%;border:1px solid #eee;margin:.4em 0} code{background:#f3f3f3;padding:0 .2em}
"""


def _esc(value) -> str:
    return html.escape(fmt(value) if not isinstance(value, str) else value)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return base64.b64encode(buf.getvalue()).decode("ascii")


# --------------------------------------------------------------------------- plots
def _plot_curves(history: dict):
    keys = [k for k in ("loss", "val_loss") if history.get(k)]
    acc = [k for k in ("accuracy", "val_accuracy") if history.get(k)]
    if not keys:
        return None
    fig = _figure((6.4 if not acc else 10.0, 3.4))
    axes = fig.subplots(1, 2 if acc else 1, squeeze=False)[0]
    for ax, group, label in ((axes[0], keys, "loss"), (axes[-1], acc, "accuracy")):
        if not group:
            continue
        for k in group:
            values = np.asarray(history[k], dtype=float)
            ax.plot(np.arange(1, len(values) + 1), values, marker="o",
                    label="validation" if k.startswith("val_") else "training")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_title(f"{label.capitalize()} per epoch")
        ax.legend()
    return fig


def _plot_update_ratio(stats):
    ratio = np.asarray(stats.update_ratio, dtype=float)
    if ratio.size == 0 or not np.isfinite(ratio).any():
        return None
    fig = _figure((6.4, 3.6))
    ax = fig.add_subplot()
    for j, info in enumerate(stats.layers):
        column = np.where(np.isfinite(ratio[:, j]) & (ratio[:, j] > 0), ratio[:, j], np.nan)
        if np.isfinite(column).any():
            ax.plot(stats.steps, column, label=info.name, lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("‖Δθ‖/‖θ‖ (log scale)")
    ax.set_title("Update/weight ratio per layer (a healthy step is about 1e-3)")
    if len(stats.layers) <= 12:
        ax.legend(fontsize=7)
    return fig


def _plot_sharpness(sharpness: dict):
    values = np.asarray([np.nan if v is None else v for v in sharpness.get("values") or []],
                        dtype=float)
    if not np.isfinite(values).any():
        return None
    steps = np.asarray(sharpness.get("steps") or np.arange(len(values)), dtype=float)
    limits = np.asarray([np.nan if v is None else v for v in sharpness.get("limits") or []],
                        dtype=float)
    fig = _figure((6.4, 3.4))
    ax = fig.add_subplot()
    ax.plot(steps, values, marker="o", label="sharpness λ_max")
    if limits.size == values.size and np.isfinite(limits).any():
        ax.plot(steps, limits, ls="--", color="tab:red", label="stability limit 2/lr")
    ax.set_xlabel("training step")
    ax.set_ylabel("λ_max")
    ax.set_title("Sharpness against the stability limit (stable below the line)")
    ax.legend()
    return fig


def report_figures(diagnosis) -> list:
    """``[(caption, Figure), …]``: the report's evidence plots that ``diagnosis`` has data
    for (loss curves, gradient-flow heat map, update ratio, sharpness, activations)."""
    out = []
    if diagnosis.history:
        fig = _plot_curves(diagnosis.history)
        if fig is not None:
            out.append(("Loss and accuracy per epoch, training and validation", fig))
    stats = diagnosis.stats
    if stats is not None and len(stats.steps):
        out.append(("Gradient norm per layer and step (dark rows at the input: vanishing; "
                    "a bright region spreading: exploding)", plot_gradient_flow(stats)))
        fig = _plot_update_ratio(stats)
        if fig is not None:
            out.append(("Update/weight ratio per layer", fig))
    if diagnosis.sharpness:
        fig = _plot_sharpness(diagnosis.sharpness)
        if fig is not None:
            out.append(("Sharpness λ_max and the stability limit 2/lr", fig))
    if stats is not None and stats.activation_samples:
        out.append(("Activations per layer at the last record",
                    plot_activation_histograms(stats)))
    return out


# --------------------------------------------------------------------------- sections
def _finding(i: int, f) -> str:
    where = []
    if f.layers:
        where.append(f"layers: {html.escape(', '.join(map(str, f.layers)))}")
    if f.step is not None:
        where.append(f"first seen at step {int(f.step)}")
    elif f.epoch is not None:
        where.append(f"from epoch {int(f.epoch)}")
    where.append(f"severity {fmt(f.severity)}")
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{_esc(v)}</td></tr>"
                   for k, v in f.evidence.items())
    remedies = "".join(
        f"<li><b>{html.escape(r.name)}</b> ({html.escape(r.term)})"
        + (f' <span class="why">— {html.escape(r.why)}</span>' if r.why else "")
        + f'<br><span class="how">In tidu: <code>{html.escape(r.how)}</code></span></li>'
        for r in f.remedies)
    return (f'<article class="finding" id="finding-{i}">\n'
            f"<h3>{i}. {html.escape(f.title)}</h3>\n<p>{html.escape(f.summary)}</p>\n"
            f'<p class="sub">{" · ".join(where)}</p>\n'
            f"<h4>Evidence</h4><table>{rows}</table>\n"
            f"<h4>Remedies, best first for this case</h4><ol>{remedies}</ol>\n</article>")


def _effect(v, name: str) -> str:
    """``mean [lo, hi]`` of a `VerifiedRemedy`'s ``name`` (``delta_loss``,
    ``delta_accuracy``) and its interval ``name_ci``; a dash when not measured."""
    mean, interval = getattr(v, name, None), getattr(v, f"{name}_ci", None)
    if mean is None or math.isnan(mean):
        return "—"
    text = f"{float(mean):+.4g}"
    if interval is not None and not any(math.isnan(float(x)) for x in interval):
        lo, hi = (float(x) for x in interval)
        text += f" [{lo:+.4g}, {hi:+.4g}]"  # none over one seed, or with infinite deltas
    return text


def _verified(verified) -> str:
    """The table of `Diagnosis.verified` (`tidu.diagnose.verify.VerifiedRemedy`: ``key``,
    ``name``, ``delta_loss`` and ``delta_loss_ci`` (NaN: not measured), ``delta_accuracy`` and
    ``delta_accuracy_ci`` (None without the metric), ``improved``, ``seeds``,
    ``fork_epoch``)."""
    if not verified:
        return ('<p>Not verified: no remedy was rerun (<code>tidu diagnose --verify</code>, or '
                '<code>diagnosis.verify()</code> in Python).</p>')
    rows = []
    for i, v in enumerate(verified, 1):
        improved, fork = bool(v.improved), v.fork_epoch
        rows.append(f"<tr><td>{i}</td><td>{html.escape(v.name)} "
                    f"<code>{html.escape(str(v.key))}</code></td>"
                    f"<td>{html.escape(_effect(v, 'delta_loss'))}</td>"
                    f"<td>{html.escape(_effect(v, 'delta_accuracy'))}</td>"
                    f'<td class="{"yes" if improved else "no"}">{"yes" if improved else "no"}</td>'
                    f"<td>{len(v.seeds)}</td>"
                    f"<td>{'from scratch' if fork is None else f'epoch {int(fork)}'}</td></tr>")
    return ('<p>Each remedy was applied alone and the training rerun with the same data order '
            'and seeds; Δ = remedy − original run on the validation data, mean over the seeds '
            '[95% interval].  Best first.</p>'
            '<table class="verified"><tr><th></th><th>remedy</th><th>Δ val loss</th>'
            '<th>Δ val accuracy</th><th>improved</th><th>seeds</th><th>rerun from</th></tr>'
            + "".join(rows) + "</table>")


def _summary(diagnosis) -> str:
    parts = []
    if diagnosis.history:
        parts.append(f"{len(next(iter(diagnosis.history.values())))} epochs")
    s = diagnosis.stats
    if s is not None:
        parts.append(f"{len(s.steps)} recorded steps, {len(s.layers)} layers")
    head = f'<p class="sub">{" · ".join(parts)} · generated ' \
           f'{datetime.datetime.now().strftime("%Y-%m-%d %H:%M")}</p>'
    if diagnosis.healthy:
        return head + '<p class="healthy">No problem found.</p>'
    items = "".join(f'<li><a href="#finding-{i}">{html.escape(f.title)}</a>: '
                    f"{html.escape(f.summary)}</li>"
                    for i, f in enumerate(diagnosis.findings, 1))
    return head + f"<p>{len(diagnosis.findings)} finding(s), most important first:</p><ol>{items}</ol>"


def write_report(diagnosis, path, title: str | None = None) -> pathlib.Path:
    """Write the HTML report of ``diagnosis`` (a `Diagnosis`) to ``path`` — a file, or a
    folder to hold ``diagnosis.html`` (created if missing) — atomically; returns the file's
    path.  ``title``: the page's heading (default ``"tidu diagnosis"``)."""
    from .diagnosis import Diagnosis
    if not isinstance(diagnosis, Diagnosis):
        raise TypeError(f"write_report: diagnosis must be a tidu.diagnose.Diagnosis, got "
                        f"{type(diagnosis).__name__}")
    path = pathlib.Path(path)
    if path.is_dir() or not path.suffix:
        path = path / "diagnosis.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    title = title or "tidu diagnosis"
    figures = "".join(f'<figure><img alt="{html.escape(caption)}" '
                      f'src="data:image/png;base64,{_png(fig)}"><figcaption>'
                      f"{html.escape(caption)}</figcaption></figure>"
                      for caption, fig in report_figures(diagnosis))
    findings = ("".join(_finding(i, f) for i, f in enumerate(diagnosis.findings, 1))
                or '<p class="healthy">No problem found.</p>')
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>
<h1>{html.escape(title)}</h1>
{_summary(diagnosis)}
<section id="findings"><h2>Findings</h2>
{findings}
</section>
<section id="verified"><h2>Verified remedies</h2>
{_verified(diagnosis.verified)}
</section>
<section id="plots"><h2>Evidence plots</h2>
{figures or "<p>No plot: nothing was recorded per step or per epoch.</p>"}
</section>
</body></html>"""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path
