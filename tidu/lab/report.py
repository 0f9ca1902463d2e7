"""The lab's report: one self-contained HTML page (figures embedded as PNG), a table of
contents with each verdict, and one section per claim."""
from __future__ import annotations

import base64
import datetime
import html
import io
import os
import pathlib

import matplotlib.pyplot as plt

from .base import Result

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} .sub{color:#666;margin-top:0}
table{border-collapse:collapse;margin:.6em 0} td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
.held{background:#e3f5e1;color:#1b5e20;font-weight:600} .not{background:#fdecea;color:#b71c1c;font-weight:600}
.claim{border-left:4px solid #888;padding:.2em .8em;margin:.5em 0;background:#f7f7f7}
section{border-top:1px solid #ddd;margin-top:2em;padding-top:.5em}
img{max-width:100%;border:1px solid #eee;margin:.4em 0} code{background:#f3f3f3;padding:0 .2em}
.why{color:#8a4b00}
"""


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


def _badge(held: bool) -> str:
    return '<span class="held">held</span>' if held else '<span class="not">not held</span>'


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{html.escape(str(k))}: {_number(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_number(v) for v in value) + "]"
    return html.escape(str(value))


def _section(r: Result) -> str:
    e, o = r.experiment, r.outcome
    figures = "".join(f'<img alt="{html.escape(e.id)} figure {i + 1}" src="data:image/png;base64,{_png(f)}">'
                      for i, f in enumerate(o.figures))
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{_number(v)}</td></tr>"
                   for k, v in o.numbers.items())
    why = (f'<p class="why">Documented as not reproducible as stated: {html.escape(e.expected_reason)}</p>'
           if not e.expected and e.expected_reason else "")
    return f"""<section id="{e.id}">
<h2>{e.id} · {html.escape(e.title)} — {_badge(o.held)}</h2>
<div class="claim"><p lang="zh">{html.escape(e.claim_zh)}</p><p>{html.escape(e.claim_en)}</p>
<p><small>notes {", ".join(e.notes)}</small></p></div>
<p><b>Setup.</b> {html.escape(o.setup)}</p>
{figures}
<p><b>Verdict: {_badge(o.held)}.</b> {html.escape(o.verdict)}</p>{why}
<table>{rows}</table>
<p><small>{r.seconds:.1f} s, {"full" if r.full else "quick"} mode</small></p>
</section>"""


def write_report(results: list[Result], out_dir) -> pathlib.Path:
    """Write ``out_dir/index.html`` atomically and return its path."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    toc = "".join(f'<tr><td><a href="#{r.experiment.id}">{r.experiment.id}</a></td>'
                  f"<td>{html.escape(r.experiment.title)}</td><td>{_badge(r.outcome.held)}</td>"
                  f"<td>{html.escape(r.outcome.verdict)}</td></tr>" for r in results)
    held = sum(r.outcome.held for r in results)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>tidu lab report</title><style>{_CSS}</style></head><body>
<h1>tidu lab — the notes' claims, tested</h1>
<p class="sub">{held} of {len(results)} claims held · generated {stamp}</p>
<table><tr><th>id</th><th>claim</th><th>verdict</th><th>measured</th></tr>{toc}</table>
{"".join(_section(r) for r in results)}
</body></html>"""
    path = out / "index.html"
    tmp = out / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path
