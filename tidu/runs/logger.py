"""`RunLogger`: a `tidu.train` callback that records a ``fit`` in the run database."""
from __future__ import annotations

import atexit
import numbers
import weakref

from ..train.callbacks.base import Callback
from .db import RunDB

__all__ = ["RunLogger", "as_db"]


def as_db(db) -> RunDB:
    """A `RunDB` from a `RunDB`, a path, or None (the default database)."""
    if isinstance(db, RunDB):
        return db
    return RunDB(db)


def _plain(logs: dict) -> dict:
    return {k: float(v) for k, v in (logs or {}).items()
            if isinstance(v, numbers.Real) and not isinstance(v, bool)}


_open_loggers: "weakref.WeakSet[RunLogger]" = weakref.WeakSet()


@atexit.register
def _fail_unfinished() -> None:  # pragma: no cover - runs at interpreter exit
    for logger in list(_open_loggers):
        logger._abandon()


class RunLogger(Callback):
    """``RunLogger(db=None, name=None, config=None, seed=None, kind="train",
    parent_id=None)`` records the ``fit`` it is passed to in the run database ``db`` (a
    `RunDB`, a path, or None for ``$TIDU_RUNS_DB`` / ``./tidu-runs.db``):

    * ``on_train_begin``: a run with status ``running``, ``config`` (any JSON-able dict;
      fit's own settings — epochs, batch size, steps per epoch, the optimizer and its
      hyper-parameters, the metrics — are added under ``"fit"``), ``seed`` and the package
      versions; its id is ``self.run_id``;
    * ``on_epoch_end``: the epoch's logs (loss, val_loss, metrics, lr, penalties), one
      transaction per epoch;
    * ``on_train_end``: status ``finished``, final metrics = the last epoch's logs plus
      ``epochs`` run and ``stop_reason`` if training stopped early.

    ``resume_id``: continue that run (``killed`` or ``failed``) instead of starting one —
    it is marked ``running`` again (`RunDB.reopen_run`) and the epochs ``fit`` replays
    after resuming from a checkpoint overwrite their rows.

    ``fit`` has no hook for an exception, so to record a failure use the logger as a
    context manager — the run then ends when the block ends, and more final metrics (a
    test score) can be added with `finish`::

        with RunLogger(config=cfg) as run:
            fit(model, loss_fn, opt, train, val, callbacks=[run])
            run.finish({"test_accuracy": acc})      # optional; the block's end finishes too

    An exception in the block marks the run ``failed`` with its message (``killed`` for
    KeyboardInterrupt) and propagates.  Outside a ``with`` block, a run left open when the
    interpreter exits is marked ``failed``; a process killed outright leaves it
    ``running`` until `RunDB.mark_stale_runs` marks it ``killed``.
    """

    def __init__(self, db=None, name: str | None = None, config: dict | None = None,
                 seed: int | None = None, kind: str = "train", parent_id: int | None = None,
                 resume_id: int | None = None):
        self.db = as_db(db)
        self.resume_id = resume_id
        self.name = name
        self.config = dict(config or {})
        self.seed = seed
        self.kind = kind
        self.parent_id = parent_id
        self.run_id = None
        self.final_metrics: dict = {}
        self._in_context = False
        self._ended = False

    # ------------------------------------------------------------------ explicit control
    def start(self) -> int:
        """Create the run now (``on_train_begin`` does it if not done); returns its id."""
        if self.run_id is None:
            if self.resume_id is not None:
                self.db.reopen_run(self.resume_id)
                self.run_id = int(self.resume_id)
            else:
                self.run_id = self.db.start_run(self.kind, self.name, self.config, self.seed,
                                                self.parent_id)
            self._ended = False
            _open_loggers.add(self)
        return self.run_id

    def finish(self, metrics: dict | None = None) -> None:
        """End the run as ``finished`` with the final metrics so far plus ``metrics``."""
        self.final_metrics.update(metrics or {})
        if self.run_id is None:
            self.start()
        if not self._ended:
            self.db.finish_run(self.run_id, self.final_metrics)
            self._ended = True
            _open_loggers.discard(self)
        elif metrics:
            self.db.update_run(self.run_id, metrics=metrics)

    def fail(self, error, status: str = "failed") -> None:
        """End the run as ``failed`` (or ``killed``) with ``error`` (a message or exception)."""
        if self.run_id is None:
            self.start()
        if isinstance(error, BaseException):
            error = f"{type(error).__name__}: {error}"
        if not self._ended:
            self.db.end_run(self.run_id, status, self.final_metrics, str(error))
            self._ended = True
            _open_loggers.discard(self)

    def _abandon(self) -> None:
        if self.run_id is not None and not self._ended:
            try:
                self.fail("the process exited before training ended (an exception in fit?)")
            except Exception:
                pass

    def __enter__(self):
        self._in_context = True
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        self._in_context = False
        if exc is None:
            self.finish()
        elif isinstance(exc, KeyboardInterrupt):  # Ctrl-C, or SIGTERM under the command line
            self.fail(f"{type(exc).__name__}: {exc or 'interrupted'}", status="killed")
        else:
            self.fail(exc)
        return False

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        trainer = self.trainer
        opt = trainer.optimizer
        group = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
        fit_info = dict(trainer.params)
        fit_info.update(optimizer=type(opt).__name__, optimizer_params=group,
                        loss=getattr(trainer.loss_fn, "__name__", None)
                        or type(trainer.loss_fn).__name__,
                        metrics=[m.name for m in trainer.metrics],
                        model=repr(trainer.model))
        self.config.setdefault("fit", fit_info)
        if self.run_id is None:
            self.start()
        else:
            self.db.update_run(self.run_id, config=self.config)

    def on_epoch_end(self, epoch, logs=None):
        values = _plain(logs)
        self.db.log_metrics(self.run_id, epoch, values)
        self.final_metrics.update(values)
        self.final_metrics["epochs"] = epoch + 1

    def on_train_end(self, logs=None):
        stop_reason = getattr(self.trainer, "stop_reason", None)
        if stop_reason:
            self.final_metrics["stop_reason"] = stop_reason
        if not self._in_context:
            self.finish()
