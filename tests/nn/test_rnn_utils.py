"""``tidu.nn.utils.rnn`` as ``torch.nn.utils.rnn``: pad_sequence (values and gradients),
unpad_sequence, packing and unpacking (values, gradients, errors)."""
import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as trnn

import tidu
from tidu.nn.utils import rnn

RNG = np.random.default_rng(2)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_values_and_gradients(batch_first, side):
    arrays = [RNG.standard_normal((n, 3)) for n in (4, 1, 3)]
    weights = RNG.standard_normal((4, 3, 3) if not batch_first else (3, 4, 3))
    grads = []
    for lib, mod in ((tidu, rnn), (torch, trnn)):
        seqs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = mod.pad_sequence(seqs, batch_first=batch_first, padding_value=-2.0,
                               padding_side=side)
        (out * lib.tensor(weights)).sum().backward()
        grads.append(([s.grad.cpu().numpy() for s in seqs], out.detach().cpu().numpy()))
    np.testing.assert_array_equal(grads[0][1], grads[1][1])
    for ours, theirs in zip(grads[0][0], grads[1][0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_unpad_sequence_inverts_pad():
    seqs = [tidu.tensor(RNG.standard_normal((n, 2))) for n in (3, 1)]
    back = rnn.unpad_sequence(rnn.pad_sequence(seqs), tidu.tensor([3, 1]))
    for a, b in zip(seqs, back):
        np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_pack_and_pad_packed_match_torch_with_gradients(batch_first, enforce_sorted):
    lengths = [5, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4]
    x = RNG.standard_normal((4, 5, 3) if batch_first else (5, 4, 3))
    results = []
    for lib, mod in ((tidu, rnn), (torch, trnn)):
        xt = lib.tensor(x, requires_grad=True)
        packed = mod.pack_padded_sequence(xt, lib.tensor(lengths), batch_first=batch_first,
                                          enforce_sorted=enforce_sorted)
        padded, lens = mod.pad_packed_sequence(packed, batch_first=batch_first,
                                               padding_value=-1.0, total_length=6)
        (packed.data * lib.tensor(np.arange(packed.data.shape[0] * 3.0).reshape(-1, 3))).sum()\
            .backward()
        index = [None if i is None else i.tolist()
                 for i in (packed.sorted_indices, packed.unsorted_indices)]
        results.append((packed.data.detach().cpu().numpy(), packed.batch_sizes.tolist(), index,
                        padded.detach().cpu().numpy(), lens.tolist(), xt.grad.cpu().numpy()))
    ours, theirs = results
    for a, b in zip(ours, theirs):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


def test_pack_sequence_and_unpack_sequence_round_trip():
    arrays = [RNG.standard_normal((n, 2)) for n in (2, 4, 3)]
    ours = rnn.pack_sequence([tidu.tensor(a) for a in arrays], enforce_sorted=False)
    theirs = trnn.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=False)
    np.testing.assert_array_equal(ours.data.cpu().numpy(), theirs.data.numpy())
    for a, back in zip(arrays, rnn.unpack_sequence(ours)):
        np.testing.assert_array_equal(a, back.cpu().numpy())
    assert isinstance(ours.to(tidu.float32).data, tidu.Tensor)
    assert ours.float().data.dtype == tidu.float32


def test_packing_errors_say_what_is_wrong():
    x = tidu.zeros(3, 2, 1)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        rnn.pack_padded_sequence(x, [2, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        rnn.pack_padded_sequence(x, [3, 0], enforce_sorted=False)
    with pytest.raises(ValueError, match="expected 2 lengths"):
        rnn.pack_padded_sequence(x, [3, 2, 1])
    packed = rnn.pack_padded_sequence(x, [3, 2])
    with pytest.raises(ValueError, match="total_length to be at least"):
        rnn.pad_packed_sequence(packed, total_length=2)
    with pytest.raises(ValueError, match="trailing shape"):
        rnn.pad_sequence([tidu.zeros(2, 3), tidu.zeros(2, 4)])
