"""scaled_dot_product_attention, MultiheadAttention, TransformerEncoderLayer and
TransformerEncoder against PyTorch float64: outputs, attention weights, input and every
parameter gradient (torch's state_dict loaded into tidu), in eval mode (dropout off)."""
import doctest

import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import ArgumentError, ShapeError
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module, finite_difference_check

TF = torch.nn.functional


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def masks(n=3, L=4, s=5, heads=2, seed=7):
    """A bool key padding mask (no row fully padded) and bool/float attention masks."""
    rng = np.random.default_rng(seed)
    kpm = np.zeros((n, s), dtype=bool)
    kpm[1 % n, 3:] = True
    kpm[n - 1, 4:] = True
    causal = np.triu(np.ones((L, s), dtype=bool), k=1)
    return dict(kpm=kpm, kpm_float=np.where(kpm, -1e9, 0.0) + rng.normal(0, .1, (n, s)),
                bool2d=causal, float2d=rng.normal(0, 1, (L, s)),
                bool3d=rng.random((n * heads, L, s)) < 0.3 * ~np.eye(L, s, dtype=bool))


def wrap(value, torch_side):
    if value is None:
        return None
    return torch.tensor(value) if torch_side else tidu.Tensor(value, dtype=value.dtype)


# --------------------------------------------------------------------------- sdpa
@pytest.mark.parametrize("mask_kind", [None, "bool", "float", "causal"])
def test_sdpa_matches_torch(mask_kind):
    q, k, v = rand(2, 3, 4, 6), rand(2, 3, 5, 6, seed=1), rand(2, 3, 5, 7, seed=2)
    rng = np.random.default_rng(3)
    mask = {None: None, "causal": None, "float": rng.normal(0, 1, (4, 5)),
            "bool": rng.random((2, 1, 4, 5)) < 0.7}[mask_kind]
    if mask is not None and mask.dtype == bool:
        mask[..., 0] = True  # every query keeps one key
    causal = mask_kind == "causal"
    compare_fn(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, wrap(mask, False),
                                                              is_causal=causal),
               lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, wrap(mask, True),
                                                               is_causal=causal), q, k, v)


def test_sdpa_scale_and_finite_differences():
    q, k, v = rand(4, 3), rand(5, 3, seed=1), rand(5, 2, seed=2)
    compare_fn(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, scale=0.3),
               lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, scale=0.3), q, k, v)
    finite_difference_check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v), q, k, v)


def test_sdpa_errors():
    q = tidu.zeros(2, 4, 3)
    with pytest.raises(ShapeError, match="same embedding size"):
        F.scaled_dot_product_attention(q, tidu.zeros(2, 5, 4), tidu.zeros(2, 5, 4))
    with pytest.raises(ArgumentError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((4, 4), bool), is_causal=True)
    with pytest.raises(ShapeError, match="does not broadcast"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 4), bool))


# --------------------------------------------------------------------------- MultiheadAttention
def call_mha(kpm=None, am=None, **kw):
    def call(m, q, k, v):
        torch_side = isinstance(m, torch.nn.Module)
        return m(q, k, v, key_padding_mask=wrap(kpm, torch_side), attn_mask=wrap(am, torch_side),
                 **kw)
    return call


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("kpm,am", [(None, None), ("kpm", None), (None, "bool2d"),
                                    ("kpm", "bool3d"), ("kpm_float", "float2d"),
                                    (None, "float2d")])
def test_mha_matches_torch(batch_first, kpm, am):
    m = masks()
    torch.manual_seed(0)
    ref = torch.nn.MultiheadAttention(6, 2, batch_first=batch_first)
    layer = nn.MultiheadAttention(6, 2, batch_first=batch_first)
    shape_q, shape_kv = ((3, 4, 6), (3, 5, 6)) if batch_first else ((4, 3, 6), (5, 3, 6))
    out, weights = compare_module(layer, ref, rand(*shape_q), rand(*shape_kv, seed=1),
                                  rand(*shape_kv, seed=2), train=False,
                                  call=call_mha(m.get(kpm), m.get(am)))
    assert weights.shape == (3, 4, 5)


@pytest.mark.parametrize("kw", [dict(need_weights=False), dict(average_attn_weights=False)])
def test_mha_weight_options(kw):
    torch.manual_seed(1)
    ref, layer = torch.nn.MultiheadAttention(4, 2), nn.MultiheadAttention(4, 2)
    out, weights = compare_module(layer, ref, rand(3, 2, 4), rand(5, 2, 4, seed=1),
                                  rand(5, 2, 4, seed=2), train=False,
                                  call=call_mha(masks(2, 3, 5)["kpm"][:2], **kw))
    assert (weights is None) == ("need_weights" in kw)
    if weights is not None:
        assert weights.shape == (2, 2, 3, 5)


@pytest.mark.parametrize("kw", [dict(kdim=3, vdim=5), dict(add_bias_kv=True),
                                dict(add_zero_attn=True, bias=False),
                                dict(add_bias_kv=True, add_zero_attn=True, kdim=3)])
def test_mha_variants_match_torch(kw):
    torch.manual_seed(2)
    ref, layer = torch.nn.MultiheadAttention(4, 2, **kw), nn.MultiheadAttention(4, 2, **kw)
    assert list(dict(layer.named_parameters())) == list(dict(ref.named_parameters()))
    m = masks(2, 3, 5)
    compare_module(layer, ref, rand(3, 2, 4), rand(5, 2, kw.get("kdim", 4), seed=1),
                   rand(5, 2, kw.get("vdim", 4), seed=2), train=False,
                   call=call_mha(m["kpm_float"], m["float2d"][:3]))


def test_mha_unbatched_matches_torch():
    torch.manual_seed(3)
    ref, layer = torch.nn.MultiheadAttention(4, 2), nn.MultiheadAttention(4, 2)
    kpm = np.array([False, False, True, False, True])
    out, weights = compare_module(layer, ref, rand(3, 4), rand(5, 4, seed=1), rand(5, 4, seed=2),
                                  train=False, call=call_mha(kpm, masks(1, 3, 5)["bool3d"]))
    assert out.shape == (3, 4) and weights.shape == (3, 5)


def test_mha_init_and_state_dict_as_torch():
    layer, ref = nn.MultiheadAttention(8, 4), torch.nn.MultiheadAttention(8, 4)
    sd, ref_sd = layer.state_dict(), ref.state_dict()
    assert list(sd) == list(ref_sd)
    for key in sd:
        assert tuple(np.shape(sd[key])) == tuple(ref_sd[key].shape), key
    assert np.all(layer.in_proj_bias.cpu().numpy() == 0) and np.all(layer.out_proj.bias.cpu().numpy() == 0)
    bound = np.sqrt(6 / (8 + 24))  # xavier_uniform_ on (3E, E)
    w = layer.in_proj_weight.cpu().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound


def test_mha_dropout_in_training_only():
    torch.manual_seed(4)
    layer = nn.MultiheadAttention(4, 2, dropout=0.5).double()
    x = tidu.Tensor(rand(6, 3, 4), dtype=np.float64)
    layer.eval()
    _, w_eval = layer(x, x, x, average_attn_weights=False)
    _, w_eval2 = layer(x, x, x, average_attn_weights=False)
    np.testing.assert_array_equal(w_eval.cpu().numpy(), w_eval2.cpu().numpy())
    layer.train()
    _, w_train = layer(x, x, x, average_attn_weights=False)
    kept = w_train.cpu().numpy() != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(w_train.cpu().numpy()[kept] * 0.5, w_eval.cpu().numpy()[kept], rtol=1e-12)


def test_mha_errors():
    with pytest.raises(ArgumentError, match="divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
    layer = nn.MultiheadAttention(4, 2)
    x = tidu.zeros(3, 2, 4)
    with pytest.raises(ArgumentError, match="needs attn_mask"):
        layer(x, x, x, is_causal=True)
    with pytest.raises(ShapeError, match="key_padding_mask must have shape"):
        layer(x, x, x, key_padding_mask=np.zeros((3, 2), bool))
    with pytest.raises(ShapeError, match="attn_mask must have shape"):
        layer(x, x, x, attn_mask=np.zeros((2, 3), bool))
    with pytest.raises(ShapeError, match="embedding size 4"):
        layer(tidu.zeros(3, 2, 5), x, x)


# --------------------------------------------------------------------------- encoder
def call_encoder(kpm=None, mask=None, layer_api=False):
    def call(m, x):
        torch_side = isinstance(m, torch.nn.Module)
        if layer_api:
            return m(x, src_mask=wrap(mask, torch_side), src_key_padding_mask=wrap(kpm, torch_side))
        return m(x, mask=wrap(mask, torch_side), src_key_padding_mask=wrap(kpm, torch_side))
    return call


@pytest.mark.parametrize("norm_first,activation,batch_first",
                         [(False, "relu", True), (True, "gelu", False), (False, "gelu", False),
                          (True, "relu", True)])
def test_encoder_layer_matches_torch(norm_first, activation, batch_first):
    torch.manual_seed(5)
    kw = dict(dim_feedforward=8, dropout=0.1, activation=activation, batch_first=batch_first,
              norm_first=norm_first)
    ref, layer = torch.nn.TransformerEncoderLayer(6, 2, **kw), nn.TransformerEncoderLayer(6, 2, **kw)
    assert list(layer.state_dict()) == list(ref.state_dict())
    m = masks(3, 5, 5)
    x = rand(3, 5, 6) if batch_first else rand(5, 3, 6)
    compare_module(layer, ref, x, train=False,
                   call=call_encoder(m["kpm"], m["bool2d"], layer_api=True))


@pytest.mark.parametrize("with_norm", [False, True])
def test_encoder_matches_torch(with_norm):
    torch.manual_seed(6)
    ref_layer = torch.nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True)
    ref = torch.nn.TransformerEncoder(ref_layer, 3, norm=torch.nn.LayerNorm(4) if with_norm else None,
                                      enable_nested_tensor=False)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True), 3,
                                norm=nn.LayerNorm(4) if with_norm else None)
    assert list(enc.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in enc.named_parameters()] == [n for n, _ in ref.named_parameters()]
    m = masks(3, 5, 5)
    compare_module(enc, ref, rand(3, 5, 6 - 2), train=False,
                   call=call_encoder(m["kpm_float"], m["float2d"]))


def test_encoder_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(4, 2, 8)
    enc = nn.TransformerEncoder(layer, 2)
    assert len(enc.layers) == 2
    with tidu.no_grad():
        enc.layers[0].linear1.weight.fill_(1.0)
    assert not np.all(enc.layers[1].linear1.weight.cpu().numpy() == 1.0)
    assert not np.all(layer.linear1.weight.cpu().numpy() == 1.0)


def test_encoder_errors():
    with pytest.raises(ArgumentError, match="activation"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    with pytest.raises(ArgumentError, match="num_layers"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2), 0)


@pytest.mark.parametrize("obj", [nn.MultiheadAttention, nn.TransformerEncoder])
def test_docstring_example_runs(obj):
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(obj, obj.__name__, globs={}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 0
