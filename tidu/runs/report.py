"""Text views of the run database for the command line: a table of runs, one run in
full, runs side by side, and CSV / JSON exports."""
from __future__ import annotations

import csv
import datetime as _dt
import json
import math
import numbers

from .._stats import distinguishable, mean_interval
from .db import Run, RunDB, encode_json

__all__ = ["runs_table", "show_run", "compare_runs", "seed_noise", "export_csv",
           "export_json", "flatten", "summary_metrics", "telling_keys", "format_value"]

_PREFERRED = ("test_accuracy", "test_loss", "val_accuracy", "val_loss", "best_score", "score",
              "accuracy", "loss")


def format_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _local_time(iso: str | None) -> str:
    if not iso:
        return "—"
    return _dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _duration(run: Run) -> str:
    if run.duration is None:
        return "—"
    d = run.duration
    if d < 1:
        return f"{d:.2f} s"
    if d < 60:
        return f"{d:.1f} s"
    if d < 3600:
        return f"{d / 60:.1f} min"
    return f"{d / 3600:.1f} h"


def _status(run: Run) -> str:
    return "running?" if run.status == "running" else run.status


def telling_keys(metrics: dict, limit: int = 3, others: bool = False) -> list:
    """The keys of a run's most telling numeric final metrics, at most ``limit``: the
    preferred ones (test, validation, score, training) first, then — with ``others`` —
    the rest in recorded order."""
    def numeric(k):
        return isinstance(metrics.get(k), numbers.Real) and not isinstance(metrics.get(k), bool)
    keys = [k for k in _PREFERRED if numeric(k)]
    if others:
        keys += [k for k in metrics if numeric(k) and k not in keys]
    return keys[:limit]


def summary_metrics(metrics: dict, limit: int = 3) -> str:
    """The most telling final metrics of a run, ``key=value``, at most ``limit``."""
    return "  ".join(f"{k}={format_value(metrics[k])}" for k in telling_keys(metrics, limit))


def table(header: list, rows: list) -> str:
    """A plain text table, columns padded to their widest cell."""
    cells = [[str(c) for c in header]] + [[format_value(c) if not isinstance(c, str) else c
                                           for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("─" * w for w in widths))
    return "\n".join(lines)


def runs_table(runs: list) -> str:
    """One line per run: id, kind, parent, name, status, start, duration, key metrics.
    A run still marked ``running`` shows as ``running?``: unfinished — alive, or killed
    (``tidu runs list`` first marks the runs of dead processes ``killed``)."""
    if not runs:
        return "no runs recorded"
    rows = [[r.id, r.kind, r.parent_id if r.parent_id is not None else "", r.name or "",
             _status(r), _local_time(r.started_at), _duration(r), summary_metrics(r.metrics)]
            for r in runs]
    return table(["id", "kind", "parent", "name", "status", "started", "duration", "metrics"],
                 rows)


def flatten(value, prefix: str = "") -> dict:
    """Nested dicts as ``{"a.b.c": value}``; lists of dicts as ``a[0].b``."""
    out = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = value
    return out


def show_run(db: RunDB, run: Run, epochs: bool = True, config: bool = True) -> str:
    """Everything recorded about one run."""
    lines = [f"run {run.id} · {run.kind} · {run.name or '(no name)'} · {_status(run)}"]
    if run.parent_id is not None:
        lines.append(f"parent     run {run.parent_id}")
    lines.append(f"started    {_local_time(run.started_at)}    ended {_local_time(run.ended_at)}"
                 f"    duration {_duration(run)}")
    versions = ", ".join(f"{k} {v}" for k, v in run.versions.items() if k != "platform")
    lines.append(f"seed       {format_value(run.seed)}    process {run.pid} on {run.hostname}")
    lines.append(f"versions   {versions}")
    if run.status == "running":
        lines.append("note       not finished: still running, or its process died without "
                     "ending it (`tidu runs list` marks dead processes' runs killed)")
    if run.error:
        lines.append(f"error      {run.error}")
    if run.metrics:
        lines.append("")
        lines.append("final metrics")
        width = max(len(k) for k in run.metrics)
        for k, v in run.metrics.items():
            lines.append(f"  {k.ljust(width)}  {format_value(v)}")
    if epochs:
        names, rows = db.metric_table(run.id)
        if rows:
            lines.append("")
            lines.append(f"per-epoch metrics ({len(rows)} epochs)")
            lines.append(_indent(table(["epoch"] + names, rows)))
    children = db.children(run.id)
    if children:
        lines.append("")
        lines.append(f"child runs ({len(children)})")
        lines.append(_indent(_children_table(children)))
    if config and run.config:
        lines.append("")
        lines.append("config")
        for k, v in flatten(run.config).items():
            lines.append(f"  {k} = {format_value(v)}")
    return "\n".join(lines)


def _children_table(children: list) -> str:
    params = []
    for c in children:
        for k in (c.config.get("params") or {}):
            if k not in params:
                params.append(k)
    rows = [[c.id, c.kind, _status(c), format_value(c.metrics.get("score"))] +
            [(c.config.get("params") or {}).get(k) for k in params] +
            [_duration(c), (c.error or "")[:60]] for c in children]
    return table(["id", "kind", "status", "score"] + params + ["duration", "error"], rows)


def _indent(text: str, by: str = "  ") -> str:
    return "\n".join(by + line for line in text.splitlines())


def compare_runs(runs: list, all_config: bool = False) -> str:
    """Runs side by side: status, timings, every final metric, and the config keys whose
    values differ (all of them with ``all_config``); then the seed-noise reading
    (`seed_noise`)."""
    header = ["", *[f"run {r.id}" for r in runs]]
    rows = [["name", *[r.name or "" for r in runs]],
            ["kind", *[r.kind for r in runs]],
            ["status", *[_status(r) for r in runs]],
            ["duration", *[_duration(r) for r in runs]],
            ["seed", *[format_value(r.seed) for r in runs]]]
    metric_keys = []
    for r in runs:
        for k in r.metrics:
            if k not in metric_keys:
                metric_keys.append(k)
    if metric_keys:
        rows.append(["final metrics", *[""] * len(runs)])
        rows += [[f"  {k}", *[format_value(r.metrics.get(k)) for r in runs]]
                 for k in metric_keys]
    configs = [flatten(r.config) for r in runs]
    keys = []
    for c in configs:
        for k in c:
            if k not in keys and not k.startswith("fit."):
                keys.append(k)
    missing = object()
    differing = [k for k in keys
                 if all_config or len({json.dumps(c.get(k, "<unset>"), sort_keys=True,
                                                  default=str) for c in configs}) > 1]
    rows.append([f"config ({'all' if all_config else 'differences'})", *[""] * len(runs)])
    if differing:
        rows += [[f"  {k}", *[("(unset)" if c.get(k, missing) is missing
                               else format_value(c[k])) for c in configs]] for k in differing]
    else:
        rows.append(["  (the same)", *[""] * len(runs)])
    return table(header, rows) + "\n\n" + seed_noise(runs, metric_keys)


def seed_noise(runs: list, metric_keys: list) -> str:
    from ..train.metrics import monitor_direction
    """Whether the runs differ beyond seed noise: the runs are grouped by configuration
    (every config key but the seed and ``fit.*``); per numeric final metric, each group's
    mean and 95% t-interval over its seeds, and for the two best groups (lower is better for
    a loss or error) Welch's t-test at 5% — or the statement that it cannot be told with a
    single seed per configuration."""
    groups = {}
    for r in runs:
        config = {k: v for k, v in flatten(r.config).items()
                  if not k.startswith("fit.") and k.rsplit(".", 1)[-1] != "seed"}
        key = json.dumps(config, sort_keys=True, default=str)
        groups.setdefault(key, []).append(r)
    members = list(groups.values())
    names = [f"{{{', '.join(str(r.id) for r in g)}}}" for g in members]
    lines = [f"seed noise: {len(members)} configuration{'s' * (len(members) > 1)} "
             f"(runs {', '.join(names)})"]
    for metric in metric_keys:
        values = [[r.metrics[metric] for r in g if isinstance(r.metrics.get(metric), (int, float))
                   and not isinstance(r.metrics.get(metric), bool)] for g in members]
        if not all(values):
            continue
        stats = [mean_interval(v) for v in values]
        parts = []
        for name, v, (mean, (lo, hi)) in zip(names, values, stats):
            ci = "" if lo != lo else f" [{lo:.4g}, {hi:.4g}]"
            parts.append(f"{name} {mean:.4g}{ci} (n={len(v)})")
        line = f"  {metric}: " + "; ".join(parts)
        if len(members) > 1:
            sign = 1.0 if monitor_direction(metric) == "min" else -1.0
            a, b = sorted(range(len(members)), key=lambda i: sign * stats[i][0])[:2]
            verdict, p = distinguishable(values[a], values[b])
            if verdict is None:
                line += " — one seed per configuration: cannot be told from seed noise"
            else:
                line += (f" — {names[a]} vs {names[b]}: "
                         f"{'differ beyond' if verdict else 'not distinguishable beyond'} "
                         f"seed noise (Welch p = {p:.3g})")
        lines.append(line)
    return "\n".join(lines)


def export_csv(db: RunDB, run: Run, file) -> int:
    """Write the run's per-epoch metrics as CSV (``epoch`` then one column per metric) to
    ``file``; for a search, one row per child run instead (id, index, status, score, the
    params, the metrics, duration, error).  Returns the number of rows."""
    writer = csv.writer(file, lineterminator="\n")
    children = db.children(run.id)
    if run.kind == "search" and children:
        params, metrics = [], []
        for c in children:
            for k in (c.config.get("params") or {}):
                if k not in params:
                    params.append(k)
            for k in c.metrics:
                if k not in metrics and isinstance(c.metrics[k], (int, float)):
                    metrics.append(k)
        writer.writerow(["run_id", "kind", "index", "status", *params, *metrics, "duration",
                         "error"])
        for c in children:
            p = c.config.get("params") or {}
            writer.writerow([c.id, c.kind, c.config.get("index", ""), c.status,
                             *[_csv(p.get(k)) for k in params],
                             *[_csv(c.metrics.get(k)) for k in metrics],
                             _csv(c.duration), c.error or ""])
        return len(children)
    names, rows = db.metric_table(run.id)
    writer.writerow(["epoch", *names])
    for row in rows:
        writer.writerow([_csv(v) for v in row])
    return len(rows)


def _csv(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list)):
        return encode_json(value)
    return value


def export_json(db: RunDB, run: Run) -> str:
    """The run, its per-epoch metrics and its child runs' ids as one JSON document."""
    doc = run.as_dict()
    doc.pop("pid_start", None)
    doc["epochs"] = {name: [[e, v] for e, v in series]
                     for name, series in db.metrics(run.id).items()}
    doc["children"] = [c.id for c in db.children(run.id)]
    # strictly valid JSON: a diverged run's NaN losses become null, listed under
    # "__nonfinite__" (see `tidu.runs.db.encode_json`)
    return encode_json(doc, indent=2)
