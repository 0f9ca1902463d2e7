"""finfo, iinfo, is_floating_point, numel, result_type, promote_types, can_cast against
PyTorch."""
import numpy as np
import pytest
import torch

import tidu

PAIRS = [(tidu.float32, torch.float32), (tidu.float64, torch.float64), (tidu.int64, torch.int64),
         (tidu.int32, torch.int32), (tidu.bool, torch.bool), (np.int16, torch.int16),
         (np.uint8, torch.uint8), (np.int8, torch.int8), (tidu.float16, torch.float16)]


def _name(torch_dtype):
    return str(torch_dtype).replace("torch.", "")


@pytest.mark.parametrize("ours,theirs", [(tidu.float32, torch.float32), (tidu.float64, torch.float64),
                                         (tidu.float16, torch.float16)])
def test_finfo(ours, theirs):
    a, b = tidu.finfo(ours), torch.finfo(theirs)
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(a, attr) == getattr(b, attr), attr
    assert a.dtype == b.dtype
    assert tidu.finfo().dtype == "float32"
    with pytest.raises(TypeError, match="finfo: requires a floating point input type"):
        tidu.finfo(tidu.int64)


@pytest.mark.parametrize("ours,theirs", [(tidu.int64, torch.int64), (tidu.int32, torch.int32),
                                         (np.uint8, torch.uint8), (np.int8, torch.int8)])
def test_iinfo(ours, theirs):
    a, b = tidu.iinfo(ours), torch.iinfo(theirs)
    assert (a.bits, a.min, a.max, a.dtype) == (b.bits, b.min, b.max, b.dtype)
    with pytest.raises(TypeError, match="iinfo: requires an integer input type"):
        tidu.iinfo(tidu.float32)


def test_is_floating_point_and_numel():
    assert tidu.is_floating_point(tidu.ones(2)) is True
    assert tidu.is_floating_point(tidu.tensor([1, 2])) is False
    assert tidu.numel(tidu.ones(2, 3)) == 6
    with pytest.raises(TypeError, match="numel: input must be a tensor"):
        tidu.numel([1, 2])


@pytest.mark.parametrize("a", PAIRS, ids=lambda p: _name(p[1]))
@pytest.mark.parametrize("b", PAIRS, ids=lambda p: _name(p[1]))
def test_promote_types_and_can_cast(a, b):
    assert np.dtype(tidu.promote_types(a[0], b[0])).name == _name(torch.promote_types(a[1], b[1]))
    assert tidu.can_cast(a[0], b[0]) == torch.can_cast(a[1], b[1])


@pytest.mark.parametrize("x,y", [
    ([1, 2], 1.5), ([1, 2], 2), ([1.0], 2), ([True], 3), ([True], 2.5), (3, 2.5), (True, 2),
    ((1.0, "float64"), [1, 2]), ((1, "int64"), ([1, 2], "int32")), ((1.5, "float64"), ([1.0], "float32")),
    (([1], "uint8"), ([1], "int8")), ((2.0, "float64"), ([True], "bool"))])
def test_result_type(x, y):
    def make(lib, v):
        if isinstance(v, tuple):
            return lib.tensor(v[0], dtype=getattr(torch, v[1]) if lib is torch else np.dtype(v[1]))
        return lib.tensor(v) if isinstance(v, list) else v
    ours = tidu.result_type(make(tidu, x), make(tidu, y))
    assert np.dtype(ours).name == _name(torch.result_type(make(torch, x), make(torch, y)))
