"""The model of a config: a list of layers, each a table or a compact string.

::

    [model]
    layers = [
        "Linear(64, 128)",                      # compact: Type(args) with Python/TOML literals
        "ReLU",
        {type = "Dropout", p = 0.2},            # table: type plus the layer's arguments
        {type = "Linear", out_features = 10},   # in_features left out: inferred
    ]

Arguments are the `tidu.nn` constructors' (PyTorch's names).  The input width is inferred
when left out — ``in_features`` of `Linear` and `Maxout`, ``in_channels`` of `Conv2d`,
``num_features`` of `BatchNorm1d` / `BatchNorm2d`, ``normalized_shape`` of `LayerNorm` —
from the data and the layers before (by running one sample through them), so a search may
change a layer's width without touching the next one.  ``{type = "Residual", layers =
[...]}`` wraps a block as x + f(x).
"""
from __future__ import annotations

import ast
import re

from .checks import check_kwargs, signature_args, string
from .errors import ConfigError, blame, join_path, not_one_of, type_name

__all__ = ["layer_types", "normalize_layers", "build_layers", "INFERRED"]

# the argument that receives the incoming width, and how to read it from a sample's shape
INFERRED = {"Linear": ("in_features", lambda s: s[-1]), "Maxout": ("in_features", lambda s: s[-1]),
            "Conv2d": ("in_channels", lambda s: s[0]),
            "BatchNorm1d": ("num_features", lambda s: s[0]),
            "BatchNorm2d": ("num_features", lambda s: s[0]),
            "LayerNorm": ("normalized_shape", lambda s: s[-1])}


def layer_types() -> dict:
    """``{name: class}`` of the layers a config may use (tidu.nn's modules that map a
    tensor to a tensor; the recurrent layers return tuples and are left out)."""
    from ..nn.modules import activation, conv, dropout, linear, normalization, pooling, sparse
    types = {}
    for module in (activation, conv, dropout, normalization, pooling, sparse):
        types.update({name: getattr(module, name) for name in module.__all__})
    types.update(Linear=linear.Linear, Flatten=linear.Flatten, Identity=linear.Identity)
    types["Residual"] = None  # a container, built from its own "layers"
    return types


# numbers a layer argument must keep (besides being finite, as every number of a config)
LAYER_BOUNDS = {"p": {"low": 0, "high": 1}, "eps": {"low": 0}, "momentum": {"low": 0, "high": 1}}

_KERAS_NAMES = {"dense": "Linear", "conv2d": "Conv2d", "maxpooling2d": "MaxPool2d",
                "averagepooling2d": "AvgPool2d", "batchnormalization": "BatchNorm1d",
                "layernormalization": "LayerNorm"}

_COMPACT = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$", re.S)


def _literal(node, path, text):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ConfigError(path, "arguments of a compact layer must be literals (numbers, "
                                "strings, true/false)", text) from None


def parse_compact(path: str, text: str) -> dict:
    """``"Linear(64, 128, bias=False)"`` → ``{"type": "Linear", "args": [64, 128],
    "bias": False}`` (positional arguments bound later, by name)."""
    match = _COMPACT.match(text)
    if not match:
        raise ConfigError(path, 'expected a layer like "ReLU" or "Linear(64, 128)"', text)
    name, inside = match[1], match[2]
    spec = {"type": name}
    if inside and inside.strip():
        source = inside.replace("true", "True").replace("false", "False")
        try:
            call = ast.parse(f"f({source})", mode="eval").body
        except SyntaxError:
            raise ConfigError(path, 'cannot read the arguments; write them as in Python, e.g. '
                                    '"Linear(64, 128, bias=False)"', text) from None
        spec["args"] = [_literal(a, path, text) for a in call.args]
        for kw in call.keywords:
            if kw.arg is None:
                raise ConfigError(path, "**kwargs are not allowed in a layer", text)
            spec[kw.arg] = _literal(kw.value, path, text)
    return spec


def _normalize_one(path: str, item, types: dict) -> dict:
    if isinstance(item, str):
        spec = parse_compact(path, item)
    elif isinstance(item, dict):
        spec = dict(item)
        if "type" not in spec:
            raise ConfigError(path, 'a layer table needs a type, e.g. {type = "Linear", '
                                    'in_features = 64, out_features = 128}', item)
        string(join_path(path, "type"), spec["type"])
    else:
        raise ConfigError(path, f'expected a layer: a string such as "ReLU" or "Linear(64, '
                                f'128)", or a table with a type; got {type_name(item)}', item)
    name = spec.pop("type")
    if name not in types:
        lowered = {t.lower(): t for t in types}
        if name.lower() in lowered:
            name = lowered[name.lower()]
        elif name.lower() in _KERAS_NAMES:
            ours = _KERAS_NAMES[name.lower()]
            raise ConfigError(join_path(path, "type"), f'unknown layer type; did you mean '
                                                       f'"{ours}"? (Keras\'s {name} is tidu\'s '
                                                       f'{ours}, with PyTorch\'s arguments)', name)
        else:
            raise not_one_of(join_path(path, "type"), name, sorted(types), "layer type")
    if name == "Residual":
        extra = set(spec) - {"layers"}
        if extra or "args" in spec:
            raise ConfigError(join_path(path, sorted(extra or {"args"})[0]),
                              'a Residual takes only layers = [...]')
        if "layers" not in spec:
            raise ConfigError(path, "a Residual needs layers = [...] (its block f in x + f(x))")
        return {"type": "Residual",
                "layers": normalize_layers(join_path(path, "layers"), spec["layers"], types)}
    cls = types[name]
    params = signature_args(cls)
    positional = spec.pop("args", [])
    order = [p for p in params.values() if p.kind == p.POSITIONAL_OR_KEYWORD]
    if len(positional) > len(order):
        raise ConfigError(path, f"{name} takes at most {len(order)} positional arguments "
                                f"({', '.join(p.name for p in order)}), got {len(positional)}",
                          item)
    out = {"type": name}
    for param, value in zip(order, positional):
        if param.name in spec:
            raise ConfigError(join_path(path, param.name),
                              f"{name} got {param.name} twice (by position and by name)")
        out[param.name] = value
    out.update(spec)
    check_kwargs(path, name, {k: v for k, v in out.items() if k != "type"}, params, LAYER_BOUNDS)
    inferred = INFERRED.get(name, (None,))[0]
    for p in params.values():
        if p.default is p.empty and p.name not in out and p.name != inferred:
            raise ConfigError(join_path(path, p.name), f"missing: {name} needs {p.name}")
    return out


def normalize_layers(path: str, layers, types: dict | None = None) -> list:
    """Each layer as ``{"type": name, argument: value, …}`` (arguments by name), checked
    against the layer's constructor; the first error raised names its place."""
    types = types or layer_types()
    if not isinstance(layers, list) or not layers:
        raise ConfigError(path, 'expected a non-empty array of layers, e.g. ["Linear(64, '
                                '128)", "ReLU", "Linear(128, 10)"]', layers)
    return [_normalize_one(join_path(path, i), item, types) for i, item in enumerate(layers)]


def build_layers(path: str, specs: list, sample_shape: tuple):
    """The `Sequential` of ``specs`` (normalized) for inputs whose per-sample shape is
    ``sample_shape``; also returns the output's per-sample shape."""
    import numpy as np

    from ..nn import Residual, Sequential
    from ..tensor import Tensor, get_default_dtype, no_grad

    types = layer_types()
    modules, shape = [], tuple(sample_shape)
    for i, spec in enumerate(specs):
        where = join_path(path, i)
        name = spec["type"]
        if name == "Residual":
            block, out_shape = build_layers(join_path(where, "layers"), spec["layers"], shape)
            if out_shape != shape:
                raise ConfigError(join_path(where, "layers"), f"a Residual block must keep the "
                                  f"shape of its input {shape}, its layers give {out_shape}")
            module = Residual(block)
        else:
            kwargs = {k: v for k, v in spec.items() if k != "type"}
            if name in INFERRED and INFERRED[name][0] not in kwargs:
                if not shape:
                    raise ConfigError(join_path(where, INFERRED[name][0]),
                                      f"missing, and cannot be inferred from a scalar input")
                kwargs[INFERRED[name][0]] = int(INFERRED[name][1](shape))
            try:
                module = types[name](**kwargs)
            except Exception as exc:  # a constructor's own check
                raise blame(where, spec, exc) from None
        try:
            module.eval()
            dtype = np.int64 if name == "Embedding" else get_default_dtype()
            with no_grad():
                out = module(Tensor(np.zeros((2,) + shape, dtype=dtype)))
        except Exception as exc:
            text = str(exc).splitlines()[0]
            hint = ""
            if name in INFERRED and INFERRED[name][0] in spec:
                hint = f" (leave {INFERRED[name][0]} out and it is inferred)"
            raise ConfigError(where, f"does not fit its input of shape (batch, "
                                     f"{', '.join(map(str, shape))}): {text}{hint}",
                              spec) from None
        module.train()
        modules.append(module)
        shape = tuple(out.shape[1:])
    return Sequential(*modules), shape
