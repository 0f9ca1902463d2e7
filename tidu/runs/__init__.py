"""tidu.runs: the database of runs — every ``fit``, tuning trial and search, in SQLite.

* `RunDB` — the database (default ``./tidu-runs.db``, or ``$TIDU_RUNS_DB``; WAL mode,
  transactional writes, safe with several writing processes and with processes killed
  mid-run); `RunDB.mark_stale_runs` marks the runs of dead processes ``killed``;
* `RunLogger` — a `tidu.train` callback recording a ``fit``: config, seed, package
  versions, per-epoch metrics, final metrics, status and timings;
* `TrialRecorder` — a `tidu.tune` trial hook recording a search and its trials
  (parent and children).

The command line reads it: ``tidu runs list | show ID | compare ID ID… | export ID --csv``.
"""
from .db import ENV_VAR, KINDS, STATUSES, Run, RunDB, default_db_path, package_versions
from .logger import RunLogger, as_db
from .tune_hook import TrialRecorder, trial_records

__all__ = ["RunDB", "Run", "RunLogger", "TrialRecorder", "trial_records", "as_db",
           "default_db_path", "package_versions", "KINDS", "STATUSES", "ENV_VAR"]
