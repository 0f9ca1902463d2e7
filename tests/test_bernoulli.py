"""torch.bernoulli / Tensor.bernoulli / bernoulli_: shapes, dtypes, frequencies, errors."""
import numpy as np
import pytest

import tidu
from tidu.errors import ArgumentError, DTypeError


def test_frequencies_follow_the_probabilities():
    tidu.manual_seed(1)
    probs = tidu.tensor(np.tile([0.0, 0.2, 0.5, 1.0], (20000, 1)), dtype=tidu.float64)
    draws = tidu.bernoulli(probs)
    assert draws.shape == probs.shape and draws.dtype == np.float64 and not draws.requires_grad
    freq = draws.mean(0).cpu().numpy()
    se = np.sqrt(0.25 / 20000)
    assert freq[0] == 0 and freq[3] == 1 and abs(freq[1] - 0.2) < 4 * se and abs(freq[2] - 0.5) < 4 * se
    assert set(np.unique(draws.cpu().numpy())) <= {0.0, 1.0}


def test_seeded_number_p_and_in_place_forms():
    tidu.manual_seed(3)
    a = tidu.zeros(500).bernoulli_(0.3)
    tidu.manual_seed(3)
    b = tidu.zeros(500).bernoulli_(0.3)
    assert a.tolist() == b.tolist() and 0.2 < a.mean().item() < 0.4
    assert tidu.bernoulli(tidu.zeros(300), p=1.0).sum().item() == 300
    assert tidu.zeros(4).bernoulli_(tidu.tensor([0.0, 1.0, 0.0, 1.0])).tolist() == [0, 1, 0, 1]
    assert tidu.full((200,), 0.5).bernoulli().shape == (200,)


def test_refusals():
    with pytest.raises(ArgumentError, match=r"probabilities must lie in \[0, 1\]"):
        tidu.bernoulli(tidu.tensor([0.5, 1.5]))
    with pytest.raises(DTypeError, match="float tensor"):
        tidu.bernoulli(tidu.tensor([0, 1]))
    with pytest.raises(ArgumentError, match="bernoulli_"):
        tidu.zeros(3).bernoulli_(-0.1)
