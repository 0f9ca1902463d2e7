"""What ``tidu train``, ``tidu search`` and ``tidu diagnose`` do, as functions (the command
line only parses arguments and prints): each takes a validated config and records its
runs in a `tidu.runs.RunDB`."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile

from .build import Experiment
from .errors import ConfigError

__all__ = ["train_config", "search_config", "diagnose_config", "format_metrics",
           "progress_callbacks", "find_resumable"]


def format_metrics(metrics: dict, keys=None) -> str:
    """``val_loss 0.1234 · val_accuracy 0.9722``: the numeric values, 4 significant digits."""
    keys = keys or [k for k in metrics if k not in ("epochs", "stop_reason", "lr", "saved_to")
                    and not k.endswith("_penalty")]
    parts = []
    for k in keys:
        v = metrics.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            parts.append(f"{k} {v:.4g}")
    return " · ".join(parts)


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def progress_callbacks(progress: str, stream=None) -> list:
    """``"auto"``: a tqdm bar per epoch on a terminal, one line per epoch otherwise;
    ``"bar"``, ``"lines"``, ``"none"``."""
    from ..train import EpochSummary, ProgressBar
    stream = stream or sys.stdout
    if progress == "auto":
        progress = "bar" if _is_terminal(stream) else "lines"
    if progress == "bar":
        return [ProgressBar(file=stream, disable=False)]
    if progress == "lines":
        return [EpochSummary(file=stream)]
    return []


def _experiment(config: dict) -> Experiment:
    from .. import random as _random
    _random.manual_seed(config["training"]["seed"])
    return Experiment(config)


def _comparable(config: dict) -> dict:
    """A config as the run database gives it back (JSON round trip), without what does not
    change the training: its name, and the ``fit`` summary `RunLogger` adds."""
    from ..runs.db import decode_json, encode_json
    plain = decode_json(encode_json(config))
    return {k: v for k, v in plain.items() if k not in ("name", "fit")}


def _as_stored(search: dict, key: str):
    """``search[key]`` as a search run's stored config holds it: the search's description
    (`Search.describe`) replaced ``pruner = "median"`` by the pruner's repr."""
    value = search[key]
    if key == "pruner" and value != "none":
        from .search import make_pruner
        return [repr(make_pruner(search))]
    return value


def _config_differences(stored: dict, current: dict, limit: int = 3) -> str:
    from ..runs.report import flatten
    a, b = flatten(stored), flatten(current)
    keys = [k for k in dict.fromkeys([*a, *b]) if a.get(k, "(unset)") != b.get(k, "(unset)")]
    shown = ", ".join(f"{k} ({_toml(a.get(k, '(unset)'))} → {_toml(b.get(k, '(unset)'))})"
                      for k in keys[:limit])
    return shown + (f", … ({len(keys)} keys)" if len(keys) > limit else "")


def find_resumable(db, config: dict, run_id: int | None = None):
    """The `tidu.runs.Run` that ``tidu train --resume [RUN_ID]`` continues: run ``run_id``,
    or the latest interrupted ``train`` run of this config.  It must be a ``train`` run
    that was killed or failed (runs of dead processes are first marked killed) and was
    trained with the same config (its name aside); else a `ValueError` saying why."""
    db.mark_stale_runs()
    current = _comparable(config)
    if run_id is None:
        for run in db.runs(kind="train"):
            if run.status in ("killed", "failed") and _comparable(run.config) == current:
                return run
        raise ValueError(f"--resume: no killed or failed train run of this config in {db.path} "
                         f"(`tidu runs list --status killed` lists them; give one's id)")
    run = db.get_run(run_id)
    if run is None:
        raise ValueError(f"--resume: no run with id {run_id} in {db.path}")
    if run.kind != "train":
        raise ValueError(f"--resume: run {run_id} is a {run.kind} run; only train runs resume")
    if run.status == "finished":
        raise ValueError(f"--resume: run {run_id} finished; there is nothing to resume")
    if run.status == "running":
        raise ValueError(f"--resume: run {run_id} is still running (process {run.pid} on "
                         f"{run.hostname})")
    if _comparable(run.config) != current:
        raise ValueError(f"--resume: run {run_id} was trained with another config: "
                         f"{_config_differences(_comparable(run.config), current)}; resume "
                         f"it with the same config and options")
    return run


def _last_epoch_metrics(history) -> dict:
    """The final metrics `RunLogger` collects over the epochs, from a restored `History`
    (a resumed run's logger has seen only the epochs after the checkpoint)."""
    out = {k: float(v[-1]) for k, v in history.history.items()
           if v and isinstance(v[-1], (int, float)) and not isinstance(v[-1], bool)}
    if history.epoch:
        out["epochs"] = len(history.epoch)
    return out


def _remove_checkpoint(path: str) -> None:
    """A finished run's checkpoint is no longer needed (nor its folder, once empty)."""
    try:
        os.unlink(path)
        os.rmdir(os.path.dirname(path))
    except OSError:  # absent, or the folder holds other runs' checkpoints
        pass


def train_config(config: dict, db, *, echo=print, progress: str = "auto", save=None,
                 kind: str = "train", parent_id: int | None = None, extra_callbacks=(),
                 experiment: Experiment | None = None, checkpoint: bool = False,
                 checkpoint_every: int | None = None, resume_run=None) -> dict:
    """Train the config's model on its training split (validation data for the per-epoch
    ``val_*`` values and the callbacks), evaluate on the test split, record it all as one
    run.  Returns ``{"run_id", "metrics", "history", "model", "experiment"}``.

    ``checkpoint``: save the whole training state every epoch (and every
    ``checkpoint_every`` optimizer steps) at `RunDB.checkpoint_path` of the run, removed
    when the run finishes.  ``resume_run`` (a run from `find_resumable`): continue that
    run from its checkpoint — from scratch if it was killed before its first one — as
    the same run; the result is bit-identical to an uninterrupted run."""
    from .. import random as _random
    from ..runs import RunLogger
    from ..train import Trainer
    from ..train.checkpoint import Checkpoint
    experiment = experiment or _experiment(config)
    data = experiment.data
    _random.manual_seed(config["training"]["seed"])
    model, loss_fn, optimizer, callbacks = experiment.build()
    n_params = sum(p._data.size for p in model.parameters())
    echo(f"data   {data.describe()}")
    echo(f"model  {len(config['model']['layers'])} layers, {n_params:,} parameters; "
         f"{type(loss_fn).__name__}; {config['optimizer']['type']}"
         f"(lr={optimizer.param_groups[0]['lr']:g})")
    resume_id = None if resume_run is None else resume_run.id
    logger = RunLogger(db, name=config.get("name"), config=config,
                       seed=config["training"]["seed"], kind=kind, parent_id=parent_id,
                       resume_id=resume_id)
    with logger:
        store = None
        if checkpoint or resume_id is not None:
            store = Checkpoint(logger.db.checkpoint_path(logger.run_id),
                               every_n_steps=checkpoint_every, save_on_train_end=False)
        if resume_id is None:
            echo(f"run    {logger.run_id} (recorded in {logger.db.path})")
        else:
            echo(f"run    {logger.run_id} resumed from "
                 f"{store.path if store.exists() else 'the start (no checkpoint yet)'} "
                 f"(recorded in {logger.db.path})")
        trainer = Trainer(model, loss_fn, optimizer, metrics=experiment.metrics,
                          callbacks=list(callbacks) + list(extra_callbacks) + [logger] +
                          progress_callbacks(progress), verbose=0, checkpoint=store)
        history = trainer.fit(data.train, data.val, seed=config["training"]["seed"],
                              resume=resume_id is not None, **experiment.fit_kwargs())
        if resume_id is not None:
            logger.final_metrics.update(_last_epoch_metrics(history))
        final = {}
        if data.test is not None:
            scores = trainer.evaluate(data.test, batch_size=experiment.batch_size)
            final.update({f"test_{k}": float(v) for k, v in scores.items()})
        if save:
            from ..serialization import save as save_state
            save_state({k: v for k, v in model.state_dict().items()}, save)
            final["saved_to"] = os.fspath(save)
        logger.finish(final)
    if store is not None:
        _remove_checkpoint(store.path)
    metrics = dict(logger.final_metrics)
    return {"run_id": logger.run_id, "metrics": metrics, "history": history, "model": model,
            "experiment": experiment}


def find_resumable_search(db, config: dict, search_id: int | None = None):
    """The search run ``tidu search --resume [SEARCH_ID]`` continues: run ``search_id``, or
    the latest killed or failed search of this config (runs of dead processes are first
    marked killed); else a `ValueError` saying why."""
    db.mark_stale_runs()
    current = _comparable(config)

    def same(run) -> bool:
        # the stored [search] holds the search's own description too (its "space" in the
        # distributions' form): the space itself is checked trial by trial on resuming
        stored = _comparable(run.config)
        spec = stored.get("search", {})
        keys = [k for k in current.get("search", {}) if k != "space"]
        return ({k: v for k, v in stored.items() if k != "search"}
                == {k: v for k, v in current.items() if k != "search"}
                and all(spec.get(k) == _as_stored(current["search"], k) for k in keys))
    if search_id is None:
        for run in db.runs(kind="search"):
            if run.status in ("killed", "failed") and same(run):
                return run
        raise ValueError(f"--resume: no killed or failed search of this config in {db.path} "
                         f"(`tidu runs list --kind search` lists them; give one's id)")
    run = db.get_run(search_id)
    if run is None or run.kind != "search":
        raise ValueError(f"--resume: no search run with id {search_id} in {db.path}")
    if run.status not in ("killed", "failed"):
        raise ValueError(f"--resume: search {search_id} is {run.status}; only a killed or "
                         f"failed search resumes")
    if not same(run):
        raise ValueError(f"--resume: search {search_id} ran another config; resume it with "
                         f"the same config and options")
    return run


def search_config(config: dict, db, *, echo=print, workers: int | None = None,
                  scheduler: str | None = None, client=None, progress: str = "auto",
                  refit: bool | None = None, resume_run=None) -> dict:
    """Run the config's ``[search]``: every trial recorded as a child of one search run;
    with ``refit`` the best config is then trained as a ``train`` run (child of the
    search) and scored on the test split.  ``resume_run``: an interrupted search run
    (`find_resumable_search`) to continue — its ended trials are not run again.  Returns
    ``{"search_id", "result", "best_config", "refit"}``."""
    from ..runs import TrialRecorder
    from .search import ConfigObjective, apply_params, make_pruner, to_space
    if config.get("search") is None:
        raise ConfigError("search", 'missing; a search needs a [search] section with a space, '
                                    'e.g. [search.space] lr = {loguniform = [1e-4, 1e-1]}')
    spec = config["search"]
    experiment = _experiment({k: v for k, v in config.items() if k != "search"})
    objective = ConfigObjective(config, experiment.data)
    space = to_space(spec)
    n_jobs = workers if workers is not None else spec["workers"]
    common = dict(mode=spec["mode"], metric=spec["metric"], seed=spec["seed"],
                  repeats=spec.get("repeats", 1),
                  n_jobs=None if (client is not None or scheduler) else n_jobs,
                  client=client, scheduler=scheduler)
    workdir = _halving_workdir(spec, db, resume_run)
    recorded = config if workdir is None else {**config, "search": {**spec, "workdir": workdir}}
    recorder = TrialRecorder(db, name=config.get("name"), config=recorded,
                             resume_id=None if resume_run is None else resume_run.id)
    previous = None
    if resume_run is not None:
        from ..runs import trial_records
        previous = trial_records(db, resume_run.id)
        echo(f"resume search {resume_run.id}: {len(previous)} ended trials are kept")
    bar = _TrialProgress(echo, spec, progress)
    common["callbacks"] = [recorder, bar]
    pruner = make_pruner(spec)
    if pruner is not None:
        common["pruner"] = pruner
    search = _make_search(spec, space, objective, common, workdir)
    if previous is not None and not search.resumable:
        raise ConfigError("search.strategy", f"a {spec['strategy']} search cannot be resumed: "
                                             f"its promoted trials' state lived in "
                                             f"checkpoints; run it again", spec["strategy"])
    bar.total = _planned_trials(search)
    bar.at_most = spec["strategy"] in ("hyperband", "successive_halving")
    where = scheduler or ("a Dask client" if client is not None else
                          f"{n_jobs} local process{'es' if n_jobs != 1 else ''}")
    echo(f"data   {experiment.data.describe()}")
    echo(f"search {spec['strategy']}, {_plan_text(search, bar.total)} on {where}, ranked by "
         f"{spec['metric']} ({spec['mode']}); "
         f"{'hold-out' if spec['cv'] == 0 else str(spec['cv']) + '-fold'} scoring"
         + (f", {spec['pruner']} pruning" if spec.get("pruner", "none") != "none" else ""))
    with recorder:
        try:
            result = search.run(resume=previous) if previous is not None else search.run()
        finally:
            bar.close()
    if workdir is not None:  # the search ended: its promoted trials' checkpoints are spent
        shutil.rmtree(workdir, ignore_errors=True)
    echo(f"search {recorder.search_id} done: {len(result.finished)}/{len(result.trials)} "
         f"trials finished in {result.seconds:.1f} s")
    for trial in result.failed[:3]:
        echo(f"  trial {trial['index']} "
             f"{'' if trial['status'] == 'pruned' else 'failed: '}{trial['error']}")
    best = result.best_trial
    echo(f"best   trial {best['index']} (run {recorder.trial_ids.get(best['index'])}): "
         f"{spec['metric']} {best['score']:.4g}")
    for key, value in best["params"].items():
        echo(f"         {key} = {_toml(value)}")
    if search.repeats > 1:
        echo(f"seeds  {result.seed_verdict()}")
    best_config = apply_params(config, best["params"])
    best_config["name"] = f"{config.get('name') or 'search'} (best of search " \
                          f"{recorder.search_id})"
    refit_run = None
    if refit if refit is not None else spec["refit"]:
        echo("refit  the best config on the training split:")
        refit_run = train_config(best_config, db, echo=echo, progress=progress,
                                 parent_id=recorder.search_id)
        echo(f"refit  run {refit_run['run_id']}: {format_metrics(refit_run['metrics'])}")
    return {"search_id": recorder.search_id, "result": result, "best_config": best_config,
            "refit": refit_run, "trial_ids": dict(recorder.trial_ids)}


def _halving_workdir(spec: dict, db, resume_run) -> str | None:
    """Where a successive-halving, Hyperband or ASHA search keeps its trials' checkpoints: a
    folder beside the run database (recorded in the search run's config, so ``--resume``
    finds it again), removed when the search ends; None for the other strategies."""
    if spec["strategy"] not in ("successive_halving", "hyperband", "asha"):
        return None
    if resume_run is not None:
        kept = ((resume_run.config or {}).get("search") or {}).get("workdir")
        if kept:
            return kept
    root = os.path.join(os.path.dirname(os.path.abspath(db.path)), "tidu-search-checkpoints")
    os.makedirs(root, exist_ok=True)
    return tempfile.mkdtemp(prefix="search-", dir=root)


def _make_search(spec: dict, space: dict, objective, common: dict, workdir=None):
    """The `tidu.tune` search of a normalized ``[search]`` section."""
    from .. import tune
    strategy = spec["strategy"]
    if strategy == "random":
        return tune.RandomSearch(space, objective, n_trials=spec["trials"], **common)
    if strategy == "tpe":
        return tune.TPESearch(space, objective, n_trials=spec["trials"], **common)
    if strategy == "grid":
        return tune.GridSearch(space, objective, points_per_axis=spec["grid_points"], **common)
    if strategy == "coarse_to_fine":
        return tune.CoarseToFine(space, objective, n_rounds=spec["rounds"],
                                 trials_per_round=spec["trials"], **common)
    budget = dict(max_epochs=spec["max_epochs"], min_epochs=spec["min_epochs"],
                  eta=spec["eta"])
    if strategy == "hyperband":
        return tune.Hyperband(space, objective, **budget, workdir=workdir, **common)
    if strategy == "successive_halving":
        return tune.SuccessiveHalving(space, objective, n_trials=spec["trials"], **budget,
                                      workdir=workdir, **common)
    return tune.ASHA(space, objective, n_trials=spec["trials"], **budget, workdir=workdir,
                     **common)


def _planned_trials(search) -> int | None:
    """The trial records ``search`` will make: ``n_trials`` × repeats; a halving search
    makes one per rung a trial reaches (the most: every rung full); ASHA's depend on the
    order the trials end (None)."""
    from .. import tune
    if isinstance(search, tune.ASHA):
        return None
    if isinstance(search, tune.Hyperband):
        return sum(n for bracket in search.brackets for n, _ in bracket)
    if isinstance(search, tune.SuccessiveHalving):
        return sum(n for n, _ in search.rungs)
    return search.describe()["n_trials"] * search.repeats


def _plan_text(search, total) -> str:
    """``"12 trials"``, or for the halving searches their configurations, rungs and trials."""
    from .. import tune
    if not isinstance(search, (tune.Hyperband, tune.SuccessiveHalving, tune.ASHA)):
        return f"{total} trials"
    n = search.describe()["n_trials"]
    if isinstance(search, tune.ASHA):
        rungs = search.rungs
    else:
        brackets = search.brackets if isinstance(search, tune.Hyperband) else [search.rungs]
        rungs = sorted({r for bracket in brackets for _, r in bracket})
    upto = "" if total is None else f", at most {total} trials"
    return (f"{n} configurations over rungs of {', '.join(map(str, rungs))} epochs (η = "
            f"{search.eta}{upto})")


def _toml(value) -> str:
    from .errors import show
    return show(value)


class _TrialProgress:
    """A search hook printing progress: a tqdm bar over the trials on a terminal, else
    one line per trial."""

    def __init__(self, echo, spec, progress):
        self.echo, self.spec = echo, spec
        self.total = None
        self.at_most = False  # total is an upper bound (a halving search's every rung full)
        self.done = 0
        self.best = None
        stream = sys.stdout
        if progress == "auto":
            progress = "bar" if _is_terminal(stream) else "lines"
        self.mode = progress
        self._bar = None

    def on_trial_end(self, trial):
        self.done += 1
        score = trial["score"]
        better = score is not None and (self.best is None or (
            score < self.best if self.spec["mode"] == "min" else score > self.best))
        if better:
            self.best = score
        if self.mode == "bar":
            if self._bar is None:
                from tqdm import tqdm
                self._bar = tqdm(total=self.total, desc="trials", unit="trial",
                                 file=sys.stdout, dynamic_ncols=True)
            self._bar.set_postfix(best=f"{self.best:.4g}" if self.best is not None else "—",
                                  refresh=False)
            self._bar.update(1)
        elif self.mode == "lines":
            params = ", ".join(f"{k}={_short(v)}" for k, v in trial["params"].items())
            outcome = (f"{self.spec['metric']} {score:.4g}" if score is not None
                       else trial["error"] if trial["status"] == "pruned"
                       else f"{trial['status']}: {trial['error']}")
            count = f"{self.done}" if self.total is None else f"{self.done}/{self.total}"
            rung = (f"  (rung {trial['rung']}, {trial['epochs']} epochs)"
                    if trial.get("epochs") is not None else "")
            self.echo(f"trial {count}  {params}{rung}  →  {outcome}"
                      f"{'  (best so far)' if better else ''}  [{trial['seconds']:.2f} s]")

    def on_search_end(self, result):
        if self.at_most and self._bar is not None and self._bar.n < self._bar.total:
            # a halving search's total is the most it can make (every rung full); fewer
            # trials are promoted when some failed
            self._bar.total = self._bar.n
            self._bar.refresh()

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _run_only(callbacks):
    """One callback carrying ``callbacks`` that belong to this run only — the run logger
    and the progress display: `checkup` copies the user's callbacks into its recipe for the
    verification reruns, and a copy of this one carries nothing (the reruns neither record
    runs nor print epochs).  It has no checkpoint state."""
    from ..train import Callback

    class RunOnly(Callback):
        def __init__(self, carried):
            self.carried = list(carried)

        def __deepcopy__(self, memo):
            return RunOnly(())

        def set_trainer(self, trainer):
            super().set_trainer(trainer)
            for cb in self.carried:
                cb.set_trainer(trainer)

        def _each(self, hook, *args):
            for cb in self.carried:
                getattr(cb, hook)(*args)

        def on_train_begin(self, logs=None):
            self._each("on_train_begin", logs)

        def on_train_end(self, logs=None):
            self._each("on_train_end", logs)

        def on_epoch_begin(self, epoch, logs=None):
            self._each("on_epoch_begin", epoch, logs)

        def on_epoch_end(self, epoch, logs=None):
            self._each("on_epoch_end", epoch, logs)

        def on_batch_begin(self, batch, logs=None):
            self._each("on_batch_begin", batch, logs)

        def on_batch_end(self, batch, logs=None):
            self._each("on_batch_end", batch, logs)

    return RunOnly(callbacks)


def diagnose_config(config: dict, db, *, echo=print, epochs: int | None = None,
                    out_dir=None, progress: str = "auto", every_n_steps: int = 1,
                    verify: bool = True, seeds: int = 3, top: int = 3) -> dict:
    """Run `tidu.diagnose.checkup` on the config's model, optimizer and data (recorded as a
    ``lab`` run, the test split scored at the end), print the `Diagnosis` — its findings,
    most important first, with their remedies — and the bias/variance reading of the final
    train and validation errors.  ``verify``: rerun the ``top`` remedies of the top finding
    that tidu can apply, over ``seeds`` seeds (`Diagnosis.verify`), and print their
    measured effects.  ``out_dir``: write ``diagnosis.html`` there (`write_report`: one
    self-contained page) and save the plots as PNG (gradient-norm heat map, activation
    histograms).  ``every_n_steps``: record the gradients every n-th step.  Returns
    ``{"run_id", "diagnosis", "monitor", "plots", "report", "verified", "bias_variance"}``."""
    from .. import random as _random
    from ..diagnose import checkup
    from ..runs import RunLogger, as_db
    from ..train import Trainer
    if epochs is not None:
        config = {**config, "training": {**config["training"], "epochs": epochs}}
    experiment = _experiment(config)
    data, seed = experiment.data, config["training"]["seed"]
    _random.manual_seed(seed)
    model, loss_fn, optimizer, callbacks = experiment.build()
    n_params = sum(p._data.size for p in model.parameters())
    echo(f"data   {data.describe()}")
    echo(f"model  {len(config['model']['layers'])} layers, {n_params:,} parameters; "
         f"{type(loss_fn).__name__}; {config['optimizer']['type']}"
         f"(lr={optimizer.param_groups[0]['lr']:g})")
    fit_kwargs = experiment.fit_kwargs()
    logger = RunLogger(db, name=config.get("name"), config=config, seed=seed, kind="lab")
    with logger:
        echo(f"run    {logger.run_id} (recorded in {logger.db.path})")
        diagnosis = checkup(model, loss_fn, optimizer, data.train, data.val,
                            epochs=fit_kwargs["epochs"], batch_size=fit_kwargs["batch_size"],
                            shuffle=fit_kwargs["shuffle"], seed=seed,
                            callbacks=list(callbacks) + [_run_only([logger] + progress_callbacks(
                                progress))],
                            metrics=experiment.metrics, monitor_every=every_n_steps)
        final = {"findings": diagnosis.kinds, "healthy": diagnosis.healthy}
        if data.test is not None:
            scores = Trainer(model, loss_fn, optimizer, metrics=experiment.metrics,
                             verbose=0).evaluate(data.test, batch_size=experiment.batch_size)
            final.update({f"test_{k}": float(v) for k, v in scores.items()})
        logger.finish(final)
    run = {"run_id": logger.run_id, "metrics": dict(logger.final_metrics)}
    echo("")
    echo(str(diagnosis))
    verdict = _bias_variance(run, echo)
    verified = []
    if verify and not diagnosis.healthy:
        echo("")
        echo(f"verify the top {top} remedies of \"{diagnosis.top.title}\" over {seeds} "
             f"seed{'s' if seeds != 1 else ''}: controlled reruns, only the remedy changed")
        verified = diagnosis.verify(seeds=seeds, top=top)
        if verified:
            echo(str(verified) if type(verified) is not list else "\n".join(map(str, verified)))
        else:
            echo("verify none of its remedies is one tidu can apply itself")
        as_db(db).update_run(run["run_id"], metrics={
            "verified": [{"key": v.key, "improved": bool(v.improved)} for v in verified]})
    plots, report = [], None
    if out_dir is not None:
        from ..diagnose.report import write_report
        plots = _save_plots(diagnosis.monitor, out_dir)
        report = write_report(diagnosis, os.path.join(out_dir, "diagnosis.html"),
                              title=f"tidu diagnosis: {config.get('name') or 'run'} "
                                    f"(run {run['run_id']})")
        for p in plots:
            echo(f"plot   {p}")
        echo(f"report {report}")
    return {"run_id": run["run_id"], "diagnosis": diagnosis, "monitor": diagnosis.monitor,
            "plots": plots, "report": report, "verified": verified, "bias_variance": verdict}


def _bias_variance(run, echo):
    """The notes' recipe on the final train/validation errors (classification: 1 −
    accuracy), when both are known."""
    m = run["metrics"]
    if "accuracy" in m and "val_accuracy" in m:
        train_error, val_error = 1 - m["accuracy"], 1 - m["val_accuracy"]
    else:
        return None
    from ..diagnose import bias_variance_recipe
    verdict = bias_variance_recipe(train_error, val_error)
    echo("")
    echo(str(verdict))
    return verdict


def _save_plots(monitor, out_dir) -> list:
    """The gradient-flow heat map and the activation histograms, as PNG files."""
    from .. import diagnose as D
    os.makedirs(out_dir, exist_ok=True)
    saved = []
    for name, plot in (("gradient_flow.png", D.plot_gradient_flow),
                       ("activation_histograms.png", D.plot_activation_histograms)):
        path = os.path.join(out_dir, name)
        plot(monitor).savefig(path, dpi=100)
        saved.append(path)
    return saved
