"""A ``torch -> tidu`` import shim, for the compatibility corpus only.

``install()`` puts a finder at the front of ``sys.meta_path`` that answers every import of
``torch`` or ``torch.X.Y`` with the module ``tidu`` or ``tidu.X.Y`` itself (the same module
object, registered under both names).  Nothing else is aliased or patched: whatever name a
script reaches for must exist in tidu under the same dotted path.  A missing module fails as
``ModuleNotFoundError: No module named 'tidu.X'``, which names the gap.

Run a script through it::

    python -c "import shim; shim.install(); import runpy; runpy.run_path(path, run_name='__main__')"
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

SOURCE = "torch"
TARGET = "tidu"


def _target_name(fullname: str) -> str | None:
    if fullname == SOURCE:
        return TARGET
    if fullname.startswith(SOURCE + "."):
        return TARGET + fullname[len(SOURCE):]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)   # the tidu module object itself

    def exec_module(self, module):
        pass                                            # already executed as tidu.X


class TorchToTidu(importlib.abc.MetaPathFinder):
    """Resolve ``torch[.X]`` to ``tidu[.X]``; raise ModuleNotFoundError for what tidu lacks."""

    def find_spec(self, fullname, path=None, target=None):
        name = _target_name(fullname)
        if name is None:
            return None
        if importlib.util.find_spec(name) is None:
            raise ModuleNotFoundError(f"No module named {name!r} (shim for {fullname!r})",
                                      name=fullname)
        return importlib.util.spec_from_loader(fullname, _AliasLoader(name))


def install() -> None:
    """Make ``import torch...`` load tidu in this process (refused if torch is already loaded)."""
    if any(m == SOURCE or m.startswith(SOURCE + ".") for m in sys.modules):
        raise RuntimeError("torch is already imported in this process; install the shim first")
    if not any(isinstance(f, TorchToTidu) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchToTidu())
