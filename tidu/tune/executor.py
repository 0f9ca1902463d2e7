"""Where trials run: in this process, in local worker processes, or on a Dask cluster.

A search hands an executor a batch of trial tasks (index, round, params, seed) and gets the
trial records back as they complete; it never sees the difference between executors.  The
records do not depend on the executor either: every trial's parameters and seed come from
the search seed and the trial index (`tidu.tune.trial`), and the global generators
(tidu's, ``np.random``'s, ``random``'s) are seeded from the trial seed right before the
objective runs.

* `SerialExecutor` (``n_jobs=1``): in the caller's process, one trial after the other;
  the caller's generator states (tidu's, ``np.random``'s, ``random``'s) are put back after
  each trial.
* `ProcessExecutor` (``n_jobs > 1``, the default with one worker per core): a
  `concurrent.futures.ProcessPoolExecutor` on the **spawn** start method (safe with
  threads, the same on Linux, macOS and Windows).  The objective is serialized once with
  cloudpickle and loaded once per worker, so it must be picklable by cloudpickle: a
  module-level function, a `functools.partial`, a class instance, a lambda or a function
  defined in a script all are; an open file, a lock or a database connection captured by
  the objective is not.  A function imported from a module needs that module importable in
  the workers (they inherit ``sys.path``).  Scripts that start a search at import time need
  the usual ``if __name__ == "__main__":`` guard of spawn-based multiprocessing.  Each worker
  limits its BLAS to ``cores // n_jobs`` threads so the workers do not oversubscribe.  A
  trial that kills its worker (out of memory, a crash in native code) breaks the pool; the
  trials it took down with it are run again, each in a fresh process of its own, so only
  the culprit is recorded as failed.  Workers never outlive the search: see
  `_watch_parent` (the parent killed outright, SIGKILL included) and
  `ProcessExecutor.abort` (the search interrupted: Ctrl-C, SIGTERM, an exception).
* `DaskExecutor` (``client=`` a `dask.distributed.Client`, or ``scheduler="tcp://host:8786"``):
  the objective is scattered to the cluster once, each trial is a ``client.submit`` and the
  records come back through ``distributed.as_completed``.  The workers need tidu installed.
  A Dask worker with several threads runs several trials in one process, sharing tidu's
  global generator: for reproducible trials start workers with one thread each
  (``nthreads=1`` / ``threads_per_worker=1``) or use processes.

Besides ``run(tasks)`` (a batch in, its records out as they complete), every executor has
an asynchronous interface for searches that decide the next trial whenever one ends
(`tidu.tune.asha.ASHA`): ``slots()`` — how many trials keep every worker busy (1,
``n_jobs``, the Dask cluster's threads); ``submit(task)`` — start a trial (the serial
executor only queues it); ``wait_any()`` — block until at least one submitted trial has
ended and return the records of all that have (``[]`` when none is submitted).  Crashed
workers and interruptions are handled as in ``run``: a dead worker process fails only its
own trial (the others it took down are run again alone), a lost Dask worker fails its
trial, and ``running()`` / ``abort()`` see the submitted trials.  Use one interface or the
other within a search, not both at once.
"""
from __future__ import annotations

import os
import pickle
import signal
import threading
import time
import uuid
from concurrent.futures import (FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor,
                                as_completed, wait)
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from .trial import global_states, run_trial, set_global_states

__all__ = ["SerialExecutor", "ProcessExecutor", "DaskExecutor", "make_executor", "cpu_count"]


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


_DIED = ("worker process died while running this trial (killed — e.g. out of memory — or "
         "a crash in native code)")


def _failed(task: dict, error: str) -> dict:
    return {"index": task["index"], "round": task.get("round", 0), "params": task["params"],
            "seed": task["seed"], "status": "failed", "score": None, "metrics": {},
            "error": error, "traceback": None, "seconds": 0.0}


class SerialExecutor:
    """Trials one after the other in this process (``n_jobs=1``)."""

    name = "serial"

    def __init__(self):
        self._objective = None
        self._current = None
        self._queue: list = []

    def start(self, objective, metric, pass_seed) -> None:
        self._objective, self._metric, self._pass_seed = objective, metric, pass_seed

    def run(self, tasks):
        for task in tasks:
            states = global_states()
            self._current = task  # kept if the trial is interrupted: see running()
            try:
                record = run_trial(self._objective, task, self._metric, self._pass_seed)
            finally:
                set_global_states(states)
            self._current = None
            yield record

    # ---------------------------------------------------------- asynchronous interface
    def slots(self) -> int:
        return 1

    def submit(self, task: dict) -> None:
        """Queue ``task``; it runs in the next `wait_any`."""
        self._queue.append(task)

    def wait_any(self) -> list:
        """Run the oldest queued task here and return its record (``[]``: none queued)."""
        if not self._queue:
            return []
        return list(self.run([self._queue.pop(0)]))

    def running(self) -> list:
        """The task being evaluated right now (none between trials)."""
        return [] if self._current is None else [self._current]

    def abort(self) -> None:
        """Nothing runs outside this process: the interrupted trial is already unwound."""
        self.close()

    def close(self) -> None:
        self._objective = None
        self._queue = []

    def describe(self) -> str:
        return "serial"


# ---------------------------------------------------------------------- worker processes
_WORKER: dict = {}


PARENT_CHECK_SECONDS = 0.2


def _watch_parent(parent_pid: int, interval: float = PARENT_CHECK_SECONDS) -> None:
    """End this worker process as soon as ``parent_pid`` (the search's process) is gone.

    A worker of a `ProcessPoolExecutor` waits on a queue whose write end it holds itself,
    so it never sees its parent die: a search killed outright (SIGKILL, a crash, the OOM
    killer) would leave its workers — and, through them, multiprocessing's resource
    tracker — running forever.  A daemon thread polls ``os.getppid()``: when the parent
    dies the worker is re-parented (to init or a subreaper) and the thread ends the
    process with ``os._exit`` within ``interval`` seconds, even mid-trial (numerical work
    releases the GIL often enough for the thread to run).  Chosen over Linux's
    ``prctl(PR_SET_PDEATHSIG)``, which fires when the *thread* that started the worker
    exits — the isolated re-runs start workers from short-lived helper threads — and
    which exists on Linux only; the poll works wherever ``os.getppid`` does."""
    def watch():
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(interval)

    threading.Thread(target=watch, name="tidu-parent-watch", daemon=True).start()


def _init_worker(blob: bytes, metric, pass_seed: bool, blas_threads: int,
                 parent_pid: int | None = None, started=None) -> None:
    """Runs once in each worker process: die with the parent (`_watch_parent`), leave
    Ctrl-C to the parent (which ends the workers itself), load the objective, limit BLAS
    threads."""
    if parent_pid is not None:
        _watch_parent(parent_pid)
    # a Ctrl-C at a terminal reaches the whole process group; the parent handles it (it
    # marks the trials in flight and ends the workers), a worker must not die halfway
    # through sending its result
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from threadpoolctl import threadpool_limits
        _WORKER["limits"] = threadpool_limits(blas_threads)
    except ImportError:  # pragma: no cover — threadpoolctl comes with scikit-learn
        pass
    _WORKER["objective"] = pickle.loads(blob)
    _WORKER["metric"], _WORKER["pass_seed"] = metric, pass_seed
    _WORKER["started"] = started


def _run_in_worker(task: dict) -> dict:
    if _WORKER.get("started") is not None:  # tell the parent which trials are in flight
        _WORKER["started"].put(_key(task))
    return run_trial(_WORKER["objective"], task, _WORKER["metric"], _WORKER["pass_seed"])


def _key(task: dict) -> tuple:
    """A trial task's identity: (index, round) — successive halving runs one index once
    per rung."""
    return task["index"], task.get("round", 0)


def serialize_objective(objective) -> bytes:
    """The objective as bytes (cloudpickle: lambdas and script functions too), or a
    TypeError that says what to do."""
    try:
        import cloudpickle
        return cloudpickle.dumps(objective)
    except Exception as e:  # noqa: BLE001 — pickling raises many kinds
        raise TypeError(f"the objective must be picklable to run in worker processes or on a "
                        f"Dask cluster, but pickling {type(objective).__name__} failed "
                        f"({type(e).__name__}: {e}); keep open files, locks and connections "
                        f"out of it, or run the search with n_jobs=1") from None


class ProcessExecutor:
    """Trials on ``n_jobs`` local worker processes (spawned; see the module docstring)."""

    name = "processes"

    def __init__(self, n_jobs: int):
        self.n_jobs = int(n_jobs)
        self._pool = None
        self._blob = None
        self._pools: set = set()  # every live pool, the isolated re-runs' included
        self._lock = threading.Lock()
        self._futures: dict = {}
        self._running_at_abort = None
        self._started = None  # trial keys (`_key`) the workers report as they begin them
        self._started_ids: set = set()
        self._yielded: set = set()
        self._pending: dict = {}  # future -> task, submitted through `submit`

    def start(self, objective, metric, pass_seed) -> None:
        self._blob = serialize_objective(objective)
        self._metric, self._pass_seed = metric, pass_seed

    def _new_pool(self, n_tasks: int) -> ProcessPoolExecutor:
        workers = max(1, min(self.n_jobs, n_tasks))
        blas = max(1, cpu_count() // workers)
        context = get_context("spawn")
        if self._started is None:
            self._started = context.SimpleQueue()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                   initializer=_init_worker,
                                   initargs=(self._blob, self._metric, self._pass_seed, blas,
                                             os.getpid(), self._started))
        with self._lock:
            self._pools.add(pool)
        return pool

    def _forget(self, pool) -> None:
        with self._lock:
            self._pools.discard(pool)

    def run(self, tasks):
        tasks = list(tasks)
        if not tasks:
            return
        if self._pool is None:
            self._pool = self._new_pool(len(tasks))
        futures = {self._pool.submit(_run_in_worker, task): task for task in tasks}
        self._futures, self._running_at_abort = futures, None
        orphans = []
        try:
            for future in as_completed(futures):
                try:
                    record = future.result()
                    self._yielded.add(_key(record))
                    yield record
                except BrokenProcessPool:
                    orphans.append(futures[future])
                except Exception as e:  # noqa: BLE001 — e.g. the objective failed to unpickle
                    self._yielded.add(_key(futures[future]))
                    yield _failed(futures[future], f"{type(e).__name__}: {e}")
        except BaseException:  # interrupted (KeyboardInterrupt, SIGTERM) or closed early
            self.abort()
            raise
        finally:
            if orphans and self._pool is not None:  # a dead worker breaks the whole pool:
                self._pool.shutdown(wait=False, cancel_futures=True)  # a new one next time
                self._forget(self._pool)
                self._pool = None
        if orphans:
            yield from self._isolated(orphans)

    def _run_alone(self, task: dict) -> dict:
        pool = self._new_pool(1)
        try:
            with pool:
                try:
                    return pool.submit(_run_in_worker, task).result()
                except BrokenProcessPool:
                    return _failed(task, _DIED)
        finally:
            self._forget(pool)

    def _isolated(self, tasks: list):
        """Run the trials a dead worker took down with it, each in a pool of its own, so that
        only the trial that kills its worker is recorded as failed."""
        threads = ThreadPoolExecutor(max_workers=max(1, min(self.n_jobs, len(tasks))))
        try:
            for future in as_completed([threads.submit(self._run_alone, t) for t in tasks]):
                record = future.result()
                self._yielded.add(_key(record))
                yield record
        except BaseException:
            self.abort()  # before waiting for the helper threads: they wait on the workers
            raise
        finally:
            threads.shutdown(wait=True)

    def running(self) -> list:
        """The tasks a worker has begun (each worker reports the index of a trial as it
        starts it) whose record the search has not received; after `abort`, those it
        ended."""
        if self._running_at_abort is not None:
            return list(self._running_at_abort)
        while self._started is not None and not self._started.empty():
            self._started_ids.add(self._started.get())
        return [task for task in list(self._futures.values())
                if _key(task) in self._started_ids and _key(task) not in self._yielded]

    # ---------------------------------------------------------- asynchronous interface
    def slots(self) -> int:
        return self.n_jobs

    def submit(self, task: dict) -> None:
        """Start ``task`` on the pool (made with ``n_jobs`` workers on first use)."""
        if self._pool is None:
            self._pool = self._new_pool(self.n_jobs)
        self._pending[self._pool.submit(_run_in_worker, task)] = task
        self._futures = self._pending  # what running() and abort() look at

    def wait_any(self) -> list:
        """The records of the submitted trials that have ended, after waiting for one.  A
        dead worker breaks the pool and every trial in it: those are run again, each in a
        fresh process of its own (as in `run`), so only the culprit is recorded failed."""
        if not self._pending:
            return []
        records, orphans = [], []
        try:
            done, _ = wait(list(self._pending), return_when=FIRST_COMPLETED)
            if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                done, _ = wait(list(self._pending))  # a broken pool fails all it holds
            for future in done:
                task = self._pending.pop(future)
                try:
                    record = future.result()
                except BrokenProcessPool:
                    orphans.append(task)
                    continue
                except Exception as e:  # noqa: BLE001 — e.g. the objective failed to unpickle
                    record = _failed(task, f"{type(e).__name__}: {e}")
                self._yielded.add(_key(record))
                records.append(record)
            if orphans and self._pool is not None:  # a new pool for the next submit
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._forget(self._pool)
                self._pool = None
        except BaseException:  # interrupted (KeyboardInterrupt, SIGTERM)
            self.abort()
            raise
        if orphans:
            self._futures = dict(enumerate(orphans))  # running() sees the re-runs
            records.extend(self._isolated(orphans))
            self._futures = self._pending
        return records

    def abort(self) -> None:
        """End every worker now — the trials in flight are lost — and release the pools.
        For an interrupted search (Ctrl-C, SIGTERM, an exception in a callback); `close`
        waits for running trials instead.  Idempotent."""
        if self._running_at_abort is None:
            self._running_at_abort = self.running()
        with self._lock:
            pools, self._pools = list(self._pools), set()
        for pool in pools:
            _kill_workers(pool)
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._forget(self._pool)
            self._pool = None

    def describe(self) -> str:
        return f"processes(n_jobs={self.n_jobs})"


def _kill_workers(pool: ProcessPoolExecutor, grace: float = 2.0) -> None:
    """Terminate the worker processes of ``pool`` (SIGTERM, then SIGKILL after ``grace``
    seconds), then shut the pool down without waiting.  ``concurrent.futures`` has no
    public way to stop running workers before Python 3.14 (``terminate_workers``), so its
    ``_processes`` map is read, defensively."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:  # Python ≥ 3.14
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1.0)
    pool.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------------- Dask
class DaskExecutor:
    """Trials on a Dask cluster: ``client`` a `distributed.Client`, or ``scheduler`` its
    address (a client is then opened here and closed at the end)."""

    name = "dask"

    def __init__(self, client=None, scheduler: str | None = None):
        self._client, self._scheduler, self._own = client, scheduler, False
        self._objective = None

    def start(self, objective, metric, pass_seed) -> None:
        serialize_objective(objective)  # the same clear error as for processes
        if self._client is None:
            from distributed import Client
            try:
                self._client = Client(self._scheduler)
            except OSError as e:
                raise ConnectionError(f"could not reach the Dask scheduler at "
                                      f"{self._scheduler!r}: {e}") from None
            self._own = True
        self._metric, self._pass_seed = metric, pass_seed
        self._objective = self._client.scatter(objective, hash=False)
        self._tag = uuid.uuid4().hex[:8]
        self._pending, self._submitted = {}, 0

    def run(self, tasks):
        from distributed import as_completed as dask_as_completed
        futures = {}
        self._futures = futures
        for task in tasks:
            future = self._client.submit(run_trial, self._objective, task, self._metric,
                                         self._pass_seed, pure=False,
                                         key=f"tidu-trial-{task['index']}-{self._tag}")
            futures[future] = task
        for future in dask_as_completed(list(futures)):
            try:
                yield future.result()
            except Exception as e:  # noqa: BLE001 — a lost worker, an unpicklable result…
                yield _failed(futures[future], f"{type(e).__name__}: {e}")
            finally:
                future.release()

    # ---------------------------------------------------------- asynchronous interface
    def slots(self) -> int:
        """The cluster's worker threads now (at least 1)."""
        try:
            return max(1, sum(self._client.nthreads().values()))
        except Exception:  # noqa: BLE001 — no scheduler information: one at a time
            return 1

    def submit(self, task: dict) -> None:
        self._submitted += 1
        key = f"tidu-trial-{task['index']}-{task.get('round', 0)}-{self._tag}-{self._submitted}"
        future = self._client.submit(run_trial, self._objective, task, self._metric,
                                     self._pass_seed, pure=False, key=key)
        self._pending[future] = task
        self._futures = self._pending  # what running() and abort() look at

    def wait_any(self) -> list:
        """The records of the submitted trials that have ended, after waiting for one; a
        trial whose worker was lost is a failed record (as in `run`)."""
        from distributed import wait as dask_wait
        if not self._pending:
            return []
        done, _ = dask_wait(list(self._pending), return_when="FIRST_COMPLETED")
        records = []
        for future in done:
            task = self._pending.pop(future)
            try:
                records.append(future.result())
            except Exception as e:  # noqa: BLE001 — a lost worker, an unpicklable result…
                records.append(_failed(task, f"{type(e).__name__}: {e}"))
            finally:
                future.release()
        return records

    def running(self) -> list:
        """The tasks submitted and not done (Dask does not say which have started)."""
        return [task for future, task in list(getattr(self, "_futures", {}).items())
                if not future.done()]

    def abort(self) -> None:
        """Cancel this search's trials on the cluster (the cluster itself lives on: its
        workers' lifecycle is Dask's) and close the client if this executor opened it."""
        for future in list(getattr(self, "_futures", ())):
            try:
                future.cancel()
            except Exception:  # noqa: BLE001 — the client may already be closed
                pass
        self.close()

    def close(self) -> None:
        if self._objective is not None:
            try:
                self._objective.release()
            except Exception:  # noqa: BLE001 — the client may already be closed
                pass
            self._objective = None
        if self._own and self._client is not None:
            self._client.close()
            self._client, self._own = None, False

    def describe(self) -> str:
        if self._scheduler is not None:
            return f"dask(scheduler={self._scheduler!r})"
        try:
            return f"dask(scheduler={self._client.scheduler.address!r})"
        except AttributeError:
            return "dask"


def make_executor(n_jobs=None, client=None, scheduler=None, owner: str = "search"):
    """The executor for a search's ``n_jobs`` / ``client`` / ``scheduler`` arguments."""
    if client is not None and scheduler is not None:
        raise ValueError(f"{owner}: give client= or scheduler=, not both")
    if client is not None:
        if not all(hasattr(client, a) for a in ("submit", "scatter")):
            raise TypeError(f"{owner}: client must be a dask.distributed.Client, got "
                            f"{type(client).__name__}")
        return DaskExecutor(client=client)
    if scheduler is not None:
        if not isinstance(scheduler, str) or not scheduler:
            raise TypeError(f"{owner}: scheduler must be a Dask scheduler address such as "
                            f"'tcp://host:8786', got {scheduler!r}")
        return DaskExecutor(scheduler=scheduler)
    if n_jobs is None or n_jobs == -1:
        n_jobs = cpu_count()
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"{owner}: n_jobs must be a positive int, -1 or None (one worker per "
                         f"core), got n_jobs={n_jobs!r}")
    return SerialExecutor() if n_jobs == 1 else ProcessExecutor(n_jobs)
