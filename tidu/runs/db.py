"""`RunDB`: the SQLite database of runs — every `fit`, tuning trial and search, with its
config, seed, package versions, per-epoch metrics, final metrics, status and timings.

One file (default ``./tidu-runs.db``; the ``TIDU_RUNS_DB`` environment variable or the
``path`` argument override it), standard-library ``sqlite3``, two tables::

    runs     id, kind (train | trial | search | lab), parent_id (a trial's search), name,
             config (JSON), seed, versions (JSON: tidu, numpy, python),
             status (running | finished | failed | killed), error, pid, hostname,
             pid_start, started_at, ended_at (ISO 8601, UTC), duration (s), metrics (JSON)
    metrics  run_id, epoch, name, value          one row per value per epoch

The JSON columns hold strictly valid JSON, so SQLite's ``json_extract`` works on every row:
a non-finite number (a diverged run's NaN loss) is stored as ``null`` and listed under the
document's ``"__nonfinite__"`` key (`encode_json`); `Run` reads it back as NaN or ±inf.
A database of schema version 1 (bare ``NaN`` in its JSON) is rewritten on first open.

Durability and concurrency:

* WAL journal, ``synchronous=NORMAL``: a process killed at any instant (SIGKILL included)
  leaves the file consistent — a transaction is all there or not there — and its run
  still reads ``running``; `mark_stale_runs` then turns the runs of dead processes into
  ``killed`` (the pid and its start time are recorded, so a recycled pid is not mistaken
  for the run's process).
* Every write is one transaction (``with conn:``) opened with ``BEGIN IMMEDIATE``, so
  writers queue on the write lock instead of deadlocking; a busy database is waited for
  (``busy_timeout``) and the write is retried, so several processes writing at once all
  succeed.  Readers never block writers (WAL).
* The object is picklable (it travels as its path) and reopens its connection in a forked
  or spawned worker; one connection per process, shared by its threads under a lock.
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
import os
import platform
import random
import socket
import sqlite3
import sys
import threading
import time

__all__ = ["RunDB", "Run", "default_db_path", "package_versions", "encode_json",
           "decode_json", "KINDS", "STATUSES", "ENV_VAR"]

ENV_VAR = "TIDU_RUNS_DB"
DEFAULT_PATH = "tidu-runs.db"
KINDS = ("train", "trial", "search", "lab")
STATUSES = ("running", "finished", "failed", "killed")
# 1: the first; 2: the JSON columns hold strictly valid JSON (no bare NaN / Infinity)
SCHEMA_VERSION = 2
_JSON_COLUMNS = ("config", "versions", "metrics")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('train', 'trial', 'search', 'lab')),
    parent_id   INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    name        TEXT,
    config      TEXT NOT NULL DEFAULT '{}',
    seed        INTEGER,
    versions    TEXT NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'killed')),
    error       TEXT,
    pid         INTEGER,
    hostname    TEXT,
    pid_start   TEXT,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    duration    REAL,
    metrics     TEXT
);
CREATE INDEX IF NOT EXISTS runs_parent ON runs(parent_id);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
CREATE TABLE IF NOT EXISTS metrics (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch   INTEGER NOT NULL,
    name    TEXT NOT NULL,
    value   REAL,
    PRIMARY KEY (run_id, epoch, name)
) WITHOUT ROWID;
"""


def default_db_path() -> str:
    """``$TIDU_RUNS_DB`` if set, else ``./tidu-runs.db``."""
    return os.environ.get(ENV_VAR) or DEFAULT_PATH


def package_versions() -> dict:
    """The versions a run records: tidu, numpy, python (and the platform)."""
    import numpy as np

    from .. import __version__
    return {"tidu": __version__, "numpy": np.__version__,
            "python": platform.python_version(), "platform": sys.platform}


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def _seconds_between(start: str, end: str) -> float:
    return (_dt.datetime.fromisoformat(end) - _dt.datetime.fromisoformat(start)).total_seconds()


def _jsonable(value):
    """JSON's ``default``: NumPy scalars and arrays become numbers and lists, anything else
    its repr (a config may hold a function or a class)."""
    import numpy as np
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return repr(value)


NONFINITE_KEY = "__nonfinite__"
_NONFINITE_NAMES = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _nonfinite_name(x: float) -> str:
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _replace_nonfinite(value, path: tuple, found: list):
    """``value`` with every non-finite float replaced by None, its path and spelling
    appended to ``found``."""
    import numpy as np
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray)):
        value = value.tolist() if isinstance(value, np.ndarray) else value.item()
    if isinstance(value, float) and not math.isfinite(value):
        found.append([list(path), _nonfinite_name(value)])
        return None
    if isinstance(value, dict):
        return {k: _replace_nonfinite(v, path + (str(k) if not isinstance(k, str) else k,),
                                      found) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_replace_nonfinite(v, path + (i,), found) for i, v in enumerate(value)]
    return value


def encode_json(value, **kwargs) -> str:
    """``value`` as strictly valid JSON (RFC 8259, what SQLite's ``json_extract`` and every
    JSON parser read): a non-finite float — a diverged run's NaN or infinite loss — is
    written as ``null``, and a dict records where they were under ``"__nonfinite__"``: a
    list of ``[path, "NaN" | "Infinity" | "-Infinity"]``, ``path`` the keys and indices
    down to the value.  SQL sees NULL (as the ``metrics`` table stores NaN);
    `decode_json` gives the floats back.  Non-JSON values as `_jsonable` says."""
    found: list = []
    clean = _replace_nonfinite(value, (), found)
    if found:
        if isinstance(clean, dict):
            clean = {**clean, NONFINITE_KEY: found}
        # a bare list or number has nowhere to keep the flag: its non-finite values stay null
    return json.dumps(clean, default=_jsonable, allow_nan=False, **kwargs)


def _put(doc, path: list, value) -> None:
    node = doc
    try:
        for key in path[:-1]:
            node = node[key]
        if path and node[path[-1]] is None:
            node[path[-1]] = value
    except (KeyError, IndexError, TypeError):  # a hand-edited document: leave it
        pass


def decode_json(text: str | None):
    """The value `encode_json` wrote, non-finite floats restored.  Also reads the bare
    ``NaN`` / ``Infinity`` older versions wrote (Python's json accepts them)."""
    if not text:
        return {}
    value = json.loads(text)
    if isinstance(value, dict) and isinstance(value.get(NONFINITE_KEY), list):
        for entry in value.pop(NONFINITE_KEY):
            if isinstance(entry, list) and len(entry) == 2 and entry[1] in _NONFINITE_NAMES:
                _put(value, entry[0], _NONFINITE_NAMES[entry[1]])
    return value


def _dumps(value) -> str:
    return encode_json(value, sort_keys=False)


def _number(value):
    """A metric value as a float (None for what is not a number)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, numbers.Real):
        return float(value)
    try:
        import numpy as np
        if isinstance(value, np.ndarray) and value.size == 1:
            return float(value.reshape(()))
    except ImportError:  # pragma: no cover
        pass
    return None


def process_start_token(pid: int) -> str | None:
    """Start time of process ``pid`` in clock ticks since boot (Linux ``/proc``), which
    with the pid identifies one process; None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
        # the command name (field 2) may hold spaces and parentheses: split after the last ')'
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def pid_alive(pid: int, start_token: str | None = None) -> bool:
    """Whether process ``pid`` (of this machine) is running — and is the same process that
    had ``start_token`` when one was recorded."""
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    except OSError:
        return False
    if start_token is not None:
        now = process_start_token(pid)
        if now is not None and now != start_token:
            return False  # the pid was recycled
        if now is None and os.path.isdir("/proc"):
            return False
    # a zombie (killed, not yet reaped by its parent) is dead too
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().decode("ascii", "replace").rsplit(")", 1)[1].split()[0]
        if state in ("Z", "X"):
            return False
    except (OSError, IndexError):
        pass
    return True


def _migrate(conn: sqlite3.Connection) -> None:
    """Version 1 → 2: rewrite the JSON columns that hold bare NaN / Infinity (invalid JSON,
    on which SQLite's json_extract fails) as `encode_json` writes them, in one transaction."""
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return  # another process migrated it meanwhile
        invalid = " OR ".join(f"({c} IS NOT NULL AND NOT json_valid({c}))" for c in _JSON_COLUMNS)
        for row in conn.execute(f"SELECT id, {', '.join(_JSON_COLUMNS)} FROM runs "
                                f"WHERE {invalid}").fetchall():
            fixed = [None if row[c] is None else _dumps(decode_json(row[c]))
                     for c in _JSON_COLUMNS]
            conn.execute(f"UPDATE runs SET {', '.join(c + ' = ?' for c in _JSON_COLUMNS)} "
                         f"WHERE id = ?", (*fixed, row["id"]))
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


class Run:
    """One row of ``runs``, decoded: ``id, kind, parent_id, name, config (dict), seed,
    versions (dict), status, error, pid, hostname, started_at, ended_at, duration,
    metrics (dict of final metrics)``."""

    __slots__ = ("id", "kind", "parent_id", "name", "config", "seed", "versions", "status",
                 "error", "pid", "hostname", "pid_start", "started_at", "ended_at",
                 "duration", "metrics")

    def __init__(self, row: sqlite3.Row):
        for key in self.__slots__:
            setattr(self, key, row[key])
        self.config = decode_json(self.config)
        self.versions = decode_json(self.versions)
        self.metrics = decode_json(self.metrics)

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}

    def __repr__(self) -> str:
        return (f"Run(id={self.id}, kind={self.kind!r}, name={self.name!r}, "
                f"status={self.status!r}, metrics={self.metrics})")


class RunDB:
    """``RunDB(path=None, timeout=60.0)``: the run database at ``path`` (default
    `default_db_path`), created on first use.

    Writing: ``start_run(kind, name, config, seed, parent_id)`` → id; ``log_metrics(id,
    epoch, {name: value})``; ``finish_run(id, metrics)``; ``fail_run(id, error)``;
    ``end_run(id, status, metrics, error)``; ``mark_stale_runs()``.
    Reading: ``get_run(id)``, ``runs(kind=, status=, parent_id=, limit=)``,
    ``metrics(id)`` (``{name: [(epoch, value), …]}``), ``metric_table(id)``,
    ``children(id)``.  ``timeout`` is how long a write waits for a busy database.
    """

    def __init__(self, path=None, timeout: float = 60.0):
        self.path = os.fspath(path) if path is not None else default_db_path()
        if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or timeout <= 0:
            raise ValueError(f"RunDB: timeout must be a number of seconds > 0, got "
                             f"timeout={timeout!r}")
        self.timeout = float(timeout)
        self._conn = None
        self._pid = None
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ connection
    def __getstate__(self):
        return {"path": self.path, "timeout": self.timeout}

    def __setstate__(self, state):
        self.__init__(state["path"], state["timeout"])

    def __repr__(self) -> str:
        return f"RunDB({self.path!r})"

    @property
    def conn(self) -> sqlite3.Connection:
        """This process's connection (opened, configured and migrated on first use)."""
        if self._conn is None or self._pid != os.getpid():
            self._conn = self._connect()
            self._pid = os.getpid()
        return self._conn

    def _connect(self) -> sqlite3.Connection:
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"RunDB: the folder of {self.path!r} does not exist")
        # every write transaction starts with BEGIN IMMEDIATE (take the write lock first,
        # waiting for it under busy_timeout; a deferred transaction that reads and then
        # writes could fail to upgrade its lock); isolation_level="IMMEDIATE" makes any
        # implicit transaction immediate too
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level="IMMEDIATE",
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            def create():
                with conn:
                    conn.execute("BEGIN IMMEDIATE")
                    if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                conn.execute(statement)
                        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._retry(create)
        elif version < SCHEMA_VERSION:
            try:
                self._retry(lambda: _migrate(conn))
            except sqlite3.OperationalError as exc:
                if "readonly" not in str(exc).lower():
                    raise  # a read-only database is read as it is (decode_json reads NaN)
        elif version > SCHEMA_VERSION:
            conn.close()
            raise RuntimeError(f"RunDB: {self.path!r} has schema version {version}; this tidu "
                               f"reads up to {SCHEMA_VERSION} (a newer tidu wrote it)")
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _retry(self, fn):
        """Run ``fn`` (a whole transaction), retrying while the database is locked or busy
        beyond busy_timeout, with jittered backoff, for up to ``timeout`` seconds."""
        deadline = time.monotonic() + self.timeout
        delay = 0.005
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                text = str(exc).lower()
                if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                    raise
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)

    def _write(self, sql_or_fn, params=()):
        """One write transaction: ``with conn:`` commits it, or rolls it back on error."""
        def transaction():
            conn = self.conn
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                if callable(sql_or_fn):
                    return sql_or_fn(conn)
                return conn.execute(sql_or_fn, params)
        with self._lock:
            return self._retry(transaction)

    def _read(self, sql: str, params=()) -> list:
        with self._lock:
            return self._retry(lambda: self.conn.execute(sql, params).fetchall())

    def query(self, sql: str, params=()) -> list:
        """Rows (``sqlite3.Row``) of a SELECT on the two tables — for views that
        filter, count or page in SQL (the web page's run list); JSON columns come back as
        text (`decode_json` reads them).  A statement that writes raises
        ``sqlite3.OperationalError``: writes go through the methods above."""
        if not sql.lstrip().upper().startswith("SELECT"):
            raise sqlite3.OperationalError(f"RunDB.query: read-only; got {sql[:40]!r}")
        return self._read(sql, params)

    # ------------------------------------------------------------------ writing
    def start_run(self, kind: str = "train", name: str | None = None, config=None,
                  seed: int | None = None, parent_id: int | None = None,
                  versions: dict | None = None) -> int:
        """Insert a run with status ``running``, this process's pid and host and the
        package versions; returns its id."""
        if kind not in KINDS:
            raise ValueError(f"RunDB.start_run: kind must be one of {KINDS}, got {kind!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise TypeError(f"RunDB.start_run: seed must be an int or None, got {seed!r}")
        if parent_id is not None and self.get_run(parent_id) is None:
            raise KeyError(f"RunDB.start_run: no run with id {parent_id} (parent_id)")
        pid = os.getpid()
        cursor = self._write(
            "INSERT INTO runs (kind, parent_id, name, config, seed, versions, status, pid, "
            "hostname, pid_start, started_at) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
            (kind, parent_id, name, _dumps(config if config is not None else {}),
             None if seed is None else int(seed),
             _dumps(versions if versions is not None else package_versions()), pid,
             socket.gethostname(), process_start_token(pid), _now()))
        return int(cursor.lastrowid)

    def reopen_run(self, run_id: int) -> None:
        """Mark an ended run (``killed`` or ``failed``) ``running`` again, in this process —
        a training resumed from its checkpoint continues as the same run: its error, end
        time and duration are cleared, its pid and host are this process's (so
        `mark_stale_runs` watches the right process); metrics recorded so far stay."""
        pid = os.getpid()

        def transaction(conn):
            row = conn.execute("SELECT status FROM runs WHERE id = ?", (int(run_id),)).fetchone()
            if row is None:
                raise KeyError(f"RunDB.reopen_run: no run with id {run_id}")
            if row["status"] not in ("killed", "failed"):
                raise ValueError(f"RunDB.reopen_run: run {run_id} is {row['status']}; only a "
                                 f"killed or failed run can be resumed")
            conn.execute("UPDATE runs SET status = 'running', error = NULL, ended_at = NULL, "
                         "duration = NULL, pid = ?, hostname = ?, pid_start = ? WHERE id = ?",
                         (pid, socket.gethostname(), process_start_token(pid), int(run_id)))
        self._write(transaction)

    def checkpoint_path(self, run_id: int) -> str:
        """Where the command line keeps run ``run_id``'s training checkpoint: a folder
        beside the database named after it (``tidu-runs.db`` → ``tidu-runs-checkpoints/
        run-3.npz``)."""
        stem = os.path.splitext(os.path.abspath(self.path))[0]
        return os.path.join(f"{stem}-checkpoints", f"run-{int(run_id)}.npz")

    def record_run(self, kind: str, status: str, name: str | None = None, config=None,
                   seed: int | None = None, parent_id: int | None = None,
                   metrics: dict | None = None, error: str | None = None,
                   duration: float | None = None, epochs=None) -> int:
        """Insert a run that has already ended (a tuning trial reported by its worker),
        with its per-epoch metrics (``epochs``: a list of dicts, one per epoch), in one
        transaction; ``duration`` (s) dates its start back from now.  Returns its id."""
        if kind not in KINDS:
            raise ValueError(f"RunDB.record_run: kind must be one of {KINDS}, got {kind!r}")
        if status not in STATUSES or status == "running":
            raise ValueError(f"RunDB.record_run: status must be one of {STATUSES[1:]}, got "
                             f"{status!r}")
        ended = _dt.datetime.now(_dt.timezone.utc)
        started = ended - _dt.timedelta(seconds=float(duration or 0.0))
        pid = os.getpid()

        def transaction(conn):
            cursor = conn.execute(
                "INSERT INTO runs (kind, parent_id, name, config, seed, versions, status, "
                "error, pid, hostname, pid_start, started_at, ended_at, duration, metrics) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (kind, parent_id, name, _dumps(config if config is not None else {}),
                 None if seed is None else int(seed), _dumps(package_versions()), status,
                 error, pid, socket.gethostname(), process_start_token(pid),
                 started.isoformat(timespec="milliseconds"),
                 ended.isoformat(timespec="milliseconds"),
                 None if duration is None else float(duration), _dumps(metrics or {})))
            run_id = int(cursor.lastrowid)
            rows = [(run_id, epoch, str(k), None if math.isnan(v) else v)
                    for epoch, values in enumerate(epochs or ())
                    for k, v in ((k, _number(v)) for k, v in values.items()) if v is not None]
            conn.executemany("INSERT OR REPLACE INTO metrics (run_id, epoch, name, value) "
                             "VALUES (?, ?, ?, ?)", rows)
            return run_id
        return self._write(transaction)

    def log_metrics(self, run_id: int, epoch: int, values: dict) -> None:
        """Record ``values`` (name → number; other values are skipped) for ``epoch`` of the
        run, in one transaction (a repeated (epoch, name) is overwritten)."""
        rows = []
        for name, value in values.items():
            number = _number(value)
            if number is not None:
                rows.append((int(run_id), int(epoch), str(name),
                             None if math.isnan(number) else number))
        if rows:
            self._write(lambda conn: conn.executemany(
                "INSERT OR REPLACE INTO metrics (run_id, epoch, name, value) VALUES (?, ?, ?, ?)",
                rows))

    def end_run(self, run_id: int, status: str, metrics: dict | None = None,
                error: str | None = None) -> None:
        """Set the run's final status, end time, duration, final metrics (merged into any
        recorded before) and error text."""
        if status not in STATUSES or status == "running":
            raise ValueError(f"RunDB.end_run: status must be one of "
                             f"{STATUSES[1:]}, got {status!r}")

        def transaction(conn):
            row = conn.execute("SELECT started_at, metrics FROM runs WHERE id = ?",
                               (int(run_id),)).fetchone()
            if row is None:
                raise KeyError(f"RunDB.end_run: no run with id {run_id}")
            merged = decode_json(row["metrics"])
            merged.update(metrics or {})
            ended = _now()
            conn.execute("UPDATE runs SET status = ?, error = ?, ended_at = ?, duration = ?, "
                         "metrics = ? WHERE id = ?",
                         (status, error, ended, _seconds_between(row["started_at"], ended),
                          _dumps(merged), int(run_id)))
        self._write(transaction)

    def finish_run(self, run_id: int, metrics: dict | None = None) -> None:
        """Mark the run ``finished`` with its final metrics."""
        self.end_run(run_id, "finished", metrics)

    def fail_run(self, run_id: int, error, metrics: dict | None = None) -> None:
        """Mark the run ``failed``; ``error`` is a message or an exception
        (recorded as ``"TypeName: message"``)."""
        if isinstance(error, BaseException):
            error = f"{type(error).__name__}: {error}"
        self.end_run(run_id, "failed", metrics, str(error))

    def update_run(self, run_id: int, *, config=None, metrics: dict | None = None,
                   name: str | None = None) -> None:
        """Replace the config or the name, or merge final metrics, of a run (any status)."""
        def transaction(conn):
            row = conn.execute("SELECT metrics FROM runs WHERE id = ?", (int(run_id),)).fetchone()
            if row is None:
                raise KeyError(f"RunDB.update_run: no run with id {run_id}")
            if config is not None:
                conn.execute("UPDATE runs SET config = ? WHERE id = ?",
                             (_dumps(config), int(run_id)))
            if name is not None:
                conn.execute("UPDATE runs SET name = ? WHERE id = ?", (name, int(run_id)))
            if metrics:
                merged = decode_json(row["metrics"])
                merged.update(metrics)
                conn.execute("UPDATE runs SET metrics = ? WHERE id = ?",
                             (_dumps(merged), int(run_id)))
        self._write(transaction)

    def mark_stale_runs(self, all_hosts: bool = False) -> list:
        """Mark ``killed`` every ``running`` run of this machine whose process is gone
        (``all_hosts=True``: of every machine — only for a database no other machine is
        writing to).  Returns the ids marked."""
        host = socket.gethostname()
        rows = self._read("SELECT id, pid, pid_start, hostname FROM runs WHERE status = 'running'")
        stale = [r["id"] for r in rows
                 if (r["hostname"] == host and not pid_alive(r["pid"], r["pid_start"]))
                 or (all_hosts and r["hostname"] != host)]
        if stale:
            def transaction(conn):
                ended = _now()
                for run_id in stale:
                    row = conn.execute("SELECT started_at FROM runs WHERE id = ? AND "
                                       "status = 'running'", (run_id,)).fetchone()
                    if row is None:  # ended meanwhile
                        continue
                    conn.execute(
                        "UPDATE runs SET status = 'killed', ended_at = ?, error = ? "
                        "WHERE id = ?",
                        (ended, "the process ended without finishing the run "
                                "(killed, or crashed)", run_id))
            self._write(transaction)
        return stale

    def delete_run(self, run_id: int) -> None:
        """Delete a run, its metrics and (recursively) its child runs."""
        def transaction(conn):
            ids, frontier = [], [int(run_id)]
            while frontier:
                ids.extend(frontier)
                marks = ",".join("?" * len(frontier))
                frontier = [r[0] for r in conn.execute(
                    f"SELECT id FROM runs WHERE parent_id IN ({marks})", frontier)]
            marks = ",".join("?" * len(ids))
            conn.execute(f"DELETE FROM metrics WHERE run_id IN ({marks})", ids)
            conn.execute(f"DELETE FROM runs WHERE id IN ({marks})", ids)
        self._write(transaction)

    # ------------------------------------------------------------------ reading
    def get_run(self, run_id: int) -> Run | None:
        rows = self._read("SELECT * FROM runs WHERE id = ?", (int(run_id),))
        return Run(rows[0]) if rows else None

    def runs(self, kind: str | None = None, status: str | None = None,
             parent_id: int | None = None, limit: int | None = None,
             newest_first: bool = True) -> list:
        """The runs matching every filter given, newest first by default."""
        where, params = [], []
        for column, value in (("kind", kind), ("status", status), ("parent_id", parent_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = "SELECT * FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id " + ("DESC" if newest_first else "ASC")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [Run(r) for r in self._read(sql, params)]

    def children(self, run_id: int) -> list:
        """The trials of a search (oldest first)."""
        return self.runs(parent_id=run_id, newest_first=False)

    def metrics(self, run_id: int) -> dict:
        """``{name: [(epoch, value), …]}`` of the run, by epoch (NaN was stored as NULL
        and comes back as NaN)."""
        out: dict = {}
        for r in self._read("SELECT epoch, name, value FROM metrics WHERE run_id = ? "
                            "ORDER BY epoch, name", (int(run_id),)):
            out.setdefault(r["name"], []).append(
                (r["epoch"], math.nan if r["value"] is None else r["value"]))
        return out

    def metric_table(self, run_id: int) -> tuple:
        """``(names, rows)``: metric names (sorted; ``loss`` and ``val_*`` as they come) and
        one row ``[epoch, value, …]`` per epoch (None where an epoch lacks a value)."""
        series = self.metrics(run_id)
        names = sorted(series)
        epochs = sorted({e for values in series.values() for e, _ in values})
        lookup = {(name, e): v for name, values in series.items() for e, v in values}
        rows = [[e] + [lookup.get((name, e)) for name in names] for e in epochs]
        return names, rows

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` (``"ok"`` when the file is sound)."""
        return self._read("PRAGMA integrity_check")[0][0]
