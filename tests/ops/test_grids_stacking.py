"""meshgrid, cartesian_prod, combinations, vander, kron, tensordot, cross, the stacking
functions and the diagonals against PyTorch (float64), gradients included."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import assert_close, compare_fn, finite_difference_check

RNG = np.random.default_rng(3)


def _x(*shape):
    return RNG.standard_normal(shape)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    compare_fn(lambda a, b, c: tidu.meshgrid(a, b, c, indexing=indexing),
               lambda a, b, c: torch.meshgrid(a, b, c, indexing=indexing), _x(2), _x(3), _x(4))
    compare_fn(lambda a, b: tidu.meshgrid([a, b], indexing=indexing),
               lambda a, b: torch.meshgrid([a, b], indexing=indexing), np.array(1.5), _x(3))


def test_meshgrid_default_warns_and_errors():
    with pytest.warns(UserWarning, match="indexing argument"):
        grids = tidu.meshgrid(tidu.ones(2), tidu.ones(3))
    assert grids[0].shape == (2, 3)
    with pytest.raises(ValueError, match="indexing must be one of"):
        tidu.meshgrid(tidu.ones(2), indexing="ji")
    with pytest.raises(IndexError, match="0D or 1D"):
        tidu.meshgrid(tidu.ones(2, 2), indexing="ij")


def test_cartesian_prod():
    compare_fn(tidu.cartesian_prod, torch.cartesian_prod, _x(2), _x(3), _x(2))
    compare_fn(tidu.cartesian_prod, torch.cartesian_prod, _x(4))
    with pytest.raises(IndexError, match="1-D tensors"):
        tidu.cartesian_prod(tidu.ones(2, 2), tidu.ones(2))


@pytest.mark.parametrize("r,rep", [(2, False), (3, False), (2, True), (1, False), (0, False),
                                   (6, False), (3, True)])
def test_combinations(r, rep):
    out = compare_fn(lambda t: tidu.combinations(t, r=r, with_replacement=rep),
                     lambda t: torch.combinations(t, r=r, with_replacement=rep), _x(4), grad=r > 0)
    assert out.requires_grad == (r > 0)


def test_combinations_errors():
    with pytest.raises(IndexError, match="1-D tensor"):
        tidu.combinations(tidu.ones(2, 2))
    with pytest.raises(ValueError, match="r must be a non-negative int"):
        tidu.combinations(tidu.ones(3), r=-1)


@pytest.mark.parametrize("n,increasing", [(None, False), (5, True), (1, False), (0, True)])
def test_vander(n, increasing):
    x = _x(4)
    x[1] = 0.0
    # torch 2.13's own vander backward fails (an in-place cumprod): outputs from torch,
    # gradients by finite differences
    compare_fn(lambda t: tidu.vander(t, N=n, increasing=increasing),
               lambda t: torch.vander(t, N=n, increasing=increasing), x, grad=False)
    finite_difference_check(lambda t: tidu.vander(t, N=n, increasing=increasing), x)


def test_vander_int_and_errors():
    assert_close(tidu.vander(tidu.tensor([1, 2, 3])), torch.vander(torch.tensor([1, 2, 3])), "int")
    assert tidu.vander(tidu.tensor([1, 2])).dtype == np.int64
    with pytest.raises(IndexError, match="1-D tensor"):
        tidu.vander(tidu.ones(2, 2))
    with pytest.raises(ValueError, match="N must be a non-negative int"):
        tidu.vander(tidu.ones(2), N=-1)


@pytest.mark.parametrize("sa,sb", [((2, 3), (3, 2)), ((2,), (3, 4)), ((2, 1, 3), (2, 2)), ((), (3,))])
def test_kron(sa, sb):
    compare_fn(tidu.kron, torch.kron, _x(*sa), _x(*sb))
    compare_fn(lambda a, b: a.kron(b), lambda a, b: a.kron(b), _x(*sa), _x(*sb))


@pytest.mark.parametrize("dims,shape_b", [(2, (3, 4, 5)), (1, (4, 5)), (0, (2,)),
                                          (([1, 0], [0, 1]), (3, 2, 5)), (([2], [0]), (4, 3)),
                                          (([1], [1]), (2, 3, 5))])
def test_tensordot(dims, shape_b):
    compare_fn(lambda a, b: tidu.tensordot(a, b, dims=dims),
               lambda a, b: torch.tensordot(a, b, dims=dims), _x(2, 3, 4), _x(*shape_b))


def test_tensordot_errors():
    with pytest.raises(ValueError, match="contracted dims differ"):
        tidu.tensordot(tidu.ones(2, 3), tidu.ones(2, 3), dims=1)
    with pytest.raises(ValueError, match="dims >= 0"):
        tidu.tensordot(tidu.ones(2, 3), tidu.ones(3, 2), dims=-1)


def test_cross():
    compare_fn(lambda a, b: tidu.cross(a, b, dim=1), lambda a, b: torch.cross(a, b, dim=1),
               _x(4, 3), _x(4, 3))
    compare_fn(lambda a, b: a.cross(b, dim=-1), lambda a, b: a.cross(b, dim=-1),
               _x(2, 1, 3), _x(2, 5, 3))
    with pytest.warns(UserWarning, match="without specifying the dim"):
        compare_fn(lambda a, b: tidu.cross(a, b), lambda a, b: torch.cross(a, b),
                   _x(3, 3, 2), _x(3, 3, 2))
    with pytest.raises(ValueError, match="must have length 3"):
        tidu.cross(tidu.ones(4, 2), tidu.ones(4, 2), dim=1)


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast(name):
    for shape in [(), (3,), (2, 3), (2, 3, 4)]:
        compare_fn(lambda t: getattr(tidu, name)(t), lambda t: getattr(torch, name)(t), _x(*shape))
    compare_fn(lambda a, b: getattr(tidu, name)(a, b), lambda a, b: getattr(torch, name)(a, b),
               np.array(2.0), _x(3))
    compare_fn(lambda a, b: getattr(tidu, name)([a, b]), lambda a, b: getattr(torch, name)([a, b]),
               np.array(2.0), _x(3))


@pytest.mark.parametrize("name", ["hstack", "vstack", "row_stack", "dstack", "column_stack"])
@pytest.mark.parametrize("shapes", [((3,), (2,)), ((2, 3), (2, 3)), ((), ()), ((3,), (3,))])
def test_stacks(name, shapes):
    if name in ("vstack", "row_stack", "dstack", "column_stack") and shapes == ((3,), (2,)):
        shapes = ((3,), (3,))
    compare_fn(lambda a, b: getattr(tidu, name)([a, b]), lambda a, b: getattr(torch, name)([a, b]),
               _x(*shapes[0]), _x(*shapes[1]))


def test_stacks_need_a_sequence():
    with pytest.raises(TypeError, match="hstack: expected a sequence of tensors"):
        tidu.hstack(tidu.ones(3))


def test_column_stack_mixed():
    compare_fn(lambda a, b: tidu.column_stack((a, b)), lambda a, b: torch.column_stack((a, b)),
               _x(3), _x(3, 2))


def test_block_diag():
    compare_fn(tidu.block_diag, torch.block_diag, np.array(1.0), _x(2), _x(2, 3), _x(0, 2))
    with pytest.raises(IndexError, match="2 or fewer dims"):
        tidu.block_diag(tidu.ones(2, 2, 2))


def test_flips():
    compare_fn(tidu.flipud, torch.flipud, _x(3, 2))
    compare_fn(lambda t: t.fliplr(), lambda t: t.fliplr(), _x(3, 2, 2))
    with pytest.raises(IndexError, match="at least 2 dims"):
        tidu.fliplr(tidu.ones(3))


@pytest.mark.parametrize("k,dims", [(1, [0, 1]), (2, [0, 1]), (3, [1, 2]), (-1, [2, 0]), (4, [0, 1]),
                                    (5, [-1, -2])])
def test_rot90(k, dims):
    compare_fn(lambda t: tidu.rot90(t, k, dims), lambda t: torch.rot90(t, k, dims), _x(2, 3, 4))
    compare_fn(lambda t: t.rot90(), lambda t: t.rot90(), _x(2, 3))


def test_rot90_errors():
    with pytest.raises(ValueError, match="rotation dims == 2"):
        tidu.rot90(tidu.ones(2, 2), 1, [0, 1, 2])
    with pytest.raises(IndexError, match="must differ"):
        tidu.rot90(tidu.ones(2, 2), 1, [1, 1])
    with pytest.raises(IndexError, match="dims >= 2"):
        tidu.rot90(tidu.ones(2), 1, [0, 0])


@pytest.mark.parametrize("offset,d1,d2", [(0, 0, 1), (1, 0, 1), (-2, 1, 2), (1, 2, 0), (-1, -1, -3),
                                          (5, 0, 1)])
def test_diagonal(offset, d1, d2):
    compare_fn(lambda t: tidu.diagonal(t, offset, d1, d2), lambda t: torch.diagonal(t, offset, d1, d2),
               _x(3, 4, 5))
    compare_fn(lambda t: t.diagonal(offset=offset, dim1=d1, dim2=d2),
               lambda t: t.diagonal(offset=offset, dim1=d1, dim2=d2), _x(4, 3, 2))


@pytest.mark.parametrize("offset,d1,d2", [(0, -2, -1), (1, 0, 2), (-2, 2, 0), (2, 1, -1)])
def test_diag_embed(offset, d1, d2):
    compare_fn(lambda t: tidu.diag_embed(t, offset, d1, d2),
               lambda t: torch.diag_embed(t, offset, d1, d2), _x(2, 3))
    compare_fn(lambda t: t.diag_embed(offset), lambda t: t.diag_embed(offset), _x(4))


@pytest.mark.parametrize("offset", [0, 2, -1])
def test_diagflat(offset):
    compare_fn(lambda t: tidu.diagflat(t, offset), lambda t: torch.diagflat(t, offset), _x(2, 2))
    compare_fn(lambda t: t.diagflat(offset), lambda t: t.diagflat(offset), np.array(3.0))


def test_diagonal_errors():
    with pytest.raises(IndexError, match="at least 2 dims"):
        tidu.diagonal(tidu.ones(3))
    with pytest.raises(IndexError, match="dim1 and dim2 must differ"):
        tidu.diagonal(tidu.ones(3, 3), 0, 1, -1)
    with pytest.raises(IndexError, match="at least 1 dim"):
        tidu.diag_embed(tidu.tensor(1.0))


@pytest.mark.parametrize("row,col,offset", [(3, 3, 0), (3, 5, 1), (4, 2, -1), (0, 3, 0), (3, 4, 9)])
def test_tri_indices(row, col, offset):
    assert_close(tidu.triu_indices(row, col, offset), torch.triu_indices(row, col, offset), "triu")
    assert_close(tidu.tril_indices(row, col, offset), torch.tril_indices(row, col, offset), "tril")
    assert tidu.triu_indices(row, col, offset).dtype == np.int64
    assert tidu.tril_indices(3, 3, dtype=tidu.int32).dtype == np.int32
    with pytest.raises(ValueError, match="row and col must be ≥ 0"):
        tidu.triu_indices(-1, 3)
