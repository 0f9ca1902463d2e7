"""TransformerDecoderLayer, TransformerDecoder and Transformer against PyTorch in eval mode
(dropout off): same parameter names (a torch state_dict loads), outputs and every gradient
in float64 with causal target masks and key padding masks; the causal mask itself."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tests.oracle import compare_module

pytestmark = [pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
              pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")]


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _masks(lib, n, s, t):
    src_pad = np.zeros((n, s), bool)
    src_pad[0, s - 2:] = True
    tgt_pad = np.zeros((n, t), bool)
    tgt_pad[1, t - 1] = True
    causal = lib.nn.Transformer.generate_square_subsequent_mask(t, dtype=lib.float64)
    return causal, lib.tensor(src_pad), lib.tensor(tgt_pad)


def _lib(module):
    return torch if isinstance(module, torch.nn.Module) else tidu


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_matches_torch_with_masks(batch_first, norm_first):
    torch.manual_seed(0)
    kw = dict(dim_feedforward=16, batch_first=batch_first, norm_first=norm_first)
    n, s, t = 3, 6, 5
    src = _x(n, s, 8) if batch_first else _x(s, n, 8)
    tgt = _x(n, t, 8, seed=1) if batch_first else _x(t, n, 8, seed=1)

    def call(m, a, b):
        causal, src_pad, tgt_pad = _masks(_lib(m), n, s, t)
        return m(a, b, tgt_mask=causal, src_key_padding_mask=src_pad,
                 tgt_key_padding_mask=tgt_pad, memory_key_padding_mask=src_pad)

    compare_module(nn.Transformer(8, 2, 2, 2, **kw), torch.nn.Transformer(8, 2, 2, 2, **kw),
                   src, tgt, train=False, call=call)


def test_decoder_layer_and_stack_match_torch():
    torch.manual_seed(1)
    kw = dict(dim_feedforward=12, batch_first=True, activation="gelu")
    tgt, memory = _x(2, 4, 8), _x(2, 7, 8, seed=1)
    memory_mask = np.zeros((4, 7))
    memory_mask[:, 5:] = -np.inf

    def call(m, a, b):
        causal, _, tgt_pad = _masks(_lib(m), 2, 7, 4)
        return m(a, b, tgt_mask=causal, memory_mask=_lib(m).tensor(memory_mask),
                 tgt_key_padding_mask=tgt_pad)

    compare_module(nn.TransformerDecoderLayer(8, 2, **kw),
                   torch.nn.TransformerDecoderLayer(8, 2, **kw), tgt, memory, train=False, call=call)
    stack_t = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(8, 2, **kw), 2,
                                          norm=torch.nn.LayerNorm(8))
    stack = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, **kw), 2, norm=nn.LayerNorm(8))
    compare_module(stack, stack_t, tgt, memory, train=False, call=call)


def test_unbatched_and_state_dict_keys():
    torch.manual_seed(2)
    t = torch.nn.Transformer(8, 2, 1, 1, dim_feedforward=8)
    m = nn.Transformer(8, 2, 1, 1, dim_feedforward=8)
    assert list(m.state_dict()) == list(t.state_dict())
    compare_module(m, t, _x(6, 8), _x(4, 8, seed=1), train=False)


def test_generate_square_subsequent_mask():
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    expected = torch.nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(mask.cpu().numpy(), expected.cpu().numpy())
    assert mask.dtype == tidu.float32


def test_default_init_is_xavier_and_training_dropout_is_random():
    tidu.manual_seed(0)
    m = nn.Transformer(16, 4, 1, 1, dim_feedforward=32, dropout=0.5, batch_first=True)
    w = m.decoder.layers[0].linear1.weight.cpu().numpy()
    bound = np.sqrt(6.0 / (16 + 32))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    src, tgt = tidu.randn(2, 5, 16), tidu.randn(2, 3, 16)
    assert not np.allclose(m(src, tgt).cpu().numpy(), m(src, tgt).cpu().numpy())
    m.eval()
    np.testing.assert_array_equal(m(src, tgt).cpu().numpy(), m(src, tgt).cpu().numpy())


def test_errors():
    m = nn.Transformer(8, 2, 1, 1, dim_feedforward=8, batch_first=True)
    with pytest.raises(ValueError, match="batch number of src and tgt must be equal"):
        m(tidu.randn(2, 5, 8), tidu.randn(3, 4, 8))
    with pytest.raises(ValueError, match="feature number of src and tgt must be equal to d_model=8"):
        m(tidu.randn(2, 5, 8), tidu.randn(2, 4, 6))
    with pytest.raises(TypeError, match="decoder_layer must be a Module"):
        nn.TransformerDecoder("layer", 2)
    with pytest.raises(ValueError, match="activation"):
        nn.TransformerDecoderLayer(8, 2, activation="tanh")
