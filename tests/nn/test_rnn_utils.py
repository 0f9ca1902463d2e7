"""``tidu.nn.utils.rnn`` as ``torch.nn.utils.rnn``: pad_sequence (values and gradients),
unpad_sequence, and the one-line refusal of packed sequences."""
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


def test_packed_sequences_are_refused_in_one_line():
    with pytest.raises(NotImplementedError, match="packed sequences are not supported"):
        rnn.pack_padded_sequence(tidu.zeros(3, 2, 1), [3, 2])
    with pytest.raises(ValueError, match="trailing shape"):
        rnn.pad_sequence([tidu.zeros(2, 3), tidu.zeros(2, 4)])
