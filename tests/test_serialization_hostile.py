"""tidu.load on hostile, corrupt and truncated files: each gives exactly one SerializationError
that names the file and what is wrong — never a MemoryError, RecursionError, KeyError, a
zipfile or NumPy error, or NumPy's advice to pass allow_pickle — and sizes are checked
against the file before anything is allocated.  Also: tidu.save creates files under the
user's umask."""
import io
import json
import os
import pickle
import re
import struct
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

import tidu
import tidu.serialization
from tidu.serialization import MAX_DEPTH, SerializationError


# --------------------------------------------------------------------------- file makers
def _npy(array=None, header=None, data=b"") -> bytes:
    """A .npy member: a real array, or a forged ``header`` dict followed by ``data``."""
    buf = io.BytesIO()
    if header is None:
        np.lib.format.write_array(buf, np.asarray(array), allow_pickle=True)
    else:
        np.lib.format.write_array_header_1_0(buf, header)
        buf.write(data)
    return buf.getvalue()


def _zip(members: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _meta(text) -> bytes:
    """An archive whose ``__tidu__`` entry holds ``text`` (str, bytes or a JSON-able value)."""
    if not isinstance(text, (str, bytes)):
        text = json.dumps(text)
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return _zip({"__tidu__.npy": _npy(np.frombuffer(raw, dtype=np.uint8))})


def _tree(tree, **arrays) -> bytes:
    members = {name + ".npy": _npy(a) for name, a in arrays.items()}
    raw = json.dumps({"format": "tidu.save", "version": 1, "tree": tree}).encode()
    members["__tidu__.npy"] = _npy(np.frombuffer(raw, dtype=np.uint8))
    return _zip(members)


def _valid() -> bytes:
    buf = io.BytesIO()
    tidu.save({"w": np.arange(12.0).reshape(3, 4), "b": np.ones(4, np.float32), "n": 3}, buf)
    return buf.getvalue()


def _patch_central(data: bytes, offset: int, fmt: str, value) -> bytes:
    """Overwrite a field of the first central-directory record (offset from its signature)."""
    at = data.index(b"PK\x01\x02") + offset
    return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt):]


def _patch_end(data: bytes, offset: int, fmt: str, value) -> bytes:
    """Overwrite a field of the end-of-central-directory record."""
    at = data.rindex(b"PK\x05\x06") + offset
    return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt):]


def _flip_data_byte(data: bytes) -> bytes:
    """One bit of the first member's array data flipped (its CRC no longer matches)."""
    at = data.index(b"\x93NUMPY")
    at += 10 + struct.unpack("<H", data[at + 8:at + 10])[0] + 3
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def _nested_json(depth: int) -> str:
    return ('{"format": "tidu.save", "version": 1, "tree": ' + "[" * depth + "]" * depth + "}")


def _nested_tree(depth: int) -> dict:
    tree = {"t": "none"}
    for _ in range(depth):
        tree = {"t": "list", "items": [tree]}
    return tree


_F8 = {"descr": "<f8", "fortran_order": False}
_HUGE = 10 ** 15

# name -> (bytes of the file, what the message must say)
CORPUS = {
    "empty": (b"", "empty"),
    "random_bytes": (np.random.default_rng(0).bytes(4096), "not a readable .npz"),
    "zip_magic_then_garbage": (b"PK\x03\x04" + np.random.default_rng(1).bytes(300),
                               "truncated or corrupt"),
    "truncated_at_10": (_valid()[:10], "truncated or corrupt"),
    "truncated_at_half": (_valid()[:len(_valid()) // 2], "truncated or corrupt"),
    "truncated_last_byte": (_valid()[:-1], "truncated or corrupt"),
    "truncated_end_record": (_valid()[:-22], "truncated or corrupt"),
    "single_npy": (_npy(np.ones(3)), r"single array \(\.npy\)"),
    "pickle": (pickle.dumps({"w": [1, 2]}), "pickle"),
    "object_array_without_tidu": (_zip({"w.npy": _npy(np.ones(2)),
                                        "obj.npy": _npy(np.array([{}, 1], dtype=object))}),
                                  "'obj' holds Python objects.*only pickle"),
    "pickled_member": (_zip({"data.pkl": pickle.dumps([1, 2])}), "not an .npz of arrays.*data.pkl"),
    "claims_1e15_float64": (_zip({"w.npy": _npy(header={**_F8, "shape": (_HUGE,)},
                                                data=b"\0" * 16)}),
                            rf"shape \({_HUGE},\) of float64 \({8 * _HUGE} bytes\).*16 bytes"),
    "claims_1e15_deflated": (_zip({"w.npy": _npy(header={**_F8, "shape": (10 ** 5, 10 ** 10)})},
                                  zipfile.ZIP_DEFLATED), "header declares shape"),
    "absurd_dtype": (_zip({"w.npy": _npy(header={**_F8, "descr": "<f99999", "shape": (2,)},
                                         data=b"\0" * 16)}), "not a readable .npy.*descr"),
    "huge_void_dtype": (_zip({"w.npy": _npy(header={**_F8, "descr": "|V1000000000",
                                                    "shape": (10 ** 6,)})}),
                        "header declares shape"),
    "negative_shape": (_zip({"w.npy": _npy(header={**_F8, "shape": (-2, 4)}, data=b"")}),
                       "negative shape"),
    "header_not_a_dict": (_zip({"w.npy": b"\x93NUMPY\x01\x00\x08\x00[1, 2]  "}),
                          "not a readable .npy"),
    "huge_header_length": (_zip({"w.npy": b"\x93NUMPY\x02\x00" + struct.pack("<I", 2 ** 31)
                                 + b"{" * 64}), "not a readable .npy"),
    "declared_size_beyond_file": (_patch_central(_valid(), 20, "<I", 2 ** 32 - 2),
                                  "beyond the file"),
    "zip_bomb_declared_size": (_patch_central(_zip({"w.npy": _npy(np.zeros(1000))},
                                                   zipfile.ZIP_DEFLATED), 24, "<I", 2 ** 32 - 2),
                               "more than deflate can produce"),
    "stored_sizes_disagree": (_patch_central(_zip({"w.npy": _npy(np.zeros(4))}), 24, "<I", 7),
                              "stored uncompressed but declares 7 bytes"),
    "huge_member_count": (_patch_end(_zip({"w.npy": _npy(np.zeros(4))}), 10, "<H", 65535),
                          "declares 65535 entries, its directory holds 1"),
    "encrypted_member": (_patch_central(_zip({"w.npy": _npy(np.zeros(4))}), 8, "<H", 1),
                         "encrypted"),
    "corrupt_array_data": (_flip_data_byte(_zip({"w.npy": _npy(np.arange(8.0))})),
                           "entry 'w' .*Bad CRC-32"),
    "path_traversal": (_zip({"../../etc/evil.npy": _npy(np.zeros(2))}), "parent-directory path"),
    "absolute_member_name": (_zip({"/tmp/evil.npy": _npy(np.zeros(2))}), "absolute"),
    "directory_member": (_zip({"w.npy/": b"", "b.npy": _npy(np.zeros(2))}),
                         "not an .npz of arrays.*'w.npy/'"),
    "meta_not_json": (_meta("{not json"), "malformed __tidu__ entry.*JSON"),
    "meta_not_utf8": (_meta(b"\xff\xfe\x00{"), "malformed __tidu__ entry.*UTF-8"),
    "meta_int_too_long": (_meta('{"format": "tidu.save", "version": 1, "tree": {"t": "int", '
                                '"v": ' + "9" * 50000 + "}}"), "malformed __tidu__ entry.*digits"),
    "meta_not_uint8": (_zip({"__tidu__.npy": _npy(np.arange(4.0))}), "1-d uint8"),
    "meta_json_list": (_meta([1, 2, 3]), "not a tidu.save structure"),
    "meta_wrong_version": (_meta({"format": "tidu.save", "version": 7, "tree": {"t": "none"}}),
                           "version 7"),
    "meta_without_tree": (_meta({"format": "tidu.save", "version": 1}), "no 'tree'"),
    "tree_not_a_node": (_tree([1, 2]), r"malformed structure node at the top level: \[1, 2\]"),
    "tree_items_not_list": (_tree({"t": "dict", "items": "abc"}), "without a list of items"),
    "tree_dict_item_shape": (_tree({"t": "dict", "items": [["str", "a"]]}),
                             r"dict item \['str', 'a'\] is not \[key type, key, value\]"),
    "tree_key_mistyped": (_tree({"t": "dict", "items": [["int", "7", {"t": "none"}]]}),
                          "key '7' of key type 'int'"),
    "tree_int_mistyped": (_tree({"t": "dict", "items": [["str", "epoch", {"t": "int", "v": "3"}]]}),
                          r"at key epoch: a 'int' node holds '3'"),
    "tree_bool_mistyped": (_tree({"t": "bool", "v": "false"}), "a 'bool' node holds 'false'"),
    "tree_leaf_without_value": (_tree({"t": "float"}), "'float' node without a value"),
    "tree_float_unparsable": (_tree({"t": "float", "v": "1.5.2"}), "float '1.5.2'"),
    "tree_missing_entry": (_tree({"t": "dict",
                                  "items": [["str", "w", {"t": "array", "k": "gone"}]]}),
                           "at key w refers to entry 'gone', which is not in the file"),
    "tree_entry_not_a_name": (_tree({"t": "array", "k": ["w"]}, w=np.ones(2)),
                              r"refers to entry \['w'\]"),
    "tree_npscalar_not_0d": (_tree({"t": "npscalar", "k": "w"}, w=np.ones(2)),
                             "NumPy scalar stored as an array of shape"),
    "tree_unknown_leaf": (_tree({"t": "code", "v": "__import__('os')"}),
                          "unknown value type 'code'"),
    "json_nested_1e5": (_meta(_nested_json(10 ** 5)), "nested too deeply"),
    "tree_nested_beyond_limit": (_tree(_nested_tree(MAX_DEPTH + 5)),
                                 f"nested deeper than {MAX_DEPTH} levels"),
}


def _duplicate_member() -> bytes:
    # zipfile writes a duplicate name with a warning; the archive then has two entries "w.npy"
    with pytest.warns(UserWarning, match="Duplicate name"):
        return _zip_twice()


def _zip_twice() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("w.npy", _npy(np.zeros(2)))
        zf.writestr("w.npy", _npy(np.ones(2)))
    return buf.getvalue()


# made in the test (None here), where zipfile's warning about the duplicate is expected
CORPUS["duplicate_member"] = (None, "entry 'w' appears twice")


# --------------------------------------------------------------------------- the corpus
def test_the_corpus_is_large_and_its_files_are_distinct():
    files = [data for data, _ in CORPUS.values() if data is not None]
    assert len(CORPUS) >= 15
    assert len(set(files)) == len(files)


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_hostile_file_gives_one_serialization_error(tmp_path, case):
    data, words = CORPUS[case]
    if data is None:
        data = _duplicate_member()
    path = tmp_path / f"{case}.npz"
    path.write_bytes(data)
    start = time.perf_counter()
    try:
        tidu.load(path)
    except SerializationError as err:
        message = str(err)
        assert type(err) is SerializationError
        assert message.startswith(f"load({str(path)!r}): "), message
        assert message.count("load(") == 1, message  # one error, not one wrapped in another
        assert re.search(words, message, flags=re.S), message
        assert "allow_pickle" not in message and "max_header_size" not in message
        assert err.__cause__ is None or not isinstance(err.__cause__, (MemoryError, RecursionError))
    except BaseException as err:  # anything else escaping is the failure this test exists for
        pytest.fail(f"{case}: {type(err).__name__} escaped: {err}")
    else:
        pytest.fail(f"{case}: the file loaded")
    assert time.perf_counter() - start < 5  # refused up front, not after reading a huge claim


@pytest.mark.parametrize("case", ["claims_1e15_float64", "random_bytes", "meta_json_list"])
def test_file_objects_get_the_same_errors(case):
    data, words = CORPUS[case]
    buf = io.BytesIO(data)
    with pytest.raises(SerializationError, match=words):
        tidu.load(buf)


def test_a_directory_is_refused_by_name(tmp_path):
    folder = tmp_path / "model.npz"
    folder.mkdir()
    with pytest.raises(SerializationError) as err:
        tidu.load(folder)
    assert str(err.value) == f"load({str(folder)!r}): it is a directory, not an .npz file"
    with pytest.raises(FileNotFoundError):  # a missing file stays what open() raises
        tidu.load(tmp_path / "nowhere.npz")


def test_sizes_are_checked_before_anything_is_allocated(tmp_path):
    """A header claiming 80 MB over 16 bytes of data fails before its array is allocated."""
    path = tmp_path / "liar.npz"
    path.write_bytes(_zip({"w.npy": _npy(header={**_F8, "shape": (10 ** 7,)}, data=b"\0" * 16)}))
    tracemalloc.start()
    try:
        with pytest.raises(SerializationError, match="80000000 bytes"):
            tidu.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2 ** 20, f"{peak} bytes allocated while refusing the file"


def test_nothing_is_read_from_a_file_with_one_bad_member(tmp_path, monkeypatch):
    """Every member is checked before any array is read: a bad last member means no reads."""
    reads = []
    real = tidu.serialization._read_member
    monkeypatch.setattr(tidu.serialization, "_read_member",
                        lambda *a, **k: reads.append(1) or real(*a, **k))
    path = tmp_path / "mixed.npz"
    path.write_bytes(_zip({"a.npy": _npy(np.ones(3)), "b.npy": _npy(np.ones(3)),
                           "z.npy": _npy(header={**_F8, "shape": (_HUGE,)})}))
    with pytest.raises(SerializationError, match="'z'"):
        tidu.load(path)
    assert reads == []
    path.write_bytes(_zip({"a.npy": _npy(np.ones(3)), "b.npy": _npy(np.ones(3))}))
    assert list(tidu.load(path)) == ["a", "b"] and len(reads) == 2  # the spy does see reads


def test_deflated_and_plain_archives_still_load(tmp_path):
    """The checks refuse liars only: np.savez_compressed, np.savez and tidu.save files load."""
    arrays = {"w": np.arange(6.0).reshape(2, 3), "f": np.asfortranarray(np.eye(3, dtype="f4")),
              "s": np.array(["a", "bc"]), "e": np.zeros((0, 4)), "be": np.arange(3, dtype=">i4"),
              "r": np.zeros(3, [("x", "<i4"), ("y", "<f8")]),
              "z": np.zeros(10 ** 5)}
    np.savez_compressed(tmp_path / "c.npz", **arrays)
    np.savez(tmp_path / "p.npz", **arrays)
    for name in ("c.npz", "p.npz"):
        loaded = tidu.load(tmp_path / name)
        assert set(loaded) == set(arrays)
        for key, value in arrays.items():
            assert loaded[key].dtype == value.dtype
            np.testing.assert_array_equal(loaded[key], value)
    nested = {"a": {"..": np.ones(2), "": {"/x": np.zeros(1)}}, "deep": _deep_list(MAX_DEPTH - 1)}
    tidu.save(nested, tmp_path / "t.npz")
    loaded = tidu.load(tmp_path / "t.npz")
    np.testing.assert_array_equal(loaded["a"][".."], np.ones(2))
    np.testing.assert_array_equal(loaded["a"][""]["/x"], np.zeros(1))
    assert loaded["deep"] == _deep_list(MAX_DEPTH - 1)
    with zipfile.ZipFile(tmp_path / "t.npz") as zf:  # no name a zip tool would misplace
        assert not any(n.startswith("/") or ".." in n.split("/") for n in zf.namelist())


def _deep_list(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


def test_save_refuses_too_deep_and_self_containing_values(tmp_path):
    with pytest.raises(SerializationError, match=f"nested deeper than {MAX_DEPTH} levels"):
        tidu.save(_deep_list(MAX_DEPTH + 2), tmp_path / "deep.npz")
    loop = []
    loop.append(loop)
    with pytest.raises(SerializationError, match="holds itself"):
        tidu.save({"loop": loop}, tmp_path / "loop.npz")
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- permissions
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_save_creates_files_under_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        tidu.save({"w": np.ones(2)}, tmp_path / "w.npz")
        tidu.save({"w": np.ones(3)}, tmp_path / "w.npz")  # replacing keeps to the umask too
    finally:
        os.umask(previous)
    assert os.stat(tmp_path / "w.npz").st_mode & 0o777 == mode
    assert os.listdir(tmp_path) == ["w.npz"]  # no temporary left behind
    np.testing.assert_array_equal(tidu.load(tmp_path / "w.npz")["w"], np.ones(3))
