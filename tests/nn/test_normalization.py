"""batch_norm / layer_norm and BatchNorm1d / BatchNorm2d / LayerNorm: oracle against torch in
float64 (training and eval, running statistics over several steps, momentum=None, the
options that matter), finite differences, one fused graph node, state_dict compatibility,
errors, dtype kept."""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tidu
from tidu import nn
from tidu.nn import functional as F
from tests.oracle import assert_close, compare_fn, compare_module, finite_difference_check

TF = torch.nn.functional
seeds = st.integers(0, 2**16)
# (N, C, *spatial) with more than one value per channel
bn_shapes = st.tuples(st.integers(2, 5), st.integers(1, 4),
                      st.lists(st.integers(1, 4), max_size=2).map(tuple)
                      ).map(lambda t: (t[0], t[1]) + t[2])


def _data(rng, shape):
    return rng.standard_normal(shape) * rng.uniform(0.5, 3) + rng.uniform(-2, 2)


# --------------------------------------------------------------------------- functional
@given(shape=bn_shapes, seed=seeds, training=st.booleans(), affine=st.booleans(),
       momentum=st.sampled_from([0.1, 0.5, 1.0]))
def test_batch_norm_matches_torch_and_updates_running_stats(shape, seed, training, affine, momentum):
    rng = np.random.default_rng(seed)
    C = shape[1]
    x = _data(rng, shape)
    rm, rv = rng.standard_normal(C), rng.uniform(0.5, 2, C)
    rm_t, rv_t = torch.tensor(rm), torch.tensor(rv)
    rm_tidu = tidu.Tensor(rm.copy(), dtype=np.float64)  # on the device the tests run on
    rv_tidu = tidu.Tensor(rv.copy(), dtype=np.float64)
    if affine:
        w, b = rng.standard_normal(C), rng.standard_normal(C)
        compare_fn(lambda x, w, b: F.batch_norm(x, rm_tidu, rv_tidu, w, b, training, momentum),
                   lambda x, w, b: TF.batch_norm(x, rm_t, rv_t, w, b, training, momentum), x, w, b)
    else:
        compare_fn(lambda x: F.batch_norm(x, rm_tidu, rv_tidu, training=training, momentum=momentum),
                   lambda x: TF.batch_norm(x, rm_t, rv_t, training=training, momentum=momentum), x)
    assert_close(rm_tidu, rm_t, "running_mean")
    assert_close(rv_tidu, rv_t, "running_var")
    if not training:
        np.testing.assert_array_equal(rm_tidu._data, rm)


def test_batch_norm_running_var_is_unbiased_and_normalization_biased():
    x = np.array([[1.0], [3.0]])  # batch mean 2, biased var 1, unbiased var 2
    rm, rv = tidu.Tensor(np.zeros(1), dtype=np.float64), tidu.Tensor(np.ones(1), dtype=np.float64)
    out = F.batch_norm(tidu.Tensor(x, dtype=np.float64), rm, rv, training=True, momentum=0.5, eps=0.0)
    np.testing.assert_allclose(out._data, [[-1.0], [1.0]])
    np.testing.assert_allclose(rm._data, [1.0])            # 0.5·0 + 0.5·2
    np.testing.assert_allclose(rv._data, [1.5])            # 0.5·1 + 0.5·2


def test_batch_norm_training_without_running_stats_matches_torch():
    x = _data(np.random.default_rng(0), (4, 3, 5))
    compare_fn(lambda x: F.batch_norm(x, None, None, training=True),
               lambda x: TF.batch_norm(x, None, None, training=True), x)


def test_batch_norm_accepts_tensor_running_stats_and_updates_them_in_place():
    rm, rv = tidu.Tensor(np.zeros(2), dtype=np.float64), tidu.Tensor(np.ones(2), dtype=np.float64)
    arr_m = rm._data
    x = tidu.Tensor(np.arange(8.0).reshape(4, 2), dtype=np.float64)
    F.batch_norm(x, rm, rv, training=True)
    assert rm._data is arr_m
    np.testing.assert_allclose(rm._data, 0.1 * np.array([3.0, 4.0]))


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple), seed=seeds,
       k=st.integers(1, 3), affine=st.sampled_from(["none", "weight", "both"]))
def test_layer_norm_matches_torch(shape, seed, k, affine):
    k = min(k, len(shape))
    ns = shape[len(shape) - k:]
    rng = np.random.default_rng(seed)
    x = _data(rng, shape)
    if affine == "none":
        compare_fn(lambda x: F.layer_norm(x, ns), lambda x: TF.layer_norm(x, ns), x)
    elif affine == "weight":
        compare_fn(lambda x, w: F.layer_norm(x, ns, w), lambda x, w: TF.layer_norm(x, ns, w), x,
                   rng.standard_normal(ns))
    else:
        compare_fn(lambda x, w, b: F.layer_norm(x, ns, w, b, eps=1e-3),
                   lambda x, w, b: TF.layer_norm(x, ns, w, b, eps=1e-3), x,
                   rng.standard_normal(ns), rng.standard_normal(ns))


def test_layer_norm_accepts_an_int_normalized_shape():
    x = _data(np.random.default_rng(1), (3, 5))
    compare_fn(lambda x: F.layer_norm(x, 5), lambda x: TF.layer_norm(x, (5,)), x)


def test_normalization_is_one_fused_graph_node():
    x = tidu.Tensor(np.ones((4, 3, 2)) + np.arange(24).reshape(4, 3, 2), requires_grad=True)
    w = tidu.Tensor(np.ones(3), requires_grad=True)
    b = tidu.Tensor(np.zeros(3), requires_grad=True)
    out = F.batch_norm(x, None, None, w, b, training=True)
    assert out._parents == (x, w, b)
    w2 = tidu.Tensor(np.ones(2), requires_grad=True)
    b2 = tidu.Tensor(np.zeros(2), requires_grad=True)
    out = F.layer_norm(x, (2,), w2, b2)
    assert out._parents == (x, w2, b2)


# --------------------------------------------------------------------------- finite differences
@pytest.mark.parametrize("shape", [(4, 2), (3, 2, 3), (2, 2, 2, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_finite_differences_batch_norm(shape, training):
    rng = np.random.default_rng(2)
    x = _data(rng, shape)
    rm, rv = rng.standard_normal(2), rng.uniform(0.5, 2, 2)
    finite_difference_check(
        lambda x, w, b: F.batch_norm(x, tidu.Tensor(rm.copy(), dtype=np.float64),
                                     tidu.Tensor(rv.copy(), dtype=np.float64), w, b,
                                     training=training), x,
        rng.standard_normal(2), rng.standard_normal(2))
    finite_difference_check(lambda x: F.batch_norm(x, None, None, training=True), x)


@pytest.mark.parametrize("ns", [(4,), (3, 4)])
def test_finite_differences_layer_norm(ns):
    rng = np.random.default_rng(3)
    x = _data(rng, (2, 3, 4))
    finite_difference_check(lambda x, w, b: F.layer_norm(x, ns, w, b), x,
                            rng.standard_normal(ns), rng.standard_normal(ns))
    finite_difference_check(lambda x: F.layer_norm(x, ns), x)


# --------------------------------------------------------------------------- modules
BN = {1: (nn.BatchNorm1d, torch.nn.BatchNorm1d), 2: (nn.BatchNorm2d, torch.nn.BatchNorm2d)}


def _bn_pair(kind, C, **kw):
    tidu_cls, torch_cls = BN[kind]
    torch_m = torch_cls(C, **kw)
    with torch.no_grad():
        for p in torch_m.parameters():
            p.normal_()
    return tidu_cls(C, **kw), torch_m


@pytest.mark.parametrize("kind,shape", [(1, (6, 3)), (1, (4, 3, 5)), (2, (3, 3, 4, 2))])
@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
@pytest.mark.parametrize("affine", [{}, {"affine": False}, {"bias": False}],
                         ids=["affine", "no_affine", "no_bias"])
def test_batchnorm_modules_over_several_steps_then_eval(kind, shape, momentum, affine):
    rng = np.random.default_rng(4)
    tidu_m, torch_m = _bn_pair(kind, shape[1], momentum=momentum, **affine)
    for step in range(4):  # running statistics accumulate over the steps (compared each time)
        compare_module(tidu_m, torch_m, _data(rng, shape), copy_weights=step == 0)
    assert int(tidu_m.num_batches_tracked) == 4
    for _ in range(2):  # eval: running statistics used, not changed
        compare_module(tidu_m, torch_m, _data(rng, shape), train=False, copy_weights=False)
    assert int(tidu_m.num_batches_tracked) == 4


@pytest.mark.parametrize("kind,shape", [(1, (5, 2)), (2, (2, 2, 3, 3))])
@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_without_running_stats_uses_batch_statistics(kind, shape, train):
    tidu_m, torch_m = _bn_pair(kind, shape[1], track_running_stats=False)
    assert list(tidu_m.state_dict()) == list(torch_m.state_dict()) == ["weight", "bias"]
    compare_module(tidu_m, torch_m, _data(np.random.default_rng(5), shape), train=train)


@given(seed=seeds, n=st.integers(2, 4), C=st.integers(1, 3), L=st.integers(1, 4),
       eps=st.sampled_from([1e-5, 1e-3]))
def test_batchnorm1d_shapes_match_torch(seed, n, C, L, eps):
    rng = np.random.default_rng(seed)
    for shape in ((n, C), (n, C, L)):
        tidu_m, torch_m = _bn_pair(1, C, eps=eps)
        compare_module(tidu_m, torch_m, _data(rng, shape))


@given(seed=seeds, n=st.integers(1, 3), C=st.integers(1, 3), H=st.integers(1, 4), W=st.integers(2, 4))
def test_batchnorm2d_shapes_match_torch(seed, n, C, H, W):
    tidu_m, torch_m = _bn_pair(2, C)
    compare_module(tidu_m, torch_m, _data(np.random.default_rng(seed), (n, C, H, W)))


def test_batchnorm_state_dict_is_pytorchs_and_loads():
    tidu_m, torch_m = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    sd = tidu_m.state_dict()
    assert list(sd) == list(torch_m.state_dict())
    assert sd["num_batches_tracked"].dtype == np.int64 and sd["num_batches_tracked"].shape == ()
    np.testing.assert_array_equal(sd["weight"], 1.0)
    np.testing.assert_array_equal(sd["bias"], 0.0)
    np.testing.assert_array_equal(sd["running_mean"], 0.0)
    np.testing.assert_array_equal(sd["running_var"], 1.0)
    torch_m.train()
    x = _data(np.random.default_rng(6), (4, 3, 2, 2))
    for _ in range(3):
        torch_m(torch.tensor(x, dtype=torch.float32))
    tidu_m.load_state_dict({k: v.numpy() for k, v in torch_m.state_dict().items()})
    assert int(tidu_m.num_batches_tracked) == 3
    tidu_m.eval()
    torch_m.eval()
    with torch.no_grad():
        expected = torch_m(torch.tensor(x, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(tidu_m(tidu.Tensor(x))._data, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("options", [{}, {"eps": 1e-3}, {"elementwise_affine": False},
                                     {"bias": False}])
@given(seed=seeds, lead=st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple),
       ns=st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple))
def test_layernorm_module_matches_torch(options, seed, lead, ns):
    torch_m = torch.nn.LayerNorm(ns, **options)
    for p in torch_m.parameters():
        with torch.no_grad():
            p.normal_()
    tidu_m = nn.LayerNorm(ns, **options)
    assert list(tidu_m.state_dict()) == list(torch_m.state_dict())
    compare_module(tidu_m, torch_m, _data(np.random.default_rng(seed), lead + ns))


def test_layernorm_int_shape_init_and_repr():
    m = nn.LayerNorm(4)
    assert m.normalized_shape == (4,)
    np.testing.assert_array_equal(m.weight._data, np.ones(4, np.float32))
    np.testing.assert_array_equal(m.bias._data, np.zeros(4, np.float32))
    assert repr(m) == repr(torch.nn.LayerNorm(4))
    for kw in ({"momentum": None}, {"affine": False}, {"bias": False}):
        assert repr(nn.BatchNorm1d(3, **kw)) == repr(torch.nn.BatchNorm1d(3, **kw))
        assert list(nn.BatchNorm1d(3, **kw).state_dict()) == list(torch.nn.BatchNorm1d(3, **kw).state_dict())


# --------------------------------------------------------------------------- dtype
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make,shape", [(lambda: nn.BatchNorm1d(3), (4, 3)),
                                        (lambda: nn.BatchNorm1d(3), (4, 3, 2)),
                                        (lambda: nn.BatchNorm2d(3), (2, 3, 2, 2)),
                                        (lambda: nn.LayerNorm((3, 2)), (2, 3, 2))])
@pytest.mark.parametrize("train", [True, False])
def test_dtype_is_kept(dtype, make, shape, train):
    m = make().to(dtype).train(train)
    x = tidu.Tensor(_data(np.random.default_rng(7), shape), requires_grad=True, dtype=dtype)
    y = m(x)
    assert y.dtype == dtype
    y.sum().backward()
    assert x.grad.dtype == dtype
    for p in m.parameters():
        assert p.grad.dtype == dtype
    for name, b in m.named_buffers():
        assert b.dtype == (np.int64 if name == "num_batches_tracked" else dtype)


def test_float32_default_construction():
    m = nn.BatchNorm1d(2)
    assert m.weight.dtype == np.float32 and m.running_var.dtype == np.float32
    assert nn.BatchNorm2d(2, dtype=np.float64).running_mean.dtype == np.float64


# --------------------------------------------------------------------------- errors
def test_batchnorm_input_dim_and_channel_errors():
    with pytest.raises(tidu.ShapeError, match=r"BatchNorm1d\(3, .*\): expected 2-D \(N, C\) or 3-D "
                                              r"\(N, C, L\) input, got 4-D input of shape \(2, 3, 4, 4\)"):
        nn.BatchNorm1d(3)(tidu.Tensor(np.ones((2, 3, 4, 4))))
    with pytest.raises(tidu.ShapeError, match=r"BatchNorm2d\(3, .*\): expected 4-D \(N, C, H, W\) "
                                              r"input, got 3-D input of shape \(2, 3, 4\)"):
        nn.BatchNorm2d(3)(tidu.Tensor(np.ones((2, 3, 4))))
    with pytest.raises(tidu.ShapeError, match=r"BatchNorm2d\(3, .*\): expected 3 channels in dim 1, "
                                              r"got input of shape \(2, 5, 4, 4\)"):
        nn.BatchNorm2d(3)(tidu.Tensor(np.ones((2, 5, 4, 4))))
    with pytest.raises(tidu.ShapeError, match=r"expected 4 channels in dim 1, got input of shape \(8, 2\)"):
        nn.BatchNorm1d(4)(tidu.Tensor(np.ones((8, 2))))


def test_batchnorm_one_value_per_channel_in_training_is_an_error():
    m = nn.BatchNorm1d(3)
    with pytest.raises(tidu.ShapeError, match=r"BatchNorm1d\(3, .*\): expected more than 1 value "
                                              r"per channel when training, got input of shape \(1, 3\)"):
        m(tidu.Tensor(np.ones((1, 3))))
    assert int(m.num_batches_tracked) == 0
    with pytest.raises(tidu.ShapeError, match=r"batch_norm: expected more than 1 value per channel"):
        F.batch_norm(tidu.Tensor(np.ones((1, 3, 1))), None, None, training=True)
    m.eval()
    assert m(tidu.Tensor(np.ones((1, 3)))).shape == (1, 3)  # fine in eval


@pytest.mark.host_only("passes host arrays as running statistics (a device input refuses them)")
def test_batch_norm_functional_errors():
    x = tidu.Tensor(np.ones((4, 3)))
    with pytest.raises(tidu.ShapeError, match=r"running_mean of shape \(2,\) does not match the input's 3"):
        F.batch_norm(x, np.zeros(2), np.ones(2), training=True)
    with pytest.raises(ValueError, match="running_mean and running_var are required"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(tidu.ShapeError, match=r"weight of shape \(4,\) does not match the expected \(3,\)"):
        F.batch_norm(x, None, None, tidu.Tensor(np.ones(4)), training=True)
    with pytest.raises(tidu.ShapeError, match=r"at least 2 dims.*\(4,\)"):
        F.batch_norm(tidu.Tensor(np.ones(4)), None, None, training=True)
    with pytest.raises(tidu.DTypeError, match="float"):
        F.batch_norm(tidu.Tensor(np.ones((4, 3), dtype=np.int64)), None, None, training=True)


def test_layer_norm_errors():
    x = tidu.Tensor(np.ones((2, 3, 4)))
    with pytest.raises(tidu.ShapeError, match=r"layer_norm: expected an input whose last dims are "
                                              r"\(3,\), got shape \(2, 3, 4\)"):
        F.layer_norm(x, 3)
    with pytest.raises(tidu.ShapeError, match=r"LayerNorm\(\(5,\), .*\): expected input whose last "
                                              r"dims are \(5,\), got shape \(2, 3, 4\)"):
        nn.LayerNorm(5)(x)
    with pytest.raises(tidu.ShapeError, match=r"bias of shape \(3,\) does not match the expected \(4,\)"):
        F.layer_norm(x, 4, None, tidu.Tensor(np.ones(3)))
    with pytest.raises(tidu.DTypeError, match="float64"):
        F.layer_norm(x, 4, tidu.Tensor(np.ones(4), dtype=np.float64))


def test_buffers_are_tensors_as_in_pytorch():
    """PyTorch idioms on batch-norm buffers: arithmetic, in-place copy_, state_dict sharing."""
    results = []
    for lib in (tidu, torch):
        bn = lib.nn.BatchNorm1d(3).double()
        bn(lib.tensor(np.arange(12.0).reshape(4, 3)))
        assert lib.is_tensor(bn.running_var) and not bn.running_var.requires_grad
        scale = 1.0 / lib.sqrt(bn.running_var + bn.eps)
        state = bn.state_dict()
        with lib.no_grad():
            bn.running_mean.copy_(lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64))
        results.append((scale.tolist(), state["running_mean"].tolist(),
                        int(bn.num_batches_tracked)))
    assert results[0] == results[1]
