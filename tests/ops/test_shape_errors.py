"""Shape mistakes in the shape ops give one tidu error naming the op, the argument and the
shapes involved — never a bare NumPy error from inside."""
import numpy as np
import pytest

import tidu
from tidu.errors import DimError, IndexRangeError, ShapeError, TiduError

A = np.ones((2, 3))


def _t(shape=(2, 3)):
    return tidu.Tensor(np.ones(shape), requires_grad=True)


CASES = {
    # name: (call, error type, words the message must hold)
    "where_broadcast": (lambda: tidu.where(np.ones(4, bool), _t(), _t()), ShapeError,
                        ["where", "(4,)", "(2, 3)"]),
    "reshape_size": (lambda: _t().reshape(4, 2), ShapeError, ["reshape", "(2, 3)", "(4, 2)"]),
    "reshape_two_infer": (lambda: _t().reshape(-1, -1), ShapeError, ["reshape", "-1"]),
    "reshape_negative": (lambda: _t().reshape(-2, 3), ShapeError, ["reshape", "-2"]),
    "reshape_float": (lambda: _t().reshape(2.0, 3), ShapeError, ["reshape", "2.0", "float"]),
    "view_size": (lambda: _t().view(7), ShapeError, ["reshape", "(7,)"]),
    "cat_off_axis": (lambda: tidu.cat([_t(), _t((2, 4))], 0), ShapeError,
                     ["concatenate", "(2, 3)", "(2, 4)"]),
    "cat_rank": (lambda: tidu.cat([_t(), _t((2, 3, 1))], 0), ShapeError,
                 ["concatenate", "rank", "(2, 3, 1)"]),
    "cat_0d": (lambda: tidu.cat([tidu.Tensor(1.0), tidu.Tensor(2.0)]), ShapeError,
               ["concatenate", "0-d"]),
    "cat_one_tensor": (lambda: tidu.cat(_t()), TypeError, ["concatenate", "sequence"]),
    "cat_empty": (lambda: tidu.cat([]), ValueError, ["concatenate", "at least one"]),
    "stack_shapes": (lambda: tidu.stack([_t(), _t((3, 2))]), ShapeError,
                     ["stack", "(2, 3)", "(3, 2)"]),
    "permute_length": (lambda: _t().permute(1, 0, 2), ShapeError, ["permute", "3 entries", "2 dims"]),
    "permute_repeat": (lambda: _t().permute(0, 0), ShapeError, ["permute", "not a permutation"]),
    "flatten_order": (lambda: _t((2, 3, 4)).flatten(2, 1), DimError, ["flatten", "start_dim=2"]),
    "index_range": (lambda: _t()[5], IndexRangeError, ["(2, 3)", "5"]),
    "index_column": (lambda: _t()[:, 3], IndexRangeError, ["(2, 3)", "3"]),
    "index_array": (lambda: _t()[np.array([0, 2])], IndexRangeError, ["(2, 3)", "2"]),
    "pad_rank": (lambda: tidu.pad(_t(), [(1, 1)] * 3), ShapeError, ["pad", "2 dims"]),
    "pad_negative": (lambda: tidu.pad(_t(), 1 - 2), ValueError, ["pad", "≥ 0"]),
    "dim_not_int": (lambda: _t().sum(1.5), DimError, ["sum", "axis", "1.5"]),
    "unsqueeze_str": (lambda: _t().unsqueeze("0"), DimError, ["unsqueeze", "'0'"]),
    "matmul_inner": (lambda: _t() @ _t(), ShapeError, ["matmul", "3 and 2"]),
    "add_broadcast": (lambda: _t() + _t((4,)), ShapeError, ["add", "(2, 3)", "(4,)"]),
}


@pytest.mark.parametrize("case", CASES)
def test_shape_mistakes_give_one_clear_error(case):
    call, kind, words = CASES[case]
    with pytest.raises(kind) as info:
        call()
    message = str(info.value)
    assert isinstance(info.value, TiduError) or kind in (TypeError, ValueError)
    assert type(info.value).__module__.startswith(("tidu", "builtins"))
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_valid_calls_still_work_and_differentiate():
    t = _t((2, 3, 4))
    out = tidu.cat([t, t], -1).reshape(2, -1).transpose(0, 1).sum()
    out.backward()
    np.testing.assert_array_equal(t.grad._data, np.full((2, 3, 4), 2.0))
