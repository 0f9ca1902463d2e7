"""``torch.jit`` and ``torch.compile`` for code that scripts, traces or compiles its model.

tidu has no compiler: it runs every op eagerly in NumPy/CuPy, so the eager model *is* the
scripted, traced and compiled one.  `script`, `trace` and `compile` return what they are
given (unlike PyTorch, `compile` wraps nothing, so a compiled module's ``state_dict`` keys
have no ``_orig_mod.`` prefix); `trace` does not run the function.  `save` and `load` of
TorchScript archives raise: save the weights with ``tidu.save(model.state_dict(), f)`` and
load them with ``model.load_state_dict(tidu.load(f))``.
"""
from __future__ import annotations

__all__ = ["script", "trace", "trace_module", "freeze", "optimize_for_inference", "save", "load",
           "ignore", "unused", "export", "is_scripting", "is_tracing", "annotate", "compile"]

_COMPILE_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


def script(obj, optimize=None, _frames_up: int = 0, _rcb=None, example_inputs=None):
    """``obj`` itself (a module, function or class): tidu runs it eagerly, no TorchScript."""
    return obj


def trace(func, example_inputs=None, optimizer=None, check_trace: bool = True, check_inputs=None,
          check_tolerance: float = 1e-5, strict: bool = True, _force_outplace: bool = False,
          _module_class=None, _compilation_unit=None, example_kwarg_inputs=None,
          _store_inputs: bool = True):
    """``func`` itself: nothing is recorded, so later calls run the Python code eagerly
    (data-dependent branches keep working, as they would not in a PyTorch trace).
    ``example_inputs`` is not run."""
    return func


def trace_module(mod, inputs, *args, **kwargs):
    """``mod`` itself (see `trace`)."""
    return mod


def freeze(mod, preserved_attrs=None, optimize_numerics: bool = True):
    """``mod`` itself: there is no graph to fold constants into."""
    return mod


def optimize_for_inference(mod, other_methods=None):
    """``mod`` itself."""
    return mod


def _no_torchscript(what: str):
    return NotImplementedError(
        f"tidu.jit.{what}: tidu has no TorchScript archives (a scripted model is the eager "
        f"module itself); save the weights with tidu.save(model.state_dict(), f) and load them "
        f"into the model with model.load_state_dict(tidu.load(f))")


def save(m, f, _extra_files=None) -> None:
    """Raises NotImplementedError: use ``tidu.save(model.state_dict(), f)``."""
    raise _no_torchscript("save")


def load(f, map_location=None, _extra_files=None, _restore_shapes: bool = False):
    """Raises NotImplementedError: use ``model.load_state_dict(tidu.load(f))``."""
    raise _no_torchscript("load")


def ignore(drop=False, **kwargs):
    """Decorator marking a method TorchScript should leave in Python: a no-op in tidu
    (``@ignore`` and ``@ignore(drop=True)`` both return the function)."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    """Decorator: ``fn`` itself."""
    return fn


def export(fn):
    """Decorator: ``fn`` itself."""
    return fn


def is_scripting() -> bool:
    """False: tidu code always runs in Python."""
    return False


def is_tracing() -> bool:
    """False: tidu never traces."""
    return False


def annotate(the_type, the_value):
    """``the_value`` (a type hint for TorchScript)."""
    return the_value


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor",  # noqa: A001
            mode=None, options=None, disable: bool = False):
    """``torch.compile``: returns ``model`` (a module or function) itself — tidu runs eagerly;
    with ``model`` omitted, a decorator that does the same (``@compile(mode=...)``).
    PyTorch's checks are kept: ``mode`` and ``options`` not both, ``mode`` one of 'default',
    'lite', 'reduce-overhead', 'max-autotune-no-cudagraphs', 'max-autotune'."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in _COMPILE_MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: "
                           f"{', '.join(_COMPILE_MODES)}")
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model
