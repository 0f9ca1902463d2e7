"""The data behind the "Runs" page of `tidu ui`: the run database as plain JSON-able
values (only str, int, float, bool, None, list and dict; a NaN or infinite number becomes
None), with no web framework in sight — the server turns them into responses and a
`UIError` into an HTTP error with its ``status``.

* `list_runs`: one page of runs, filtered and counted in SQL (fast with thousands of runs);
* `run_detail`: one run — config, final metrics, versions, error, per-epoch series;
* `overlay`: several runs and the config keys whose values differ among them;
* `search_trials`: a search's trials — parameters, metrics and score, for score-versus-
  parameter plots and parallel coordinates;
* `export_csv_text`: `tidu.runs.report.export_csv` as a string.

Arguments may come straight from a query string: numbers as text, an empty text as "not
given".  A bad one raises `UIError` naming the argument, what was expected and what came.
"""
from __future__ import annotations

import datetime as _dt
import io
import json
import math
import numbers

from ..runs.db import KINDS, STATUSES, decode_json
from ..runs.report import export_csv, flatten, telling_keys

__all__ = ["UIError", "list_runs", "run_detail", "overlay", "search_trials",
           "export_csv_text", "clean", "MAX_LIMIT", "MAX_OVERLAY"]

MAX_LIMIT = 1000
MAX_OVERLAY = 10
_LIST_COLUMNS = ("id", "kind", "parent_id", "name", "status", "started_at", "ended_at",
                 "duration", "seed")


class UIError(Exception):
    """``UIError(message, status=400)``: a request the page cannot answer — ``status`` 400
    for bad input, 404 for a run that does not exist, 409 for a conflict."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = int(status)


# ---------------------------------------------------------------------------- values
def clean(value):
    """``value`` as JSON-able plain data: NaN / ±inf → None, tuples → lists, dict keys →
    str, NumPy scalars → Python numbers, anything else unknown → its ``str``."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [clean(v) for v in value]
    return str(value)


def _given(value) -> bool:
    """Whether a filter was given (None and an empty or blank text mean "not given")."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def _int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """``value`` (an int or its text) as an int in ``[low, high]``, else a `UIError`."""
    if isinstance(value, bool):
        number = None
    elif isinstance(value, numbers.Integral):
        number = int(value)
    else:
        try:
            number = int(str(value).strip())
        except ValueError:
            number = None
    bounds = ("" if low is None and high is None else
              f" in {low}..{high}" if low is not None and high is not None else
              f" ≥ {low}" if low is not None else f" ≤ {high}")
    if number is None or (low is not None and number < low) or (high is not None
                                                                 and number > high):
        raise UIError(f"{name} must be an integer{bounds}, got {value!r}")
    return number


def _choice(name: str, value, allowed: tuple) -> str:
    if value not in allowed:
        raise UIError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _date(name: str, value) -> _dt.date:
    """``value`` ('YYYY-MM-DD' or a `datetime.date`) as a date, else a `UIError`."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UIError(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere (its ``%``, ``_`` and ``\\`` literal)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _summary(metrics: dict, limit: int = 3) -> dict:
    """The most telling final numbers of a run (`tidu.runs.report.telling_keys`, the
    other numbers too where the preferred ones are missing), at most ``limit``."""
    return {k: clean(metrics[k]) for k in telling_keys(metrics, limit, others=True)}


# ---------------------------------------------------------------------------- listing
def _filters(kind, status, name, since, until, parent) -> tuple[str, list]:
    """The WHERE clause (with its parameters) of `list_runs`' filters."""
    where, params = [], []
    if _given(kind):
        where.append("kind = ?")
        params.append(_choice("kind", kind, KINDS))
    if _given(status):
        where.append("status = ?")
        params.append(_choice("status", status, STATUSES))
    if _given(name):
        # SQLite's LIKE ignores ASCII case; lower() on both sides covers the rest it knows
        where.append("lower(coalesce(name, '')) LIKE lower(?) ESCAPE '\\'")
        params.append(_like(str(name).strip()))
    if _given(since):
        where.append("started_at >= ?")
        params.append(_date("since", since).isoformat())
    if _given(until):
        # started_at is ISO 8601 text (UTC), so "before the next day" keeps the whole day
        where.append("started_at < ?")
        params.append((_date("until", until) + _dt.timedelta(days=1)).isoformat())
    if _given(parent):
        where.append("parent_id = ?")
        params.append(_int("parent", parent, low=1))
    return (" WHERE " + " AND ".join(where)) if where else "", params


def list_runs(db, kind=None, status=None, name=None, since=None, until=None, parent=None,
              limit=100, offset=0) -> dict:
    """One page of runs, newest first: ``{"total": runs matching, "runs": [{id, kind,
    parent_id, name, status, started_at, ended_at, duration, seed, summary}]}`` —
    ``summary`` up to 3 final metrics.

    Filters (each optional; an empty text counts as not given): ``kind`` and ``status``
    (one of `tidu.runs.db.KINDS` / `STATUSES`), ``name`` (a case-insensitive part of the
    name), ``since`` / ``until`` (dates ``YYYY-MM-DD``, UTC, both days included, on the
    start time), ``parent`` (the runs whose parent is that run: a search's trials).
    ``limit`` 1..1000, ``offset`` ≥ 0.  Filtering, counting and paging happen in SQL.

    Examples
    --------
    >>> import tempfile, os
    >>> from tidu.runs import RunDB
    >>> db = RunDB(os.path.join(tempfile.mkdtemp(), "runs.db"))
    >>> _ = db.record_run("train", "finished", name="mlp", metrics={"loss": 0.5})
    >>> page = list_runs(db, kind="train", name="MLP")
    >>> page["total"], page["runs"][0]["name"], page["runs"][0]["summary"]
    (1, 'mlp', {'loss': 0.5})
    """
    limit = _int("limit", limit, 1, MAX_LIMIT)
    offset = _int("offset", offset, low=0)
    where, params = _filters(kind, status, name, since, until, parent)
    total = db.query(f"SELECT count(*) FROM runs{where}", params)[0][0]
    rows = db.query(f"SELECT {', '.join(_LIST_COLUMNS)}, metrics FROM runs{where} "
                    f"ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    runs = []
    for row in rows:
        item = {c: clean(row[c]) for c in _LIST_COLUMNS}
        item["summary"] = _summary(decode_json(row["metrics"]))
        runs.append(item)
    return {"total": int(total), "runs": runs}


# ---------------------------------------------------------------------------- one run
def _get(db, run_id, name: str = "run_id"):
    run = db.get_run(_int(name, run_id, low=1))
    if run is None:
        raise UIError(f"no run with id {run_id} ({name})", status=404)
    return run


def _fields(run) -> dict:
    return {c: clean(getattr(run, c)) for c in _LIST_COLUMNS}


def run_detail(db, run_id) -> dict:
    """Everything about one run: its fields (`list_runs`' columns), ``config``, final
    ``metrics``, ``versions``, ``error``, ``hostname``, ``series`` (``{metric: [[epoch,
    value], …]}``, a NaN value as None) and ``children`` (how many child runs).  An unknown
    id is a `UIError` 404."""
    run = _get(db, run_id)
    children = db.query("SELECT count(*) FROM runs WHERE parent_id = ?", (run.id,))[0][0]
    series = {name: [[int(e), clean(v)] for e, v in values]
              for name, values in db.metrics(run.id).items()}
    return {**_fields(run), "hostname": run.hostname, "config": clean(run.config),
            "metrics": clean(run.metrics), "versions": clean(run.versions),
            "error": run.error, "series": series, "children": int(children)}


def _ids(ids) -> list:
    """Run ids from a list (ints or texts) or one comma-separated text, repeats dropped."""
    if isinstance(ids, str):
        ids = [part for part in ids.split(",") if part.strip()]
    if not isinstance(ids, (list, tuple)):
        raise UIError(f"ids must be a list of run ids, got {ids!r}")
    out = []
    for value in ids:
        number = _int("ids", value, low=1)
        if number not in out:
            out.append(number)
    return out


def overlay(db, ids) -> dict:
    """Several runs to overlay: ``{"runs": [run_detail, …], "differences": {config key:
    [value per run]}}`` — the flattened config keys (`tidu.runs.report.flatten`) whose values
    differ among the runs, in first-seen order, None where a run lacks the key.  2 to 10
    distinct ids (a list, or a text ``"3,5"``)."""
    wanted = _ids(ids)
    if not 2 <= len(wanted) <= MAX_OVERLAY:
        raise UIError(f"ids must name 2 to {MAX_OVERLAY} distinct runs, got {len(wanted)} "
                      f"({ids!r})")
    details = [run_detail(db, i) for i in wanted]
    configs = [flatten(d["config"]) for d in details]
    keys: list = []
    for config in configs:
        keys += [k for k in config if k not in keys]
    missing = object()
    differences = {}
    for key in keys:
        values = [c.get(key, missing) for c in configs]
        spelled = {json.dumps(None if v is missing else v, sort_keys=True) + str(v is missing)
                   for v in values}
        if len(spelled) > 1:
            differences[key] = [None if v is missing else v for v in values]
    return {"runs": details, "differences": differences}


# ---------------------------------------------------------------------------- a search
def _score_spec(search) -> tuple:
    """(metric name, "min" | "max") of a search: from the ``search`` section of its config
    (`tidu.runs.TrialRecorder` keeps the search's description there), else from the final
    metrics its end wrote; None where not recorded."""
    spec = search.config.get("search") if isinstance(search.config, dict) else None
    spec = spec if isinstance(spec, dict) else {}
    metric = spec.get("metric") or search.metrics.get("metric")
    mode = spec.get("mode") or search.metrics.get("mode")
    return (metric if isinstance(metric, str) else None,
            mode if mode in ("min", "max") else None)


def search_trials(db, search_id) -> dict:
    """A search's trials for plots: ``{"params": [names], "metrics": [names], "score":
    the scored metric's name or None, "direction": "min" | "max" | None, "trials": [{id,
    index, status, params, metrics, score}]}``, trials in recorded order.  A trial's
    ``status`` is its run's, or ``pruned``; ``score`` its ``score`` metric (what
    `tidu.runs.TrialRecorder` records), else the search's scored metric, else None.  An unknown
    id is a `UIError` 404, a run that is not a search a `UIError` 400."""
    search = _get(db, search_id, "search_id")
    if search.kind != "search":
        raise UIError(f"run {search.id} is a {search.kind} run, not a search (search_id)")
    score_name, direction = _score_spec(search)
    params: list = []
    metrics: list = []
    trials = []
    for child in db.children(search.id):
        if child.kind != "trial":
            continue  # the refit of the best configuration
        config = child.config if isinstance(child.config, dict) else {}
        values = config.get("params") if isinstance(config.get("params"), dict) else {}
        params += [k for k in values if k not in params]
        numeric = {k: clean(v) for k, v in child.metrics.items()
                   if k != "score" and isinstance(v, numbers.Real) and not isinstance(v, bool)}
        metrics += [k for k in numeric if k not in metrics]
        trials.append({"id": child.id, "index": clean(config.get("index")),
                       "status": config.get("status", child.status),
                       "params": clean(values), "metrics": numeric,
                       "score": clean(child.metrics.get("score",
                                                        child.metrics.get(score_name)))})
    return {"params": params, "metrics": metrics, "score": score_name,
            "direction": direction, "trials": trials}


def export_csv_text(db, run_id) -> str:
    """The run as CSV (`tidu.runs.report.export_csv`): its per-epoch metrics, or a search's
    trials one per row.  An unknown id is a `UIError` 404."""
    run = _get(db, run_id)
    out = io.StringIO()
    export_csv(db, run, out)
    return out.getvalue()
