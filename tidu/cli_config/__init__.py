"""Configs of the ``tidu`` command line: one TOML file names the data, the model, the loss,
the optimizer, the schedule, the regularization, the callbacks, the training settings and
the search space (see ``examples/*.toml``).

* `load_config(path, overrides)` — read (stdlib ``tomllib``), apply ``--set key=value``
  overrides, validate: the normalized config (plain data, defaults filled in), or one
  `ConfigError` naming the key (dotted path), the bad value and what is allowed — unknown
  keys with the closest allowed key suggested;
* `Experiment` — the config with its data, building fresh (model, loss, optimizer,
  callbacks) for ``fit`` or cross-validation;
* `ConfigObjective` — a `tidu.tune` objective over the config's keys.
"""
from __future__ import annotations

import os
import tomllib

from .build import Data, Experiment, build_experiment, load_data
from .errors import ConfigError
from .schema import validate
from .search import ConfigObjective, apply_params, set_path, to_space

__all__ = ["load_config", "parse_config", "parse_override", "validate", "ConfigError",
           "Experiment", "Data", "load_data", "build_experiment", "ConfigObjective",
           "apply_params", "set_path", "to_space"]


def parse_override(text: str) -> tuple:
    """``"optimizer.lr=0.01"`` → ``("optimizer.lr", 0.01)``: the value is read as TOML
    (numbers, booleans, strings in quotes, arrays, inline tables), else taken as a bare
    string."""
    if "=" not in text:
        raise ConfigError("--set", "expected KEY=VALUE, e.g. --set optimizer.lr=0.01", text)
    key, value = (part.strip() for part in text.split("=", 1))
    if not key:
        raise ConfigError("--set", "expected KEY=VALUE with a key", text)
    try:
        parsed = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value
    return key, parsed


def parse_config(text: str, source: str | None = None, overrides=()) -> dict:
    """Validate TOML ``text`` (with ``overrides``: (path, value) pairs) — see `load_config`."""
    from .search import resolve_path
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"not valid TOML: {exc}", source=source) from None
    try:
        if any(str(key).startswith("model.layers") for key, _ in overrides) and \
                isinstance(raw.get("model"), dict) and "layers" in raw["model"]:
            from .layers import normalize_layers  # compact layers become tables to set into
            raw["model"]["layers"] = normalize_layers("model.layers", raw["model"]["layers"])
        for key, value in overrides:
            try:
                raw = set_path(raw, key, value)
            except (KeyError, ValueError) as exc:
                raise ConfigError(key, f"cannot set it (--set): {exc.args[0]}", value) from None
        return validate(raw)
    except ConfigError as exc:
        raise exc.with_source(source) if source else exc from None


def load_config(path, overrides=()) -> dict:
    """The normalized config of the TOML file at ``path``; ``overrides`` are ``"key=value"``
    strings or (key, value) pairs applied before validation.  The config's ``name``
    defaults to the file's stem."""
    path = os.fspath(path)
    pairs = [parse_override(o) if isinstance(o, str) else tuple(o) for o in overrides]
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("", "the file is not UTF-8 text", source=path) from None
    config = parse_config(text, source=path, overrides=pairs)
    if config["name"] is None:
        config["name"] = os.path.splitext(os.path.basename(path))[0]
    return config
