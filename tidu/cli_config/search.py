"""The ``[search]`` section: a space of config keys, a strategy, a budget, a score.

::

    [search]
    strategy = "random"        # "grid", "random", "coarse_to_fine", "tpe", or over epochs:
                               #   "hyperband", "successive_halving", "asha"
    trials = 20                # random, tpe, successive_halving, asha: trials (configurations);
                               #   coarse_to_fine: trials per round; grid, hyperband: unused
    repeats = 1                # seeds per configuration (≥ 2: the winner with its interval)
    rounds = 3                 # coarse_to_fine only
    grid_points = 3            # grid only: values per numeric axis
    cv = 0                     # 0: hold-out on the validation split; k ≥ 2: k-fold (train + val)
    metric = "val_loss"        # what ranks the trials (val_loss, val_accuracy, …)
    seed = 0
    workers = 1                # local processes (the CLI's --workers overrides)
    refit = true               # train the best config afterwards and score it on the test split
    pruner = "none"            # random, tpe, grid, coarse_to_fine: "none", "median",
                               #   "percentile", "diagnosis", or {median = {n_startup_trials = 3}}
    max_epochs = 27            # hyperband, successive_halving, asha only (default training.epochs)
    min_epochs = 1             #   the first rung's epochs
    eta = 3                    #   the top 1/eta of a rung go on to eta times the epochs

    [search.space]
    lr = {loguniform = [1e-4, 1e-1]}                 # bare names: optimizer, training or
    batch_size = [16, 32, 64]                        #   regularization keys
    "model.layers[0].out_features" = {randint = [16, 128]}   # any key, by its dotted path
    "optimizer.momentum" = {uniform = [0.8, 0.99]}

Over epochs (hold-out only, ``cv = 0``): ``successive_halving`` trains ``trials``
configurations ``min_epochs`` epochs and lets the best 1/η go on to η times as many epochs,
up to ``max_epochs`` (Jamieson & Talwalkar 2016); ``hyperband`` runs brackets of successive
halving that start at different epochs (Li et al., JMLR 2018); ``asha`` promotes whenever a
worker is free (Li et al., MLSys 2020) — `tidu.tune.halving` and `tidu.tune.asha`.  A
promoted trial continues from its checkpoint; each trial is recorded once per rung it
reached, with its ``rung``, ``epochs`` and ``bracket``.  These searches stop trials
themselves: ``pruner`` is refused with them, and so is ``repeats > 1``; ``--resume``
continues them from their checkpoints (kept in a folder beside the run database, recorded in
the search run's config and removed when the search ends).

``pruner`` (hold-out only) stops a trial after an epoch (`tidu.tune.pruning`):
``"median"`` when its validation score is worse than the median of the earlier trials' at
that epoch, once 5 trials have ended (Golovin et al. 2017, Vizier's median stopping rule);
``"diagnosis"`` when `tidu.diagnose` finds exploding gradients, non-finite values or a dead
network; ``"percentile"`` as ``"median"`` at another percentile.  A one-key table sets the
pruner's arguments, by their `tidu.tune.pruning` names: ``pruner = {median =
{n_startup_trials = 3, n_warmup_epochs = 1}}``, ``pruner = {percentile = {percentile = 25}}``
(required), ``pruner = {diagnosis = {kinds = ["exploding_gradients"], every_n_steps = 5}}``.
A pruned trial is recorded as failed, its error ``"pruned at epoch …"``, and
``"status": "pruned"`` in its config.

A value is a distribution — ``{choice = [...]}`` (or a bare array), ``{uniform = [lo, hi]}``,
``{loguniform = [lo, hi]}``, ``{randint = [lo, hi]}`` (both ends included) — or a constant.
Every key is checked by setting it to its range's ends (and each choice) and validating
the whole config again, so a bad key or range is reported before any trial runs.
"""
from __future__ import annotations

import copy
import inspect
import math
import re

import numpy as np

from .checks import boolean, check_table, integer, one_of, string, table
from .errors import ConfigError, join_path, suggest, type_name

__all__ = ["validate_search", "resolve_path", "set_path", "apply_params", "to_space",
           "ConfigObjective", "make_pruner", "STRATEGIES", "HALVING", "PRUNERS"]

HALVING = ("hyperband", "successive_halving", "asha")
STRATEGIES = ("random", "grid", "coarse_to_fine", "tpe") + HALVING
PRUNERS = ("none", "median", "percentile", "diagnosis")
DISTRIBUTIONS = ("choice", "uniform", "loguniform", "randint")
_KEYS = ("strategy", "trials", "rounds", "grid_points", "cv", "metric", "mode", "seed",
         "workers", "refit", "space", "repeats", "pruner", "max_epochs", "min_epochs", "eta")
_SECTION_SHORTCUTS = ("optimizer", "training", "regularization")

_TOKEN = re.compile(r'\[(-?\d+)\]|\.?([A-Za-z_][\w]*)|\.(\d+)|\.?"([^"]*)"')


def parse_path(path: str) -> list:
    """``"model.layers[0].out_features"`` (or ``model.layers.0.out_features``) → tokens
    ``["model", "layers", 0, "out_features"]``."""
    tokens, pos = [], 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read the key path {path!r} at {path[pos:]!r}")
        index, name, dotted_index, quoted = m.groups()
        if index is not None or dotted_index is not None:
            tokens.append(int(index if index is not None else dotted_index))
        else:
            tokens.append(name if name is not None else quoted)
        pos = m.end()
    return tokens


def resolve_path(key: str, config: dict) -> str:
    """A space key as a full dotted path: a bare name (``lr``) becomes the key of the
    section that takes it (``optimizer.lr``; else ``training.…``, ``regularization.…``)."""
    if "." in key or "[" in key:
        return key
    from .checks import signature_args
    from .schema import _REGULARIZATION_KEYS, _TRAINING_KEYS, optimizer_class
    optimizer_args = signature_args(optimizer_class(config["optimizer"]["type"]),
                                    skip=("params",))
    if key in optimizer_args:
        return f"optimizer.{key}"
    if key in _TRAINING_KEYS:
        return f"training.{key}"
    if key in _REGULARIZATION_KEYS:
        return f"regularization.{key}"
    options = list(optimizer_args) + list(_TRAINING_KEYS) + list(_REGULARIZATION_KEYS)
    guess = suggest(key, options)
    hint = f'did you mean "{guess}"? ' if guess else ""
    raise ConfigError(join_path("search.space", key),
                      f"not a key of [optimizer] ({config['optimizer']['type']}), [training] or "
                      f"[regularization]; {hint}name other keys by their dotted path, e.g. "
                      f'"model.layers[0].out_features"')


def set_path(config: dict, path: str, value) -> dict:
    """A deep copy of ``config`` with the key at ``path`` set to ``value`` (missing tables
    are created; list indices must exist)."""
    out = copy.deepcopy(config)
    tokens = parse_path(path)
    node = out
    for i, token in enumerate(tokens[:-1]):
        where = tokens[:i + 1]
        if isinstance(token, int):
            if not isinstance(node, list) or not -len(node) <= token < len(node):
                raise KeyError(f"{_show_path(where)} does not exist"
                               + (f" (there are {len(node)} items)" if isinstance(node, list)
                                  else ""))
            node = node[token]
        else:
            if not isinstance(node, dict):
                raise KeyError(f"{_show_path(where[:-1])} is not a table")
            node = node.setdefault(token, {})
    last = tokens[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or not -len(node) <= last < len(node):
            raise KeyError(f"{_show_path(tokens)} does not exist")
    elif not isinstance(node, dict):
        raise KeyError(f"{_show_path(tokens[:-1])} is not a table")
    node[last] = value
    return out


def _show_path(tokens) -> str:
    out = ""
    for t in tokens:
        out = join_path(out, t)
    return out


def apply_params(config: dict, params: dict) -> dict:
    """The config (normalized, without ``search``) with each ``params`` path set, validated
    again."""
    from .schema import validate
    out = {k: v for k, v in config.items() if k != "search"}
    for path, value in params.items():
        out = set_path(out, resolve_path(path, out), value)
    return validate(out)


def _distribution(path: str, spec):
    """``(kind, args)`` of a space value; kind None for a constant."""
    if isinstance(spec, list):
        spec = {"choice": spec}
    if not isinstance(spec, dict):
        return None, spec
    if len(spec) != 1 or next(iter(spec)) not in DISTRIBUTIONS:
        keys = ", ".join(spec) or "(empty)"
        guess = suggest(next(iter(spec)), DISTRIBUTIONS) if len(spec) == 1 else None
        hint = f'did you mean "{guess}"? ' if guess else ""
        raise ConfigError(path, f"expected one of {{choice = [...]}}, {{uniform = [lo, hi]}}, "
                                f"{{loguniform = [lo, hi]}}, {{randint = [lo, hi]}}; got a table "
                                f"with {keys}; {hint}".rstrip("; "), spec)
    kind, args = next(iter(spec.items()))
    where = join_path(path, kind)
    if kind == "choice":
        if not isinstance(args, list) or not args:
            raise ConfigError(where, "expected a non-empty array of options", args)
        return kind, list(args)
    if not isinstance(args, list) or len(args) != 2:
        raise ConfigError(where, "expected [low, high]", args)
    lo, hi = args
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ConfigError(where, f"expected two numbers [low, high], got {type_name(v)}",
                              args)
        if not math.isfinite(v):
            raise ConfigError(where, "expected two finite numbers [low, high]", args)
    if kind == "randint" and not all(isinstance(v, int) for v in (lo, hi)):
        raise ConfigError(where, "expected two integers [low, high]", args)
    if not lo < hi:
        raise ConfigError(where, "expected low < high", args)
    if kind == "loguniform" and lo <= 0:
        raise ConfigError(where, "a log-uniform range must be positive (0 < low < high)", args)
    return kind, [lo, hi]


def _probe_values(kind, args) -> list:
    if kind is None:
        return [args]
    if kind == "choice":
        return args
    return args  # both ends


def validate_search(raw, config: dict) -> dict:
    """The normalized ``[search]`` section, checked against ``config`` (normalized, without
    ``search``)."""
    from ..train.metrics import monitor_direction
    path = "search"
    check_table(path, raw, _KEYS)
    out = {"strategy": one_of(join_path(path, "strategy"), raw.get("strategy", "random"),
                              STRATEGIES, "strategy"),
           "trials": integer(join_path(path, "trials"), raw.get("trials", 10), low=1),
           "rounds": integer(join_path(path, "rounds"), raw.get("rounds", 3), low=1),
           "grid_points": integer(join_path(path, "grid_points"), raw.get("grid_points", 3),
                                  low=1),
           "seed": integer(join_path(path, "seed"), raw.get("seed", 0), low=0),
           "repeats": integer(join_path(path, "repeats"), raw.get("repeats", 1), low=1),
           "workers": integer(join_path(path, "workers"), raw.get("workers", 1), low=1),
           "refit": boolean(join_path(path, "refit"), raw.get("refit", True))}
    cv = integer(join_path(path, "cv"), raw.get("cv", 0), low=0)
    if cv == 1:
        raise ConfigError(join_path(path, "cv"), "expected 0 (hold-out on the validation "
                                                 "split) or a number of folds ≥ 2", cv)
    out["cv"] = cv
    _validate_budget(raw, config, out)
    if cv == 0 and config["data"]["val_size"] == 0:
        raise ConfigError("data.val_size", "a hold-out search (search.cv = 0) needs a "
                                           "validation split: set data.val_size > 0 or "
                                           "search.cv ≥ 2", 0)
    metric = string(join_path(path, "metric"), raw.get("metric", "val_loss"))
    if not metric.startswith("val_"):
        metric = "val_" + metric
    mode = raw.get("mode", "auto")
    mode = one_of(join_path(path, "mode"), mode, ("auto", "min", "max"), "mode")
    if mode == "auto":
        mode = monitor_direction(metric)
        if mode is None:
            raise ConfigError(join_path(path, "mode"), f'cannot tell whether {metric} should '
                                                       f'go down or up; set mode = "min" or '
                                                       f'"max"', "auto")
    from .schema import REGRESSION_DATASETS
    metrics = config["training"]["metrics"]
    if metrics == "auto":
        metrics = [] if config["data"]["dataset"] in REGRESSION_DATASETS else ["accuracy"]
    scores = ["val_loss"] + [f"val_{m}" for m in metrics]
    if metric not in scores:
        guess = suggest(metric, scores)
        hint = f'did you mean "{guess}"? ' if guess else ""
        raise ConfigError(join_path(path, "metric"), f"not a score of the trials; {hint}allowed: "
                                                     f"{', '.join(scores)} (training.metrics "
                                                     f"adds more)", raw.get("metric"))
    out["metric"], out["mode"] = metric, mode
    if "space" not in raw:
        raise ConfigError(join_path(path, "space"), 'missing; e.g. [search.space] lr = '
                                                    '{loguniform = [1e-4, 1e-1]}')
    space = table(join_path(path, "space"), raw["space"])
    if not space:
        raise ConfigError(join_path(path, "space"), "is empty; give at least one key to search")
    normalized = {}
    for key, spec in space.items():
        where = join_path(join_path(path, "space"), key)
        kind, args = _distribution(where, spec)
        full = resolve_path(key, config)
        try:
            parse_path(full)
        except ValueError as exc:
            raise ConfigError(where, str(exc)) from None
        for value in _probe_values(kind, args):
            try:
                apply_params(config, {full: value})
            except KeyError as exc:
                raise ConfigError(where, f"no such key in the config: {exc.args[0]}") from None
            except ConfigError as exc:
                raise ConfigError(where, f"the value {value!r} does not work: {exc}",
                                  spec) from None
        normalized[full] = args if kind is None else {kind: args}
    out["space"] = normalized
    return out


def _validate_budget(raw, config: dict, out: dict) -> None:
    """``pruner`` and the halving keys (``max_epochs``, ``min_epochs``, ``eta``) into
    ``out``, checked against the strategy, ``cv`` and ``repeats``."""
    path, strategy = "search", out["strategy"]
    pruner, options = _pruner_spec(join_path(path, "pruner"), raw.get("pruner", "none"))
    halving = strategy in HALVING
    if halving and pruner != "none":
        raise ConfigError(join_path(path, "pruner"), f'not with strategy = "{strategy}": its '
                                                     f'rungs stop trials themselves; use '
                                                     f'"none"', pruner)
    out["pruner"] = pruner
    if options:
        out["pruner_options"] = options
    if not halving:
        for key in ("max_epochs", "min_epochs", "eta"):
            if key in raw:
                raise ConfigError(join_path(path, key), f"only for strategy = "
                                                        f"{' | '.join(map(repr, HALVING))}; "
                                                        f'the strategy is "{strategy}"', raw[key])
    scheme = f'strategy = "{strategy}"' if halving else f'pruner = "{pruner}"'
    if (halving or pruner != "none") and out["cv"] != 0:
        raise ConfigError(join_path(path, "cv"), f"{scheme} needs hold-out scoring (cv = 0): "
                                                 f"one checkpoint and one validation curve per "
                                                 f"trial", out["cv"])
    if not halving:
        return
    if out["repeats"] != 1:
        raise ConfigError(join_path(path, "repeats"), f"{scheme} promotes single trials; use "
                                                      f"repeats = 1", out["repeats"])
    epochs = config["training"]["epochs"]
    where = join_path(path, "max_epochs")
    if "max_epochs" not in raw and epochs < 1:
        raise ConfigError(where, f"defaults to training.epochs, which is {epochs}; set "
                                 f"max_epochs ≥ 1")
    out["max_epochs"] = integer(where, raw.get("max_epochs", epochs), low=1)
    out["min_epochs"] = integer(join_path(path, "min_epochs"), raw.get("min_epochs", 1), low=1)
    if out["min_epochs"] > out["max_epochs"]:
        raise ConfigError(join_path(path, "min_epochs"), f"expected ≤ max_epochs "
                                                         f"({out['max_epochs']})",
                          out["min_epochs"])
    out["eta"] = integer(join_path(path, "eta"), raw.get("eta", 3), low=2)


def _pruner_spec(where: str, value) -> tuple:
    """(kind, options) of ``pruner = "kind"`` or ``pruner = {kind = {arg = value, …}}``,
    the options checked by building the pruner once."""
    if isinstance(value, dict):
        if len(value) != 1:
            raise ConfigError(where, "expected a pruner name or a table with one pruner, e.g. "
                                     "{median = {n_startup_trials = 3}}", value)
        (kind, options), = value.items()
        kind = one_of(where, kind, PRUNERS[1:], "pruner")
        options = table(join_path(where, kind), options)
    else:
        kind, options = one_of(where, value, PRUNERS, "pruner"), {}
    if kind == "percentile" and "percentile" not in options:
        raise ConfigError(where, 'the "percentile" pruner needs its percentile: '
                                 'pruner = {percentile = {percentile = 25}}', value)
    if kind != "none":
        cls = _pruner_classes()[kind]
        accepted = list(inspect.signature(cls).parameters)
        unknown = [k for k in options if k not in accepted]
        if unknown:
            raise ConfigError(join_path(join_path(where, kind), unknown[0]), f"not an argument of the {kind} "
                                                                  f"pruner; it takes "
                                                                  f"{', '.join(accepted)}",
                              options[unknown[0]])
        try:
            cls(**options)
        except (TypeError, ValueError) as exc:
            raise ConfigError(join_path(where, kind), str(exc), options) from None
    return kind, dict(options)


def _pruner_classes() -> dict:
    from ..tune.pruning import DiagnosisPruner, MedianPruner, PercentilePruner
    return {"median": MedianPruner, "percentile": PercentilePruner,
            "diagnosis": DiagnosisPruner}


def make_pruner(search: dict):
    """The `tidu.tune` pruner of a normalized ``[search]`` section (None for "none"), built
    with the section's ``pruner_options``."""
    kind = search.get("pruner", "none")
    if kind == "none":
        return None
    return _pruner_classes()[kind](**search.get("pruner_options", {}))


def to_space(search: dict) -> dict:
    """The `tidu.tune` space of a normalized ``[search]`` section."""
    from .. import tune
    space = {}
    for path, spec in search["space"].items():
        if not isinstance(spec, dict):
            space[path] = spec
            continue
        kind, args = next(iter(spec.items()))
        if kind == "choice":
            space[path] = tune.choice(args)
        else:
            space[path] = getattr(tune, kind)(*args)
    return space


class ConfigObjective:
    """A `tidu.tune` objective over config keys: ``objective(params, seed=None)`` sets the
    params (paths → values) in the config, validates it, builds the model and scores it —
    hold-out on the config's own train/validation split (``cv=0``), or k-fold over train +
    validation — and returns ``{"val_loss": …, "val_<metric>": …}`` (means over the folds;
    ``_std`` too for k ≥ 2).  Its ``metric`` and ``mode`` tell the search what to rank by.

    The data is loaded (and scaled, with the training split's statistics) once, in the
    caller; for k-fold those statistics have seen every fold — a small leak next to
    per-fold scaling, and the same inputs for every trial.  Picklable: it runs on worker
    processes and Dask workers as it is."""

    def __init__(self, config: dict, data=None):
        from .build import load_data
        self.config = {k: v for k, v in config.items() if k != "search"}
        self.search = config["search"]
        data = data if data is not None else load_data(config)
        self.data = data
        self.metric, self.mode = self.search["metric"], self.search["mode"]
        if self.search["cv"] == 0:
            self.X = np.concatenate([data.X_train, data.X_val])
            self.y = np.concatenate([data.y_train, data.y_val])
            n = len(data.X_train)
            self.splits = [(np.arange(n), np.arange(n, len(self.X)))]
        else:
            from ..model_selection import check_cv
            parts = [p for p in (data.train, data.val) if p is not None]
            self.X = np.concatenate([p[0] for p in parts])
            self.y = np.concatenate([p[1] for p in parts])
            splitter = check_cv(self.search["cv"], self.y)
            self.splits = [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(self.X,
                                                                                       self.y)]
        self._check_space()
        scheme = "hold-out" if self.search["cv"] == 0 else f"{self.search['cv']}-fold"
        self.__name__ = f"config objective ({scheme}, {self.metric})"

    def _check_space(self) -> None:
        """Build the model at the ends of every range and at every choice, so that a value
        the data or the other layers cannot take is reported before any trial runs."""
        for path, spec in self.search["space"].items():
            kind, args = (None, spec) if not isinstance(spec, dict) else next(iter(spec.items()))
            where = join_path("search.space", path)
            for value in _probe_values(kind, args):
                try:
                    self.experiment({path: value})
                except ConfigError as exc:
                    raise ConfigError(where, f"the value {value!r} does not work: {exc}",
                                      spec) from None

    def experiment(self, params: dict):
        """The `Experiment` of one trial: the config with ``params`` applied."""
        from .build import Data, Experiment
        config = apply_params(self.config, params)
        d = self.data
        data = Data(d.name, self.X, self.y, None, None, None, None, d.task, d.n_classes,
                    d.sample_shape)
        # the validation fold is passed to fit when a callback monitors it
        return Experiment(config, data, with_validation=True)

    def __call__(self, params: dict, seed: int | None = None, budget: int | None = None,
                 checkpoint=None, pruning=None) -> dict:
        """The trial's scores.  ``budget`` / ``checkpoint`` (the halving searches): train to
        ``budget`` epochs in all (default training.epochs), continuing from the state saved
        at ``checkpoint`` (`tidu.tune.objective.budgeted_fit`, as `ModelObjective`).
        ``pruning`` (a search's ``pruner=``): report each epoch's validation score to this
        `PruningContext`, which may stop the trial.  Both need hold-out scoring."""
        import math

        from ..model_selection import cross_validate
        from ..tune.objective import _listed, _pruning_callbacks
        budgeted = budget is not None or checkpoint is not None
        if (budgeted or pruning is not None) and len(self.splits) != 1:
            what = "budget= / checkpoint=" if budgeted else "pruning="
            raise ValueError(f"ConfigObjective: {what} needs hold-out scoring (search.cv = 0), "
                             f"got search.cv = {self.search['cv']}")
        if budgeted and pruning is not None:
            raise ValueError("ConfigObjective: pruning= cannot be combined with budget= / "
                             "checkpoint= (the halving searches stop trials themselves)")
        experiment = self.experiment(params)
        needs_val = any(getattr(cb, "monitor", "").startswith("val_")
                        for cb in experiment.build()[3])
        metrics = experiment.metrics
        if budgeted:
            from ..train.metrics import resolve_metrics
            from ..tune.objective import budgeted_fit
            scores = budgeted_fit(experiment, None, self.X, self.y, self.splits[0], seed=seed,
                                  budget=self.config["training"]["epochs"] if budget is None
                                  else budget, checkpoint=checkpoint,
                                  fit_kwargs=experiment.fit_kwargs(),
                                  metrics=resolve_metrics(metrics), owner="ConfigObjective",
                                  validate_each_epoch=needs_val)
            return self._scores({f"val_{k}": v for k, v in scores.items()})
        fit_kwargs = experiment.fit_kwargs()
        if pruning is not None:
            fit_kwargs["callbacks"] = _listed(fit_kwargs.get("callbacks")) + \
                _pruning_callbacks(pruning, self.metric[len("val_"):])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # a diverging trial is reported as such below, not as a stream of warnings
            result = cross_validate(experiment, self.X, self.y, cv=self.splits,
                                    fit_kwargs=fit_kwargs, metrics=metrics,
                                    scoring="loss", seed=seed,
                                    validate_each_epoch=needs_val or pruning is not None)
        for fold, history in enumerate(result.histories):
            losses = history.history.get("loss", [])
            if losses and not math.isfinite(losses[-1]):
                raise FloatingPointError(f"diverged: fold {fold}'s training loss ended at "
                                         f"{losses[-1]} after {len(losses)} epochs")
        out = {f"val_{k}": v for k, v in result.mean.items()}
        if len(self.splits) > 1:
            out.update({f"val_{k}_std": v for k, v in result.std.items()})
        return self._scores(out)

    def _scores(self, out: dict) -> dict:
        if self.metric not in out:
            raise KeyError(f"search.metric = {self.metric!r} is not among the scores "
                           f"{sorted(out)}; add its metric to training.metrics")
        return out
