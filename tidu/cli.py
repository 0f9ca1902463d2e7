"""The `tidu` command line.

    tidu train CONFIG.toml [--db PATH] [--epochs N] [--set KEY=VALUE …] [--resume [RUN_ID]]
    tidu search CONFIG.toml [--scheduler ADDRESS] [--workers N] [--resume [SEARCH_ID]]
    tidu diagnose CONFIG.toml [--epochs N] [--out DIR] [--verify/--no-verify] [--seeds N]
    tidu diagnose --benchmark [--half A|B] [--no-verify] [--seeds N]
    tidu runs list | show ID | compare ID ID… | export ID --csv [PATH]
    tidu demo
    tidu bench [WORKLOADS…] [--pairs N] [--warmup N] [--threads N] [--out FILE.md] [--quick]

A config is a TOML file (see ``examples/*.toml`` and `tidu.cli_config`); a bad one gets
one line naming the key, the bad value and what is allowed, and exit status 2.  Every
run is recorded in the run database (``--db``, ``$TIDU_RUNS_DB``, default
``./tidu-runs.db``).

SIGTERM is handled as Ctrl-C: the run (a search's trials in flight too) is recorded as
killed, worker processes are ended and the database is closed before the exit (status
143; 1 for Ctrl-C).  Output paths (``--save``, ``--out``) are checked before any work.
"""
from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_CONFIG = 2
EXIT_FAILED = 1


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered as an interrupt so that Ctrl-C's path runs (runs marked killed,
    workers ended, database closed)."""


@contextlib.contextmanager
def sigterm_as_interrupt():
    """While the block runs, SIGTERM raises `Terminated` (a KeyboardInterrupt) in the main
    thread — Python delivers signals there, between bytecodes — so ``kill PID``, a job
    scheduler or a container stop end a command as Ctrl-C does.  The handler restores
    the default at once: a second SIGTERM during the clean-up ends the process outright
    (the search's workers still die with it, see `tidu.tune.executor`).  Outside the main
    thread (a command invoked from a thread) nothing is installed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated(f"received {signal.Signals(signum).name}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class CleanError(click.ClickException):
    """An error printed as one line (``Error: …``), no traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED):
        super().__init__(message)
        self.exit_code = exit_code


def _clean_errors(fn):
    """Config errors and failures of the work become one-line messages; ``--traceback``
    (or ``TIDU_TRACEBACK=1``) shows the full traceback instead."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .cli_config import ConfigError
        ctx = click.get_current_context()
        verbose_errors = (ctx.find_root().params.get("traceback")
                          or os.environ.get("TIDU_TRACEBACK") == "1")
        try:
            with sigterm_as_interrupt():
                return fn(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ConfigError as exc:
            if verbose_errors:
                raise
            if exc.source is None and kwargs.get("config_path"):
                exc = exc.with_source(kwargs["config_path"])
            raise CleanError(f"bad config: {exc}", EXIT_CONFIG) from None
        except Terminated:
            raise CleanError("terminated by SIGTERM (the run is recorded as killed)",
                             128 + signal.SIGTERM) from None
        except KeyboardInterrupt:
            raise CleanError("interrupted (the run is recorded as killed)") from None
        except Exception as exc:  # noqa: BLE001 — the command line reports, never dumps
            if verbose_errors:
                raise
            raise CleanError(f"{type(exc).__name__}: {exc}  (run with `tidu --traceback …` "
                             f"for the traceback)") from None
    return wrapper


def _db_option(fn):
    return click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
                        envvar="TIDU_RUNS_DB", show_envvar=True,
                        help="Run database (default ./tidu-runs.db).")(fn)


def _config_options(fn):
    fn = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                      help="Override a config key, e.g. --set optimizer.lr=0.01 "
                           "(repeatable; values are read as TOML).")(fn)
    fn = click.argument("config_path", metavar="CONFIG.toml",
                        type=click.Path(exists=True, dir_okay=False))(fn)
    return fn


def _file_destination(ctx, param, value):
    """Click callback of an output-file option: its folder must exist and be writable now,
    before the work whose result it receives (not after an hour of training, with an
    error naming a temporary file)."""
    if value is None or value == "-":
        return value
    folder = os.path.dirname(os.path.abspath(value))
    if not os.path.isdir(folder):
        raise click.BadParameter(f"the folder {folder!r} of {value!r} does not exist; create "
                                 f"it first", ctx=ctx, param=param)
    if not os.access(folder, os.W_OK):
        raise click.BadParameter(f"cannot write in the folder {folder!r} of {value!r}",
                                 ctx=ctx, param=param)
    return value


def _folder_destination(ctx, param, value):
    """Click callback of an output-folder option (created when missing): the path must not
    be a file, and its nearest existing ancestor a folder we may write in."""
    if value is None:
        return value
    path = os.path.abspath(value)
    if os.path.isdir(path):
        if not os.access(path, os.W_OK):
            raise click.BadParameter(f"cannot write in the folder {value!r}", ctx=ctx,
                                     param=param)
        return value
    ancestor = os.path.dirname(path)
    while not os.path.exists(ancestor) and os.path.dirname(ancestor) != ancestor:
        ancestor = os.path.dirname(ancestor)
    if not os.path.isdir(ancestor) or not os.access(ancestor, os.W_OK):
        raise click.BadParameter(f"cannot create the folder {value!r}: {ancestor!r} is not a "
                                 f"folder we may write in", ctx=ctx, param=param)
    return value


def _progress_option(fn):
    return click.option("--progress", type=click.Choice(["auto", "bar", "lines", "none"]),
                        default="auto", show_default=True,
                        help="Progress display: a bar on a terminal, one line per epoch or "
                             "trial otherwise.")(fn)


def _load(config_path, overrides, epochs=None, seed=None, name=None):
    from .cli_config import load_config
    overrides = list(overrides)
    if epochs is not None:
        overrides.append(("training.epochs", epochs))
    if seed is not None:
        overrides.append(("training.seed", seed))
    config = load_config(config_path, overrides)
    if name is not None:
        config["name"] = name
    return config


def _db(db_path):
    from .runs import RunDB
    return RunDB(db_path)


# --------------------------------------------------------------------------- the group
@click.group(context_settings=CONTEXT)
@click.version_option(package_name="tidu")
@click.option("--traceback", is_flag=True, help="Show the full traceback of an error.")
def main(traceback):
    """tidu (梯度): a deep-learning workbench on NumPy.

    Train, search and diagnose models described by a TOML config, and browse the runs
    recorded in the run database.  `tidu COMMAND --help` for each command.
    """


@main.command(context_settings=CONTEXT)
@click.option("--epochs", default=30, show_default=True, help="Passes over the training set.")
@click.option("--seed", default=0, show_default=True, help="Random seed.")
def demo(epochs, seed):
    """Train a small MLP on scikit-learn's bundled digits and print the test accuracy."""
    from .demo import run_digits_mlp

    result = run_digits_mlp(epochs=epochs, seed=seed, log=click.echo)
    click.echo(f"test accuracy: {result['test_accuracy']:.4f} "
               f"({result['n_test']} held-out digits, {result['seconds']:.1f} s)")


# --------------------------------------------------------------------------- bench
@main.command(context_settings=CONTEXT)
@click.argument("workloads", nargs=-1, metavar="[WORKLOADS]...")
@click.option("--pairs", type=click.IntRange(min=1), default=None,
              help="Timed tidu/PyTorch epoch pairs per workload (default 7; --quick: 2).")
@click.option("--warmup", type=click.IntRange(min=0), default=None,
              help="Untimed pairs first (default 1).")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Threads for both libraries (default: all cores).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              callback=_file_destination,
              help="Also write the report as markdown to this file.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="Train on the CPU or on a CUDA GPU (tidu on CuPy).")
@click.option("--quick", is_flag=True, help="Tiny epochs and 2 pairs: a smoke test (seconds).")
@click.option("--scaling", "scaling_names", default=None, metavar="WORKLOAD[,WORKLOAD…]",
              help="Also measure how time and peak memory grow with the batch size (and, "
                   "for MLPs, the hidden width) for these workloads; with --out, a "
                   "'Scaling' section and a PNG figure beside the report.")
@click.option("--scaling-batches", default=None, metavar="B[,B…]",
              help="Batch sizes of --scaling, same samples per epoch (default "
                   "32,64,128,256,512; --quick: 32,64).")
@click.option("--scaling-widths", default=None, metavar="W[,W…]",
              help="Hidden widths of --scaling, MLP workloads only (default "
                   "256,512,1024,2048; --quick: 256,512).")
@_clean_errors
def bench(workloads, pairs, warmup, threads, out_path, device, quick, scaling_names,
          scaling_batches, scaling_widths):
    """Train the same models in tidu and PyTorch, interleaved, and compare them.

    Per workload (all by default: mlp mlp1024 cnn lstm mlp_bn_dropout resmlp20 resnet8
    gru2 mlp2048): median seconds per epoch of each library, their ratio with the per-pair
    min and max, peak memory of one epoch, the share of the machine's matmul peak (MLPs)
    and the last-batch losses; then the targets.  Same data, same initial weights, same
    threads.  With --scaling, the named workloads are also measured at every batch size
    and (MLPs) width, 3 timed pairs a point unless --pairs is given.
    Needs PyTorch (pip install 'tidu[dev]').
    """
    from .bench import BenchError, console, make_settings, markdown, run
    from .bench import scaling as sc
    try:
        settings = make_settings(workloads, pairs, warmup, threads, device, quick)
        scaling = None if scaling_names is None else sc.make_scaling_settings(
            scaling_names,
            None if scaling_batches is None else sc.parse_sizes(scaling_batches,
                                                                "--scaling-batches"),
            None if scaling_widths is None else sc.parse_sizes(scaling_widths,
                                                               "--scaling-widths"),
            quick=quick)
    except BenchError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        result = run(settings, log=click.echo)
        scaled = None if scaling is None else sc.run_scaling(
            settings, scaling, pairs_given=pairs is not None, log=click.echo)
    except BenchError as exc:
        raise CleanError(str(exc)) from None
    click.echo("")
    click.echo(console(result))
    if scaled is not None:
        click.echo("")
        click.echo(sc.console_scaling(scaled))
    if out_path:
        options = {"pairs": pairs, "warmup": warmup, "threads": threads, "out": out_path,
                   "device": None if device == "cpu" else device, "scaling": scaling_names}
        if scaling is not None:
            options.update({"scaling-batches": scaling_batches,
                            "scaling-widths": scaling_widths})  # None: the defaults
        command = " ".join(["tidu bench", *workloads, *["--quick"] * quick,
                            *(f"--{k} {v}" for k, v in options.items() if v is not None)])
        text = markdown(result, command=command)
        if scaled is not None:
            figure = sc.plot(scaled, sc.figure_path(out_path))
            each = sc.point_settings(settings, pairs is not None)
            text += "\n" + sc.markdown_scaling(scaled, figure.name, each.pairs, each.warmup)
            click.echo(f"wrote {figure}")
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(text)
        click.echo(f"wrote {out_path}")


# --------------------------------------------------------------------------- train
@main.command(context_settings=CONTEXT)
@_config_options
@_db_option
@click.option("--epochs", type=click.IntRange(min=0), default=None,
              help="Override training.epochs.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Override training.seed.")
@click.option("--name", default=None, help="Name of the run (default: the config's name).")
@click.option("--save", type=click.Path(dir_okay=False), default=None,
              callback=_file_destination,
              help="Save the trained model's state_dict to this .npz file.")
@click.option("--resume", "resume", is_flag=False, flag_value="last", default=None,
              metavar="[RUN_ID]",
              help="Continue an interrupted run (killed or failed) from its last checkpoint, "
                   "as the same run: RUN_ID, or the latest one of this config.  Put it after "
                   "CONFIG.toml.")
@click.option("--checkpoint-every", "checkpoint_every", type=click.IntRange(min=1),
              default=None, metavar="STEPS",
              help="Also checkpoint every STEPS optimizer steps (always: every epoch).")
@_progress_option
@_clean_errors
def train(config_path, overrides, db_path, epochs, seed, name, save, resume, checkpoint_every,
          progress):
    """Train the model of CONFIG.toml and record the run.

    Trains on the training split (the validation split gives the per-epoch val_* values
    and drives early stopping), then scores the test split.  The run — config, seed,
    package versions, per-epoch and final metrics, status, timings — goes to the run
    database.  Its training state is checkpointed every epoch beside the database (and
    removed when the run finishes), so a run that was killed continues with --resume,
    ending bit-identical to an uninterrupted run.
    """
    from .cli_config.commands import find_resumable, format_metrics, train_config
    config = _load(config_path, overrides, epochs, seed, name)
    with _db(db_path) as db:
        resume_run = None
        if resume is not None:
            try:
                resume_run = find_resumable(db, config, _resume_id(resume))
            except ValueError as exc:
                raise CleanError(str(exc)) from None
        result = train_config(config, db, echo=click.echo, progress=progress, save=save,
                              checkpoint=True, checkpoint_every=checkpoint_every,
                              resume_run=resume_run)
    click.echo(f"done   run {result['run_id']}: {format_metrics(result['metrics'])}")


def _resume_id(value: str):
    """``--resume``'s value: None (the latest interrupted run of the config) or a run id."""
    if value == "last":
        return None
    try:
        run_id = int(value)
    except ValueError:
        raise click.BadParameter(f"expected a run id, got {value!r} (put --resume after "
                                 f"CONFIG.toml)", param_hint="'--resume'") from None
    if run_id < 1:
        raise click.BadParameter(f"expected a run id ≥ 1, got {run_id}",
                                 param_hint="'--resume'")
    return run_id


# --------------------------------------------------------------------------- search
@main.command(context_settings=CONTEXT)
@_config_options
@_db_option
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: search.workers, 1 = in this process).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run the trials on this Dask scheduler (e.g. tcp://10.0.0.5:8786).")
@click.option("--trials", type=click.IntRange(min=1), default=None,
              help="Override search.trials.")
@click.option("--epochs", type=click.IntRange(min=0), default=None,
              help="Override training.epochs (of every trial).")
@click.option("--refit/--no-refit", default=None,
              help="Train the best config afterwards and score the test split "
                   "(default: search.refit).")
@click.option("--resume", "resume", is_flag=False, flag_value="last", default=None,
              metavar="[SEARCH_ID]",
              help="Continue an interrupted search (killed or failed): SEARCH_ID, or the "
                   "latest one of this config; its ended trials are kept, not rerun.  Put it "
                   "after CONFIG.toml.")
@_progress_option
@_clean_errors
def search(config_path, overrides, db_path, workers, scheduler, trials, epochs, refit, resume,
           progress):
    """Search the hyper-parameters of CONFIG.toml's [search] space.

    Each trial trains the config with one point of the space and is scored by hold-out
    on the validation split or by k-fold (search.cv).  search.strategy: random, grid,
    coarse_to_fine, tpe, hyperband, successive_halving or asha; search.pruner: median or
    diagnosis; search.repeats: seeds per configuration.  Trials run in this process
    (--workers 1), on local processes, or on a Dask cluster (--scheduler).  The search
    and every trial are recorded; a failed trial is recorded with its error and the
    search goes on.
    """
    from .cli_config.commands import find_resumable_search, search_config
    overrides = list(overrides)
    if trials is not None:
        overrides.append(("search.trials", trials))
    config = _load(config_path, overrides, epochs)
    with _db(db_path) as db:  # closed cleanly on an interrupt (Ctrl-C, SIGTERM) too
        resume_run = None
        if resume is not None:
            try:
                resume_run = find_resumable_search(db, config, _resume_id(resume))
            except ValueError as exc:
                raise CleanError(str(exc)) from None
        search_config(config, db, echo=click.echo, workers=workers, scheduler=scheduler,
                      progress=progress, refit=refit, resume_run=resume_run)


# --------------------------------------------------------------------------- diagnose
@main.command(context_settings=CONTEXT)
@click.argument("config_path", metavar="[CONFIG.toml]", required=False,
                type=click.Path(exists=True, dir_okay=False))
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a config key, e.g. --set optimizer.lr=0.01 "
                   "(repeatable; values are read as TOML).")
@_db_option
@click.option("--epochs", type=click.IntRange(min=1), default=None,
              help="Epochs of the diagnostic training (default: training.epochs, at most 3).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              callback=_folder_destination,
              help="Write the report diagnosis.html (one self-contained page) and the plots "
                   "(gradient norms per layer and step, activation histograms) in this folder.")
@click.option("--every", "every_n_steps", type=click.IntRange(min=1), default=1,
              show_default=True, help="Record the gradients every N steps.")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Rerun the training with each top remedy applied and measure its effect.")
@click.option("--seeds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Seeds of each verification rerun.")
@click.option("--top", type=click.IntRange(min=1), default=3, show_default=True,
              help="Remedies of the top finding to verify.")
@click.option("--benchmark", is_flag=True,
              help="Run the planted-bug benchmark of the diagnosis instead of a config.")
@click.option("--half", type=click.Choice(["A", "B"]), default=None,
              help="With --benchmark: only this half of the cases (default: both).")
@_progress_option
@_clean_errors
def diagnose(config_path, overrides, db_path, epochs, out_dir, every_n_steps, verify, seeds,
             top, benchmark, half, progress):
    """Run a checkup of CONFIG.toml's model: train it briefly with every instrument attached
    and diagnose the whole run.

    The findings — gradient flow (vanishing, exploding, saturation, dead ReLUs, NaN/Inf,
    stale gradients), the loss curves (learning rate too high or too low, over- and
    underfitting) and the data (unscaled inputs) — are printed most important first with
    their remedies ranked for this model, followed by the bias/variance reading of the train
    and validation errors.  With --verify (the default) the top remedies are rerun, controlled
    (same data order and seeds, only the remedy changed), and their measured effects printed.

    `tidu diagnose --benchmark [--half A|B]` needs no config: it runs the seeded planted-bug
    cases and prints per case the planted problem, the findings and the top remedy's effect,
    and the totals, as markdown.
    """
    if benchmark:
        given = [name for name, value in (("CONFIG.toml", config_path), ("--set", overrides),
                                          ("--epochs", epochs), ("--out", out_dir),
                                          ("--every", every_n_steps != 1)) if value]
        if given:
            raise click.UsageError(f"--benchmark runs its own cases; drop {', '.join(given)}")
        from .diagnose.benchmark import run_benchmark
        result = run_benchmark(half=half, verify=verify, seeds=seeds, echo=click.echo)
        click.echo("")
        click.echo(result.to_markdown())
        return
    if config_path is None:
        raise click.UsageError("missing CONFIG.toml (or --benchmark)")
    if half is not None:
        raise click.UsageError("--half chooses a half of the benchmark; use it with --benchmark")
    from .cli_config.commands import diagnose_config
    config = _load(config_path, overrides)
    if epochs is None:
        epochs = max(1, min(config["training"]["epochs"], 3))
    with _db(db_path) as db:
        diagnose_config(config, db, echo=click.echo, epochs=epochs, out_dir=out_dir,
                        progress=progress, every_n_steps=every_n_steps, verify=verify,
                        seeds=seeds, top=top)


# --------------------------------------------------------------------------- runs
@main.group(context_settings=CONTEXT)
def runs():
    """Browse the run database: list, show, compare, export."""


def _get(db, run_id):
    run = db.get_run(run_id)
    if run is None:
        raise CleanError(f"no run with id {run_id} in {db.path}")
    return run


def _existing_db(db_path):
    from .runs import default_db_path
    path = db_path or default_db_path()
    if not os.path.exists(path):
        raise CleanError(f"no run database at {path} (train something first, or pass --db)")
    return _db(path)


@runs.command("list", context_settings=CONTEXT)
@_db_option
@click.option("--kind", type=click.Choice(["train", "trial", "search", "lab"]), default=None,
              help="Only runs of this kind.")
@click.option("--status", type=click.Choice(["running", "finished", "failed", "killed"]),
              default=None, help="Only runs with this status.")
@click.option("--parent", type=int, default=None, help="Only the child runs of this search.")
@click.option("--all", "show_all", is_flag=True,
              help="Also list trials (hidden by default: see them with `runs show SEARCH_ID`).")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=30, show_default=True,
              help="How many runs, newest first.")
@_clean_errors
def runs_list(db_path, kind, status, parent, show_all, limit):
    """List the runs, newest first.

    Runs of this machine whose process has died without ending them are first marked
    "killed"; a run still shown as "running?" has not finished (its process is alive, or
    on another machine).
    """
    from .runs.report import runs_table
    import sqlite3
    db = _existing_db(db_path)
    try:
        db.mark_stale_runs()
    except sqlite3.OperationalError:  # a read-only database: list it as it is
        pass
    rows = db.runs(kind=kind, status=status, parent_id=parent,
                   limit=None if (not show_all and kind is None and parent is None) else limit)
    if not show_all and kind is None and parent is None:
        rows = [r for r in rows if r.kind != "trial"][:limit]
    click.echo(runs_table(rows))


@runs.command("show", context_settings=CONTEXT)
@click.argument("run_id", type=int)
@_db_option
@click.option("--no-epochs", is_flag=True, help="Leave out the per-epoch metrics.")
@click.option("--no-config", is_flag=True, help="Leave out the config.")
@_clean_errors
def runs_show(run_id, db_path, no_epochs, no_config):
    """Show everything recorded about run RUN_ID: status, timings, versions, final and
    per-epoch metrics, child runs (a search's trials), config."""
    from .runs.report import show_run
    db = _existing_db(db_path)
    click.echo(show_run(db, _get(db, run_id), epochs=not no_epochs, config=not no_config))


@runs.command("compare", context_settings=CONTEXT)
@click.argument("run_ids", type=int, nargs=-1, required=True)
@_db_option
@click.option("--all-config", is_flag=True, help="Show every config key, not only those "
                                                  "that differ.")
@_clean_errors
def runs_compare(run_ids, db_path, all_config):
    """Compare runs side by side: status, timings, final metrics, config differences."""
    from .runs.report import compare_runs
    if len(run_ids) < 2:
        raise click.UsageError("give at least two run ids to compare")
    db = _existing_db(db_path)
    click.echo(compare_runs([_get(db, i) for i in run_ids], all_config=all_config))


@runs.command("export", context_settings=CONTEXT)
@click.argument("run_id", type=int)
@_db_option
@click.option("--csv", "csv_path", is_flag=False, flag_value="-", default=None,
              callback=_file_destination,
              metavar="[PATH]", help="Per-epoch metrics as CSV (a search: one row per trial) "
                                     "to PATH, or to standard output.")
@click.option("--json", "json_path", is_flag=False, flag_value="-", default=None,
              callback=_file_destination,
              metavar="[PATH]", help="The whole run as JSON to PATH, or to standard output.")
@_clean_errors
def runs_export(run_id, db_path, csv_path, json_path):
    """Export run RUN_ID: --csv [PATH] or --json [PATH] (no PATH: standard output)."""
    from .runs.report import export_csv, export_json
    if csv_path is None and json_path is None:
        raise click.UsageError("choose a format: --csv [PATH] or --json [PATH]")
    db = _existing_db(db_path)
    run = _get(db, run_id)
    if csv_path is not None:
        if csv_path == "-":
            export_csv(db, run, sys.stdout)
        else:
            with open(csv_path, "w", newline="", encoding="utf-8") as f:
                n = export_csv(db, run, f)
            click.echo(f"wrote {n} rows to {csv_path}", err=True)
    if json_path is not None:
        text = export_json(db, run)
        if json_path == "-":
            click.echo(text)
        else:
            with open(json_path, "w", encoding="utf-8") as f:
                f.write(text)
            click.echo(f"wrote {json_path}", err=True)


# --------------------------------------------------------------------------- the lab
@main.command(context_settings=CONTEXT)
@click.argument("ids", nargs=-1, metavar="[IDS]...")
@click.option("--full", is_flag=True, help="Larger setups (minutes) instead of quick mode (seconds).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="reports/lab",
              show_default=True, callback=_folder_destination, help="Folder of the report (index.html).")
@click.option("--list", "list_only", is_flag=True, help="List the experiments and their claims.")
@_db_option
@click.option("--no-db", is_flag=True, help="Record nothing in the run database.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Experiments run at once (default: one per core, at most 2).")
@_clean_errors
def lab(ids, full, out_dir, list_only, db_path, no_db, jobs):
    """Run the notes' claims as experiments (all, or IDS such as E1 E12) and write a report
    with each verdict, its numbers and figures."""
    from .lab import all_experiments, get, run_lab

    if list_only:
        for exp in (get(ids) if ids else all_experiments()):
            click.echo(f"{exp.id:>4}  {exp.title}\n      {exp.claim_en}\n      {exp.claim_zh}")
        return
    results, path = run_lab(list(ids) or None, full=full, out=out_dir,
                            db=False if no_db else db_path, log=click.echo,
                            progress=sys.stderr.isatty(), jobs=jobs)
    counts = {s: sum(r.outcome.status == s for r in results) for s in ("held", "mixed", "not held")}
    expected = sum(r.as_expected for r in results)
    click.echo(f"{counts['held']} of {len(results)} claims held, {counts['mixed']} mixed, "
               f"{counts['not held']} not held in their setup ({expected} as expected); "
               f"report: {os.path.abspath(path)}")


@main.command(context_settings=CONTEXT)
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any address that is not loopback requires a token, "
                   "printed once in the URL.")
@_db_option
@click.option("--lab-report", type=click.Path(dir_okay=False), default="reports/lab/index.html",
              show_default=True, help="The `tidu lab` report the lab page links to.")
@_clean_errors
def ui(port, host, db_path, lab_report):
    """Start the web page: a playground with every knob of the notes (trained live, with the
    diagnosis and its remedies), the run database (runs, charts, overlays, search trials) and
    the lab (verdicts, reports, run an experiment)."""
    from .ui.launch import serve

    try:
        serve(host=host, port=port, db=db_path, lab_report=lab_report, log=click.echo)
    except OSError as err:  # the port is taken, or the address is not this machine's
        raise CleanError(str(err)) from None


if __name__ == "__main__":  # pragma: no cover
    main()
