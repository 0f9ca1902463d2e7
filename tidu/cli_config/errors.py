"""`ConfigError`: one error for a bad config, naming the key (dotted path), the bad value
and what is allowed."""
from __future__ import annotations

import difflib
import json
import re

from ..errors import TiduError

__all__ = ["ConfigError", "show", "suggest", "unknown_key", "not_one_of", "join_path", "blame"]


def show(value) -> str:
    """A value as it would be written in TOML (strings in double quotes, tables inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {show(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return repr(value)


def type_name(value) -> str:
    """What a TOML value is, in TOML's words."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


def suggest(word: str, options) -> str | None:
    """The closest of ``options`` to ``word`` (case-insensitive), or None."""
    options = list(options)
    lowered = {o.lower(): o for o in options}
    if str(word).lower() in lowered:
        return lowered[str(word).lower()]
    close = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def join_path(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    key = str(key)
    plain = key.replace("_", "").replace("-", "").isalnum()
    part = key if plain else json.dumps(key)
    return f"{path}.{part}" if path else part


def _short_list(options, limit: int = 14) -> str:
    options = [str(o) for o in options]
    if len(options) > limit:
        return ", ".join(options[:limit]) + f", … ({len(options)} in all)"
    return ", ".join(options)


class ConfigError(TiduError, ValueError):
    """A bad config: ``ConfigError(path, message, value=<missing>, source=None)``.

    ``str(error)`` is one line: ``[source: ]path = value: message`` (``path: message`` when
    there is no value to show, e.g. a missing key)."""

    _NO_VALUE = object()

    def __init__(self, path: str, message: str, value=_NO_VALUE, source: str | None = None):
        self.path = path
        self.message = message
        self.value = value
        self.source = source
        super().__init__(self._text())

    def _text(self) -> str:
        where = f"{self.source}: " if self.source else ""
        what = self.path or "(the config)"
        if self.value is not ConfigError._NO_VALUE:
            what += f" = {show(self.value)}"
        return f"{where}{what}: {self.message}"

    def with_source(self, source: str) -> "ConfigError":
        return ConfigError(self.path, self.message, self.value, source)

    def __reduce__(self):
        if self.value is ConfigError._NO_VALUE:
            return (_rebuild, (self.path, self.message, self.source))
        return (ConfigError, (self.path, self.message, self.value, self.source))


def _rebuild(path, message, source):
    return ConfigError(path, message, source=source)


def unknown_key(path: str, key: str, allowed, what: str | None = None) -> ConfigError:
    """The error for a key that is not allowed, with the closest allowed key suggested;
    ``what`` replaces the default "unknown key in [path]"."""
    allowed = sorted(allowed)
    guess = suggest(key, allowed)
    hint = f"did you mean {show(guess)}? " if guess else ""
    if what is None:
        what = f"unknown key in [{path}]" if path else "unknown key at the top level"
    return ConfigError(join_path(path, key), f"{what}; {hint}"
                       f"allowed: {_short_list(allowed) or '(none)'}")


def not_one_of(path: str, value, options, what: str = "value") -> ConfigError:
    """The error for a name that is not among ``options``, with the closest suggested."""
    guess = suggest(value, options) if isinstance(value, str) else None
    hint = f"did you mean {show(guess)}? " if guess else ""
    return ConfigError(path, f"unknown {what}; {hint}allowed: {_short_list(options)}", value)


def blame(path: str, spec: dict, exc: Exception) -> ConfigError:
    """A constructor's error pinned to the key of ``spec`` it names — ``name=`` in its
    message (``SGD: lr must be …, got lr=-1``) or, as `check_number` words it, ``Owner: name
    must …`` — else to ``path`` itself."""
    if isinstance(exc, ConfigError):
        return exc
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for key in spec:
        name = re.escape(str(key))
        if re.search(rf"\b{name}\s*=", text) or re.search(rf"^[\w.]+: {name} must\b", text):
            return ConfigError(join_path(path, key), text, spec[key])
    return ConfigError(path, text)
