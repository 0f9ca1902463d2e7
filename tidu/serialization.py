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

Loading reads the archive with ``zipfile``, NumPy's ``.npy`` header parser and
``read_array(..., allow_pickle=False)``, and ``json``: it never unpickles or executes
anything from the file.  Before any array is allocated the whole archive is checked: every
member's declared sizes against the file's length, every ``.npy`` header's shape × dtype
against its member's size, member names (no absolute or ``..`` paths), and then the
structure's node types and nesting depth (`MAX_DEPTH`).  A file that fails any check —
empty, truncated, random bytes, a pickle, an object array (which only pickle can store), a
forged size — raises one `SerializationError` naming the file and what is wrong.  A plain
``.npz`` of arrays without the ``__tidu__`` entry (``np.savez("f.npz", **arrays)`` or
``np.savez_compressed``) loads as a dict of its arrays.

`save` writes atomically: to a temporary file in the same directory (created, as by any
other tool, with mode 0666 less the user's umask), then ``os.replace``, so a crash never
leaves a half-written checkpoint under the target name.  The path is used as given (no
``.npz`` suffix is appended, unlike ``np.savez``).

Checking a loaded state_dict against a model — missing, unexpected and mis-shaped keys,
each listed — is done by ``Module.load_state_dict``.
"""
from __future__ import annotations

import json
import math
import os
import secrets
import struct
import zipfile
import zlib
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
# Containers nest at most this deep (a state_dict nests a handful of levels): deeper saves are
# refused (a self-containing list included), deeper files fail cleanly, not with RecursionError.
MAX_DEPTH = 200


# --------------------------------------------------------------------------- encoding
class _Encoder:
    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def _entry_name(self, path: tuple) -> str:
        base = "/".join(str(p) for p in path) or "_"
        parts = base.split("/")
        # names are only for reading the file by eye: any that `load` would take for an
        # unprintable or path-traversal name (absolute, "..") gets a plain one instead
        if not base.isprintable() or "\\" in base or base.startswith("/") or ".." in parts:
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
        if len(path) > MAX_DEPTH:
            raise SerializationError(
                f"save: the value is nested deeper than {MAX_DEPTH} levels (at "
                f"{_path_str(path[:3])}/…); a container that holds itself, perhaps")
        if value is None:
            return {"t": "none"}
        if isinstance(value, bool):
            return {"t": "bool", "v": value}
        if isinstance(value, Tensor):
            return self._array(to_numpy(value._data), path, "tensor")
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
            hint = ("; tidu never pickles a whole model (unlike torch.save): save its "
                    "state_dict() instead, e.g. tidu.save(model.state_dict(), path)")
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
    fd, tmp = _create_temporary(path)
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


def _create_temporary(path: str) -> tuple:
    """A new ``.<name>.<random>.tmp`` beside ``path``, opened for writing: (fd, its path).

    Created with mode 0666 less the user's umask, as every other tool creates files
    (``tempfile.mkstemp`` would make it 0600, and ``os.replace`` keeps that mode)."""
    directory = os.path.dirname(os.path.abspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"save: could not create a temporary file beside {path!r}")


def _write_npz(f, entries: dict) -> None:
    # What np.savez does, with allow_pickle=False and without its keyword-name clashes.
    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in entries.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.asanyarray(arr), allow_pickle=False)


# --------------------------------------------------------------------------- decoding
# Loading checks the whole archive before it allocates anything: every member's declared sizes
# against the file's length, and every .npy header's shape × dtype against its member's size,
# so a hostile file fails with one SerializationError instead of a MemoryError.

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
_NPY_MAGIC = b"\x93NUMPY"
_MAX_HEADER_SIZE = 10000  # NumPy's own default limit for a .npy header
# Deflate cannot expand its input by more than 1032:1; a member declaring more is lying.
_DEFLATE_MAX_RATIO = 1032
_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0,
                   # 3.0 differs from 2.0 only in decoding field names as UTF-8 (not latin-1):
                   # shape and item size, all that is checked here, read the same
                   (3, 0): np.lib.format.read_array_header_2_0}


class _Member:
    """One validated ``.npy`` member: its zip entry, the array its header declares and where
    the array's data starts in the member."""

    __slots__ = ("info", "shape", "fortran", "dtype", "offset")

    def __init__(self, info: zipfile.ZipInfo, shape: tuple, fortran: bool, dtype: np.dtype,
                 offset: int):
        self.info, self.shape, self.fortran, self.dtype = info, shape, fortran, dtype
        self.offset = offset


def load(path, map_location=None, *, weights_only=None, mmap=None):
    """Load what `save` wrote (or any ``.npz`` of plain arrays) from ``path``.

    Arrays come back as NumPy arrays (tensors saved as tidu tensors), containers and scalars
    with their saved types.  Never unpickles.  A file that is not such an archive — empty,
    truncated, corrupt, a pickle, sizes that do not fit the file, a malformed structure —
    raises one `SerializationError` naming the file and what is wrong; a missing file raises
    `FileNotFoundError`.

    PyTorch's keywords are accepted so ``torch.load`` calls run unchanged: ``map_location``
    ('cpu', 'cuda' or a `tidu.device`; tensors are moved there, arrays stay NumPy arrays, which
    ``load_state_dict`` moves to the model's device), ``weights_only`` (any value: tidu never
    unpickles, so every load is what PyTorch calls weights-only) and ``mmap`` (ignored).
    """
    target = _map_location(map_location)
    where = _describe(path)
    if hasattr(path, "read"):
        obj = _load_from(path, where)
    elif os.path.isdir(path):
        _fail(where, "it is a directory, not an .npz file")
    else:
        with open(path, "rb") as f:
            obj = _load_from(f, where)
    return obj if target in (None, "cpu") else _move_tensors(obj, target)


def _map_location(map_location):
    """'cpu', 'cuda' or None for `load`'s ``map_location``; mappings and functions (PyTorch's
    storage remapping) have no meaning without storages and are refused in one line."""
    if map_location is None:
        return None
    if isinstance(map_location, str):
        from .backend import normalize_device
        return normalize_device(map_location.split(":")[0])
    raise TypeError(f"load: map_location must be None, 'cpu', 'cuda' or a tidu.device, got "
                    f"{type(map_location).__name__} (tidu files hold arrays, not storages to "
                    f"remap)")


def _move_tensors(obj, device):
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        return type(obj)((k, _move_tensors(v, device)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_move_tensors(v, device) for v in obj)
    return obj


def _describe(path) -> str:
    """The file's name for messages."""
    if hasattr(path, "read"):
        name = getattr(path, "name", None)
        return str(name) if name is not None else f"<{type(path).__name__}>"
    path = os.fspath(path)
    return os.fsdecode(path) if isinstance(path, bytes) else path


def _fail(where: str, what: str):
    raise SerializationError(f"load({where!r}): {what}")


def _load_from(f, where: str):
    length = _check_head(f, where)
    zf = _open_zip(f, where)
    with zf:
        members = _check_members(zf, where, length)
        if META_KEY not in members:
            return OrderedDict((name, _read_member(zf, members[name], where)) for name in members)

        def read(name: str, at: tuple) -> np.ndarray:
            if not isinstance(name, str) or name not in members:
                _fail(where, f"the structure at {_path_str(at)} refers to entry {name!r}, which "
                             f"is not in the file")
            return _read_member(zf, members[name], where)

        meta = _read_meta(read(META_KEY, (META_KEY,)), where)
        return _decode(meta["tree"], read, where, ())


def _check_head(f, where: str) -> int:
    """The file's length, after checking that it starts as a zip archive does."""
    try:
        start = f.tell()
        f.seek(0, os.SEEK_END)
        length = f.tell()
        f.seek(start)
        head = f.read(8)
        f.seek(start)
    except (OSError, ValueError) as err:
        _fail(where, f"cannot read the file: {err}")
    if not head:
        _fail(where, "the file is empty (0 bytes), expected an .npz archive")
    if head.startswith(_ZIP_MAGIC):
        return length
    if head.startswith(_NPY_MAGIC):
        _fail(where, "expected an .npz archive, found a single array (.npy)")
    if head[:1] == b"\x80":  # pickle protocol 2+ opcode
        _fail(where, "expected an .npz archive, found what looks like a pickle, which tidu never "
                     "loads")
    _fail(where, f"not a readable .npz file: expected a zip archive, the file starts with {head!r}")


def _open_zip(f, where: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(f, mode="r")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError, struct.error) as err:
        _fail(where, f"not a readable .npz file (truncated or corrupt zip archive): {err}")


def _check_members(zf: zipfile.ZipFile, where: str, length: int) -> dict:
    """name -> `_Member` for every entry, each checked against the file before any read."""
    infos = zf.infolist()
    _check_member_count(zf, infos, where)
    others = [i.filename for i in infos if not i.filename.endswith(".npy") or i.is_dir()]
    if others:  # a torch.save zip, say: pickles, not arrays
        _fail(where, f"not an .npz of arrays: it holds "
                     f"{', '.join(repr(n) for n in others[:5])}")
    members, stored = {}, 0
    for info in infos:
        name = info.filename[:-len(".npy")]
        if name in members:
            _fail(where, f"entry {name!r} appears twice in the archive")
        _check_name(info.filename, where)
        stored += info.compress_size
        _check_sizes(info, where, length, stored)
        members[name] = _check_header(zf, info, name, where)
    return members


def _check_member_count(zf: zipfile.ZipFile, infos: list, where: str) -> None:
    # zipfile reads the central directory by its byte size and ignores the declared count;
    # a count that disagrees with the directory means a damaged or forged archive
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:
        return
    try:
        declared = end_record(zf.fp)[zipfile._ECD_ENTRIES_TOTAL]
    except (OSError, TypeError, IndexError, struct.error):
        return  # zipfile itself opened it; nothing more to learn here
    if declared != len(infos):
        _fail(where, f"the archive declares {declared} entries, its directory holds {len(infos)}")


def _check_name(filename: str, where: str) -> None:
    """Refuse names that, extracted, would land outside a directory (none of `save`'s)."""
    parts = filename.split("/")
    if filename.startswith("/") or "\\" in filename or "\x00" in filename or ".." in parts:
        _fail(where, f"entry name {filename!r} is an absolute or parent-directory path")


def _check_sizes(info: zipfile.ZipInfo, where: str, length: int, stored: int) -> None:
    """The member's declared sizes fit the file (checked before anything is read)."""
    name = info.filename
    if info.flag_bits & 0x1:
        _fail(where, f"entry {name!r} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        _fail(where, f"entry {name!r} uses zip compression method {info.compress_type}; "
                     f"expected stored or deflated (as np.savez / np.savez_compressed write)")
    if info.header_offset + info.compress_size > length or stored > length:
        _fail(where, f"entry {name!r} declares {info.compress_size} bytes at offset "
                     f"{info.header_offset}, beyond the file's {length} bytes (truncated?)")
    if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
        _fail(where, f"entry {name!r} is stored uncompressed but declares {info.file_size} "
                     f"bytes of data in {info.compress_size} stored bytes")
    if info.file_size > _DEFLATE_MAX_RATIO * info.compress_size + 64:
        _fail(where, f"entry {name!r} declares {info.file_size} bytes uncompressed from "
                     f"{info.compress_size} compressed bytes, more than deflate can produce")


def _check_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, where: str) -> _Member:
    """Read the member's .npy header and check its shape × dtype against the member's size."""
    try:
        with zf.open(info) as fh:
            version = np.lib.format.read_magic(fh)  # 8 bytes
            reader = _HEADER_READERS.get(version)
            if reader is None:
                _fail(where, f"entry {name!r}: unknown .npy format version {version}")
            # a length field can claim a 4 GB header: read no more than the limit allows
            head = _Capped(fh, 12 + _MAX_HEADER_SIZE)
            shape, fortran, dtype = reader(head, max_header_size=_MAX_HEADER_SIZE)
            offset = 8 + head.consumed
    except SerializationError:
        raise
    except (ValueError, TypeError, EOFError, OSError, zipfile.BadZipFile, zlib.error,
            NotImplementedError, RuntimeError, struct.error) as err:
        _fail(where, f"entry {name!r} is not a readable .npy array: {_numpy_reason(err)}")
    if dtype.hasobject:
        _fail(where, f"entry {name!r} holds Python objects (dtype {dtype}), which only pickle "
                     f"can store; tidu never unpickles")
    if any(n < 0 for n in shape):
        _fail(where, f"entry {name!r}: its header declares the negative shape {shape}")
    needed = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if needed != info.file_size - offset:
        _fail(where, f"entry {name!r}: its header declares shape {shape} of {dtype} "
                     f"({needed} bytes), the entry holds {info.file_size - offset} bytes of data")
    return _Member(info, tuple(shape), fortran, dtype, offset)


class _Capped:
    """A read-only view of a stream that hands out at most ``limit`` more bytes."""

    def __init__(self, stream, limit: int):
        self._stream, self._left, self.consumed = stream, limit, 0

    def read(self, n: int = -1) -> bytes:
        n = self._left if n is None or n < 0 else min(n, self._left)
        data = self._stream.read(n)
        self._left -= len(data)
        self.consumed += len(data)
        return data


def _numpy_reason(err: Exception) -> str:
    """NumPy's reason, without its advice to trust the file with ``allow_pickle=True``."""
    text = str(err) or type(err).__name__
    if "allow_pickle" in text or "max_header_size" in text:
        return f"its header is longer than {_MAX_HEADER_SIZE} characters"
    return text.splitlines()[0][:200]


_CHUNK = 1 << 20  # bytes per read: a bounded temporary, as np.lib.format.read_array does


def _read_member(zf: zipfile.ZipFile, member: _Member, where: str) -> np.ndarray:
    """The member's array, read straight after the header `_check_header` parsed (its size
    already checked against the file; reading to the member's end verifies its CRC)."""
    name = member.info.filename[:-len(".npy")]
    count = math.prod(member.shape)
    # np.ndarray, not np.empty: it also makes zero-width string dtypes, as read_array says
    array = np.ndarray(count, dtype=member.dtype)
    try:
        with zf.open(member.info) as fh:
            fh.seek(member.offset)
            if array.nbytes:
                _fill(fh, array.view(np.uint8), name, where)
    except (ValueError, TypeError, EOFError, OSError, zipfile.BadZipFile, zlib.error,
            NotImplementedError, RuntimeError, struct.error) as err:
        _fail(where, f"entry {name!r} is corrupt: {_numpy_reason(err)}")
    if member.fortran:
        return array.reshape(member.shape[::-1]).transpose()
    return array.reshape(member.shape)


def _fill(fh, out: np.ndarray, name: str, where: str) -> None:
    """Read ``len(out)`` bytes of ``fh`` into the uint8 array ``out``, chunk by chunk."""
    done = 0
    while done < len(out):
        data = fh.read(min(_CHUNK, len(out) - done))
        if not data:
            _fail(where, f"entry {name!r} is corrupt: its data ends after {done} of "
                         f"{len(out)} bytes")
        out[done:done + len(data)] = np.frombuffer(data, dtype=np.uint8)
        done += len(data)
    fh.read(1)  # at the member's end: zipfile checks the CRC when it reaches it


def _read_meta(raw: np.ndarray, where: str) -> dict:
    """The parsed ``__tidu__`` entry: ``{"format", "version", "tree"}``."""
    if raw.dtype != np.uint8 or raw.ndim != 1:
        _fail(where, f"malformed {META_KEY} entry: expected a 1-d uint8 array of UTF-8 JSON, "
                     f"found {raw.dtype} of shape {raw.shape}")
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except ValueError as err:  # not UTF-8, not JSON, or an int of more digits than Python takes
        _fail(where, f"malformed {META_KEY} entry (expected UTF-8 JSON): {err}")
    except RecursionError:
        _fail(where, f"malformed {META_KEY} entry: its JSON is nested too deeply to parse")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        _fail(where, f"the {META_KEY} entry is not a tidu.save structure: expected a JSON object "
                     f"with format {FORMAT!r}, found {_short(meta)}")
    if meta.get("version") != VERSION:
        _fail(where, f"file format version {meta.get('version')!r}, this tidu reads version "
                     f"{VERSION}")
    if "tree" not in meta:
        _fail(where, f"malformed {META_KEY} entry: it has no 'tree'")
    return meta


def _short(value, limit: int = 80) -> str:
    """A repr cut to ``limit`` characters: a hostile structure can be megabytes long."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _leaf(node: dict, types, at: tuple, where: str):
    """The node's value ``v``, which must be of ``types`` (bools are not ints here)."""
    if "v" not in node:
        _fail(where, f"malformed structure at {_path_str(at)}: {node['t']!r} node without a value")
    value = node["v"]
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        _fail(where, f"malformed structure at {_path_str(at)}: a {node['t']!r} node holds "
                     f"{_short(value)}")
    return value


def _items(node: dict, at: tuple, where: str) -> list:
    items = node.get("items")
    if not isinstance(items, list):
        _fail(where, f"malformed structure at {_path_str(at)}: a {node['t']!r} node without a "
                     f"list of items")
    return items


def _decode(node, read, where: str, at: tuple):
    """The value a structure node describes; ``at`` is its path of keys, for messages."""
    if len(at) > MAX_DEPTH:
        _fail(where, f"the structure is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(node, dict) or not isinstance(node.get("t"), str):
        _fail(where, f"malformed structure node at {_path_str(at)}: {_short(node)}")
    kind = node["t"]
    if kind == "none":
        return None
    if kind == "bool":
        return _leaf(node, (bool,), at, where)
    if kind == "int":
        return _leaf(node, (int,), at, where)
    if kind == "float":
        text = _leaf(node, (str, int, float), at, where)
        try:
            return float(text)
        except ValueError:
            _fail(where, f"malformed structure at {_path_str(at)}: float {_short(text)}")
    if kind == "str":
        return _leaf(node, (str,), at, where)
    if kind in ("array", "tensor", "npscalar"):
        array = read(node.get("k"), at)
        if kind == "tensor":
            return Tensor._wrap(array)
        if kind == "npscalar":
            if array.ndim != 0:
                _fail(where, f"malformed structure at {_path_str(at)}: a NumPy scalar stored as "
                             f"an array of shape {array.shape}")
            return array[()]
        return array
    if kind in ("list", "tuple"):
        items = [_decode(item, read, where, at + (i,))
                 for i, item in enumerate(_items(node, at, where))]
        return tuple(items) if kind == "tuple" else items
    if kind in ("dict", "odict"):
        out = OrderedDict() if kind == "odict" else {}
        for item in _items(node, at, where):
            key = _key(item, at, where)
            out[key] = _decode(item[2], read, where, at + (key,))
        return out
    _fail(where, f"unknown value type {_short(kind)} in the structure at {_path_str(at)}")


def _key(item, at: tuple, where: str):
    """The key of a dict item ``[key type, key, node]``."""
    if not isinstance(item, list) or len(item) != 3:
        _fail(where, f"malformed structure at {_path_str(at)}: a dict item {_short(item)} is not "
                     f"[key type, key, value]")
    key_type, key = item[0], item[1]
    if key_type == "int" and isinstance(key, int) and not isinstance(key, bool):
        return key
    if key_type == "str" and isinstance(key, str):
        return key
    _fail(where, f"malformed structure at {_path_str(at)}: key {_short(key)} of key type "
                 f"{_short(key_type)}")
