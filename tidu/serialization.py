"""`save` / `load`: state_dicts in NumPy's ``.npz`` format, without pickle.

A saved object is a (possibly nested) structure of dicts, lists and tuples whose leaves are
NumPy arrays, tidu tensors, numbers, booleans, strings and ``None`` — a model's
``state_dict()``, an optimizer's ``state_dict()`` (int keys, hyper-parameters), or a
checkpoint such as ``{"model": ..., "optimizer": ..., "epoch": 3}``.

File layout (an ordinary ``.npz`` zip archive that ``np.load`` can open):

* every array is one entry, named by its path of keys joined with ``/``
  (``"0.weight"`` for a model's state_dict, ``"model/0.weight"`` or
  ``"optimizer/state/0/momentum_buffer"`` nested), so the arrays of a file are readable
  with NumPy alone;
* one entry ``__tidu__`` holds, as a uint8 array of UTF-8 JSON text, the structure: the
  type of every key (str or int) and container (dict, OrderedDict, list, tuple), every scalar
  leaf (with its type) and, for array leaves, the entry name.

Loading uses ``np.load(..., allow_pickle=False)`` and ``json``: it never unpickles or
executes anything from the file.  A file holding an object array (which only pickle can
store) is refused with a `SerializationError`.  A plain ``.npz`` of arrays without the
``__tidu__`` entry (``np.savez("f.npz", **arrays)``) loads as a dict of its arrays.

`save` writes atomically: to a temporary file in the same directory, then ``os.replace``,
so a crash never leaves a half-written checkpoint under the target name.  The path is used
as given (no ``.npz`` suffix is appended, unlike ``np.savez``).

Checking a loaded state_dict against a model — missing, unexpected and mis-shaped keys,
each listed — is done by ``Module.load_state_dict``.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from .backend import device_of, to_numpy
from .errors import SerializationError
from .tensor import Tensor

__all__ = ["save", "load", "SerializationError"]

META_KEY = "__tidu__"
FORMAT = "tidu.save"
VERSION = 1


# --------------------------------------------------------------------------- encoding
class _Encoder:
    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def _entry_name(self, path: tuple) -> str:
        base = "/".join(str(p) for p in path) or "_"
        if not base.isprintable() or "\\" in base:  # names only for reading the file by eye
            base = f"_entry{len(self.arrays)}"
        name, n = base, 1
        while name in self.arrays or name == META_KEY:
            name = f"{base}#{n}"
            n += 1
        return name

    def _array(self, arr: np.ndarray, path: tuple, kind: str) -> dict:
        if arr.dtype.hasobject:
            raise SerializationError(
                f"save: the value at {_path_str(path)} is an array of Python objects (dtype "
                f"{arr.dtype}); only numeric, bool and string arrays can be saved without pickle")
        name = self._entry_name(path)
        self.arrays[name] = arr
        return {"t": kind, "k": name}

    def encode(self, value, path: tuple = ()):
        if value is None:
            return {"t": "none"}
        if isinstance(value, bool):
            return {"t": "bool", "v": value}
        if isinstance(value, Tensor):
            return self._array(to_numpy(value.data), path, "tensor")
        if isinstance(value, np.ndarray) or device_of(value) != "cpu":  # a GPU array: copied
            return self._array(to_numpy(value), path, "array")
        if isinstance(value, np.generic):  # a NumPy scalar keeps its dtype
            return self._array(np.asarray(value), path, "npscalar")
        if isinstance(value, int):
            return {"t": "int", "v": int(value)}
        if isinstance(value, float):
            return {"t": "float", "v": repr(float(value))}
        if isinstance(value, str):
            return {"t": "str", "v": value}
        if isinstance(value, Mapping):
            items = []
            for key, item in value.items():
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    raise SerializationError(
                        f"save: key {key!r} at {_path_str(path)} is a {type(key).__name__}; "
                        f"keys must be str or int")
                items.append(["int" if isinstance(key, int) else "str",
                              int(key) if isinstance(key, int) else key,
                              self.encode(item, path + (key,))])
            kind = "odict" if isinstance(value, OrderedDict) else "dict"
            return {"t": kind, "items": items}
        if isinstance(value, (list, tuple)):
            return {"t": "tuple" if isinstance(value, tuple) else "list",
                    "items": [self.encode(item, path + (i,)) for i, item in enumerate(value)]}
        if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor, say
            return self._array(np.asarray(value.detach().cpu().numpy()), path, "array")
        hint = ""
        if hasattr(value, "state_dict"):
            hint = "; save its state_dict() instead, e.g. tidu.save(model.state_dict(), path)"
        raise SerializationError(f"save: cannot save a {type(value).__name__} (at "
                                 f"{_path_str(path)}) without pickle{hint}")


def _path_str(path: tuple) -> str:
    return "the top level" if not path else "key " + "/".join(str(p) for p in path)


def save(obj, path) -> None:
    """Save a state_dict (a nested structure of dicts, lists, tuples, arrays, tensors,
    numbers, bools, strings and None) to ``path`` as ``.npz``, atomically.

    ``path`` is a filename or path-like (used as given) or a writable binary file object.
    Raises `SerializationError` for values only pickle could store (objects, modules).
    """
    encoder = _Encoder()
    tree = encoder.encode(obj)
    meta = json.dumps({"format": FORMAT, "version": VERSION, "tree": tree})
    entries = dict(encoder.arrays)
    entries[META_KEY] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)

    if hasattr(path, "write"):
        _write_npz(path, entries)
        return
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            _write_npz(f, entries)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _write_npz(f, entries: dict) -> None:
    # What np.savez does, with allow_pickle=False and without its keyword-name clashes.
    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in entries.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.asanyarray(arr), allow_pickle=False)


# --------------------------------------------------------------------------- decoding
def load(path):
    """Load what `save` wrote (or any ``.npz`` of plain arrays) from ``path``.

    Arrays come back as NumPy arrays (tensors saved as tidu tensors), containers and scalars
    with their saved types.  Never unpickles: a file that needs pickle raises
    `SerializationError`.
    """
    where = getattr(path, "name", None) if hasattr(path, "read") else os.fspath(path)
    try:
        npz = np.load(path, allow_pickle=False)
    except ValueError as err:  # a pickle, or a .npy object array
        raise SerializationError(f"load({where!r}): refused: {err}") from None
    except (EOFError, zipfile.BadZipFile) as err:
        raise SerializationError(f"load({where!r}): not a readable .npz file: {err}") from err
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise SerializationError(f"load({where!r}): expected an .npz archive, found a single "
                                 f"array (.npy)")
    with npz:
        names = set(npz.files)

        def read(name: str) -> np.ndarray:
            if name not in names:
                raise SerializationError(f"load({where!r}): the structure refers to entry "
                                         f"{name!r}, which is not in the file")
            try:
                value = npz[name]
            except ValueError as err:
                raise SerializationError(f"load({where!r}): entry {name!r} refused (it would "
                                         f"need pickle): {err}") from None
            if not isinstance(value, np.ndarray):  # NpzFile hands back non-.npy members as bytes
                raise SerializationError(f"load({where!r}): entry {name!r} is not a .npy array")
            return value

        others = [n for n in npz.zip.namelist() if not n.endswith(".npy")]
        if others:  # a torch.save zip, say: pickles, not arrays
            raise SerializationError(f"load({where!r}): not an .npz of arrays: it holds "
                                     f"{', '.join(repr(n) for n in others[:5])}")
        if META_KEY not in names:
            return OrderedDict((name, read(name)) for name in npz.files)
        try:
            meta = json.loads(read(META_KEY).tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise SerializationError(f"load({where!r}): malformed {META_KEY} entry: {err}") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise SerializationError(f"load({where!r}): the {META_KEY} entry is not a tidu.save "
                                     f"structure")
        if meta.get("version") != VERSION:
            raise SerializationError(f"load({where!r}): file format version {meta.get('version')!r}, "
                                     f"this tidu reads version {VERSION}")
        return _decode(meta.get("tree"), read, where)


def _decode(node, read, where):
    if not isinstance(node, dict) or "t" not in node:
        raise SerializationError(f"load({where!r}): malformed structure node {node!r}")
    kind = node["t"]
    try:
        if kind == "none":
            return None
        if kind == "bool":
            return bool(node["v"])
        if kind == "int":
            return int(node["v"])
        if kind == "float":
            return float(node["v"])
        if kind == "str":
            return str(node["v"])
        if kind == "array":
            return read(node["k"])
        if kind == "tensor":
            return Tensor._wrap(read(node["k"]))
        if kind == "npscalar":
            return read(node["k"])[()]
        if kind in ("list", "tuple"):
            items = [_decode(item, read, where) for item in node["items"]]
            return tuple(items) if kind == "tuple" else items
        if kind in ("dict", "odict"):
            out = OrderedDict() if kind == "odict" else {}
            for key_type, key, item in node["items"]:
                if key_type not in ("int", "str"):
                    raise SerializationError(f"load({where!r}): unknown key type {key_type!r}")
                out[int(key) if key_type == "int" else str(key)] = _decode(item, read, where)
            return out
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, SerializationError):
            raise
        raise SerializationError(f"load({where!r}): malformed structure node {node!r}: "
                                 f"{err!r}") from None
    raise SerializationError(f"load({where!r}): unknown value type {kind!r} in the structure")
