"""The lab's report: one self-contained HTML page (figures embedded as PNG) for a learner —
a header with the mode, seeds and time; a summary with one plain takeaway per claim; and one
section per claim with its sub-claims, per-seed spread, numbers and figures."""
from __future__ import annotations

import base64
import datetime
import html
import io
import numbers
import os
import pathlib

import matplotlib.pyplot as plt
import numpy as np

from .._format import fmt  # noqa: F401  (the experiments import it from here)
from .base import Result

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} .sub{color:#666;margin-top:0}
table{border-collapse:collapse;margin:.6em 0} td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
.held{background:#e3f5e1;color:#1b5e20;font-weight:600} .not{background:#fdecea;color:#b71c1c;font-weight:600}
.mixed{background:#fff4e0;color:#8a4b00;font-weight:600}
.beyond{background:#e8eaf6;color:#283593;font-size:.8em;padding:0 .3em;border-radius:3px}
.claim{border-left:4px solid #888;padding:.2em .8em;margin:.5em 0;background:#f7f7f7}
section{border-top:1px solid #ddd;margin-top:2em;padding-top:.5em}
img{max-width:100%;border:1px solid #eee;margin:.4em 0} code{background:#f3f3f3;padding:0 .2em}
.why{color:#8a4b00} .takeaway{font-size:1.05em}
"""
_BADGE = {"held": ("held", "held"), "not held": ("not", "not held in this setup"),
          "mixed": ("mixed", "mixed")}


def _png(fig) -> str:
    if isinstance(fig, str):  # already rendered by render_figures
        return fig
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def render_figures(result: Result) -> Result:
    """Encode the result's figures as PNG and close them, so a long lab run keeps no open
    matplotlib figures (each holds its canvas in memory until closed)."""
    result.outcome.figures = [_png(f) for f in result.outcome.figures]
    return result


def _badge(status: str) -> str:
    css, text = _BADGE[status]
    return f'<span class="{css}">{text}</span>'


def _beyond(flag) -> str:
    return ' <span class="beyond" title="goes beyond the notes\' own words">beyond the notes</span>' \
        if flag else ""


def _subclaims(o) -> str:
    if not o.subclaims:
        return ""
    rows = "".join(f"<tr><td>{_badge('held' if c.held else 'not held')}</td>"
                   f"<td>{html.escape(c.name)}{_beyond(c.beyond_notes)}</td>"
                   f"<td>{html.escape(c.evidence)}</td></tr>" for c in o.subclaims)
    return f"<h3>Sub-claims</h3><table><tr><th></th><th>sub-claim</th><th>evidence</th></tr>{rows}</table>"


def _per_seed(o) -> str:
    if not o.per_seed:
        return ""
    head = "".join(f"<th>seed {s}</th>" for s in o.seeds) if o.seeds else ""
    rows = []
    for name, values in o.per_seed.items():
        values = list(values) if isinstance(values, (list, tuple, np.ndarray)) else [values]
        cells = "".join(f"<td>{html.escape(fmt(v))}</td>" for v in values)
        spread = ""
        if values and all(isinstance(v, numbers.Real) for v in values):
            arr = np.asarray(values, dtype=float)
            spread = f"<td>{fmt(arr.mean())} ± {fmt(arr.std())}</td>"
        rows.append(f"<tr><th>{html.escape(str(name))}</th>{cells}{spread}</tr>")
    return (f"<h3>Per seed</h3><table><tr><th></th>{head}<th>mean ± sd</th></tr>"
            f"{''.join(rows)}</table>")


def _section(r: Result) -> str:
    e, o = r.experiment, r.outcome
    figures = "".join(f'<img alt="{html.escape(e.id)} figure {i + 1}" src="data:image/png;base64,{_png(f)}">'
                      for i, f in enumerate(o.figures))
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(fmt(v))}</td></tr>"
                   for k, v in o.numbers.items())
    change = o.what_would_change or e.expected_reason
    why = (f'<p class="why"><b>What would change it:</b> {html.escape(change)}</p>'
           if o.status != "held" and change else "")
    beyond = (f'<p>{_beyond(True)} {html.escape(e.beyond_notes)}</p>' if e.beyond_notes else "")
    seeds = f", seeds {', '.join(map(str, o.seeds))}" if o.seeds else ""
    takeaway = f'<p class="takeaway"><b>{html.escape(o.takeaway)}</b></p>' if o.takeaway else ""
    return f"""<section id="{e.id}">
<h2>{e.id} · {html.escape(e.title)} — {_badge(o.status)}</h2>
<div class="claim"><p lang="zh">{html.escape(e.claim_zh)}</p><p>{html.escape(e.claim_en)}</p>
<p><small>notes {", ".join(e.notes)}</small></p></div>{beyond}
{takeaway}
<p><b>Setup.</b> {html.escape(o.setup)}</p>
{figures}
{_subclaims(o)}
<p><b>Verdict: {_badge(o.status)}.</b> {html.escape(o.verdict)}</p>{why}
{_per_seed(o)}
<table>{rows}</table>
<p><small>{r.seconds:.1f} s, {"full" if r.full else "quick"} mode{seeds}</small></p>
</section>"""


def _summary_row(r: Result) -> str:
    e, o = r.experiment, r.outcome
    flag = bool(e.beyond_notes) or any(c.beyond_notes for c in o.subclaims)
    return (f'<tr><td><a href="#{e.id}">{e.id}</a></td><td>{html.escape(e.title)}{_beyond(flag)}</td>'
            f"<td>{_badge(o.status)}</td><td>{html.escape(o.takeaway or o.verdict)}</td></tr>")


def _header(results, seconds, jobs) -> str:
    counts = {s: sum(r.outcome.status == s for r in results) for s in ("held", "mixed", "not held")}
    modes = {("full" if r.full else "quick") for r in results}
    seeds = sorted({len(r.outcome.seeds) for r in results if r.outcome.seeds})
    seed_text = (f"{min(seeds)}–{max(seeds)} seeds per experiment where a training outcome decides"
                 if seeds else "seed 0")
    took = f" · took {seconds:.0f} s ({jobs} at a time)" if seconds is not None else ""
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f'<p class="sub">{" + ".join(sorted(modes))} mode · {counts["held"]} held, '
            f'{counts["mixed"]} mixed, {counts["not held"]} not held in their setup, of '
            f'{len(results)} claims · {seed_text}{took} · generated {stamp}</p>')


def write_report(results: list[Result], out_dir, seconds: float | None = None,
                 jobs: int = 1) -> pathlib.Path:
    """Write ``out_dir/index.html`` atomically and return its path."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    toc = "".join(_summary_row(r) for r in results)
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>tidu lab report</title><style>{_CSS}</style></head><body>
<h1>tidu lab — the notes' claims, tested</h1>
{_header(results, seconds, jobs)}
<table><tr><th>id</th><th>claim</th><th>verdict</th><th>takeaway</th></tr>{toc}</table>
{"".join(_section(r) for r in results)}
</body></html>"""
    path = out / "index.html"
    tmp = out / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path
