"""GradientMonitor and diagnose: the statistics against direct computation, the findings on
nets built to show each problem (and none on a healthy one), and the monitor's hygiene
(forward restored, validation passes not captured, state through checkpoints)."""
import math

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.diagnose import GradientMonitor, GradientStats, diagnose
from tidu.nn import functional as F
from tidu.nn import init

RNG = np.random.default_rng(0)
X = RNG.standard_normal((256, 16)).astype(np.float32)
Y = (X[:, :3].sum(axis=1, keepdims=True) + 0.1 * RNG.standard_normal((256, 1))).astype(np.float32)


def mlp(act, depth=10, width=32, d_in=16, w_init=None, bias=0.0):
    """``depth`` Linear layers with ``act`` after every hidden one; zero biases unless given."""
    layers, d = [], d_in
    for i in range(depth):
        last = i == depth - 1
        lin = nn.Linear(d, 1 if last else width)
        if w_init is not None:
            w_init(lin.weight)
        init.constant_(lin.bias, 0.0 if last else bias)
        layers.append(lin)
        if not last and act is not None:
            layers.append(act())
        d = width
    return nn.Sequential(*layers)


def small_normal(w):
    init.normal_(w, 0.0, 0.01)  # the notes' "small random" init


def large_normal(w):
    init.normal_(w, 0.0, 1.0)  # the notes' "large random" init


def he_normal(w):
    init.kaiming_normal_(w, nonlinearity="relu")


def train(net, lr=0.01, epochs=2, optimizer="sgd", **monitor_kwargs):
    mon = GradientMonitor(**monitor_kwargs)
    opt = (tidu.optim.SGD(net.parameters(), lr=lr) if optimizer == "sgd"
           else tidu.optim.Adam(net.parameters(), lr=lr))
    with np.errstate(all="ignore"):
        tidu.train.fit(net, F.mse_loss, opt, (X, Y), epochs=epochs, batch_size=64,
                       callbacks=[mon], verbose=0, seed=0)
    return mon


# --------------------------------------------------------------------------- the test
def test_vanishing_in_deep_sigmoid_net_and_none_with_relu_and_he_init():
    tidu.manual_seed(0)
    sick = diagnose(train(mlp(nn.Sigmoid, w_init=small_normal)))
    assert "vanishing_gradients" in sick
    finding = sick["vanishing_gradients"]
    assert finding.evidence["first/last gradient-norm ratio (median over steps)"] < 1e-10
    tidu.manual_seed(0)
    healthy = diagnose(train(mlp(nn.ReLU, w_init=he_normal)))
    assert "vanishing_gradients" not in healthy
    assert healthy.healthy, str(healthy)
    assert "No problem found" in str(healthy)


def test_vanishing_remedies_ranked_for_a_sigmoid_net():
    tidu.manual_seed(0)
    finding = diagnose(train(mlp(nn.Sigmoid, w_init=small_normal), epochs=1))["vanishing_gradients"]
    keys = [r.key for r in finding.remedies]
    assert keys[:4] == ["relu", "he_init", "batchnorm", "residual"]
    assert "too small" in finding.remedies[1].why  # the N(0, 0.01) init is named as a cause
    text = str(finding)
    for words in ("Vanishing gradients", "梯度消失", "批正则化", "残差", "预训练加微调",
                  "nn.init.kaiming_normal_", "1. Use ReLU"):
        assert words in text


def test_vanishing_remedies_skip_what_the_model_already_has():
    tidu.manual_seed(0)
    layers = []
    for _ in range(8):
        lin = nn.Linear(16, 16)
        small_normal(lin.weight)
        layers += [nn.Residual(nn.Sequential(lin, nn.Sigmoid())), nn.BatchNorm1d(16)]
    layers.append(nn.Linear(16, 1))
    model = nn.Sequential(*layers)
    mon = train(model, epochs=1)
    stats = mon.stats
    assert stats.has_batchnorm and stats.has_residual and not stats.has_recurrent
    d = diagnose(stats, vanishing_ratio=1.0)  # force the finding: check only the ranking
    keys = [r.key for r in d["vanishing_gradients"].remedies]
    assert "batchnorm" not in keys and "residual" not in keys and keys[0] == "relu"


def test_exploding_with_large_init_in_deep_relu_and_linear_nets():
    for act in (nn.ReLU, None):
        tidu.manual_seed(0)
        d = diagnose(train(mlp(act, w_init=large_normal), epochs=1))
        assert "exploding_gradients" in d, (act, str(d))
        keys = [r.key for r in d["exploding_gradients"].remedies]
        assert keys[:5] == ["he_init", "clipping", "smaller_lr", "weight_reg", "batchnorm"]
        assert "too large" in d["exploding_gradients"].remedies[0].why


def test_exploding_reports_non_finite_values():
    tidu.manual_seed(0)
    model = mlp(nn.ReLU, depth=3, w_init=he_normal)
    opt = tidu.optim.SGD(model.parameters(), lr=0.01)
    with GradientMonitor(model) as mon:
        for step in range(3):
            if step == 1:
                model[0].weight._data[0, 0] = np.nan
            loss = F.mse_loss(model(tidu.Tensor(X[:32])), tidu.Tensor(Y[:32]))
            opt.zero_grad()
            with np.errstate(all="ignore"):
                loss.backward()
            mon.record(loss)
            opt.step()
            mon.record_update()
    s = mon.stats
    assert s.nonfinite_weight[0, 0] == 0 and s.nonfinite_weight[1, 0] == 1
    assert s.nonfinite_grad[1].sum() > 0 and s.nonfinite_loss.tolist() == [0, 1, 1]
    assert math.isnan(s.loss[1]) and math.isfinite(s.loss[0])
    finding = diagnose(mon)["nonfinite"]
    assert "NaN/inf values appeared at step 1" in finding.summary and finding.step == 1
    # the weights broke first: a step too large, not an unstable operation
    assert [r.key for r in finding.remedies[:2]] == ["smaller_lr", "clipping"]


def test_dead_relus_after_a_huge_negative_bias():
    tidu.manual_seed(0)
    d = diagnose(train(mlp(nn.ReLU, depth=4, w_init=he_normal, bias=-10.0), epochs=1))
    assert "dead_relu" in d
    finding = d["dead_relu"]
    assert finding.layers == ["0", "2", "4"]
    assert all(v == 1.0 for v in finding.evidence["dead-unit fraction per layer (median)"].values())
    assert [r.key for r in finding.remedies][:3] == ["leaky_relu", "smaller_lr", "he_init"]
    # no gradient reaches the first layers: the vanishing finding blames the dead units first
    assert d["vanishing_gradients"].remedies[0].key == "leaky_relu"


def test_dead_relus_after_a_huge_learning_rate():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 1))
    mon = train(model, lr=1.0, epochs=5, optimizer="adam")
    d = diagnose(mon)
    assert "dead_relu" in d
    assert mon.stats.dead[-1, 1] > 0.5
    assert d["dead_relu"].remedies[0].key == "smaller_lr"  # the steps were huge
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 1))
    assert "dead_relu" not in diagnose(train(model, lr=1e-3, epochs=5, optimizer="adam"))


def test_saturation_for_tanh_with_large_init():
    tidu.manual_seed(0)
    d = diagnose(train(mlp(nn.Tanh, w_init=large_normal), epochs=1))
    assert "saturation" in d
    finding = d["saturation"]
    assert len(finding.layers) == 9  # every hidden tanh layer
    assert min(finding.evidence["saturated fraction per layer (median)"].values()) > 0.5
    assert [r.key for r in finding.remedies][:2] == ["he_init", "batchnorm"]
    tidu.manual_seed(0)  # the default init keeps tanh in its linear range
    assert "saturation" not in diagnose(train(mlp(nn.Tanh), epochs=1))


# --------------------------------------------------------------------------- the statistics
def test_statistics_equal_direct_computation():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 8), nn.Tanh(), nn.Dropout(0.0), nn.Linear(8, 4),
                          nn.Sigmoid(), nn.Linear(4, 1))
    lr = 0.05
    opt = tidu.optim.SGD(model.parameters(), lr=lr)
    x, y = tidu.Tensor(X[:32]), tidu.Tensor(Y[:32])
    with GradientMonitor(model) as mon:
        assert [(i.name, i.activation, i.activation_module, i.fan_in) for i in mon.layers] == [
            ("0", "tanh", "1", 16), ("3", "sigmoid", "4", 8), ("5", None, None, 4)]
        loss = F.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        mon.record(loss)
        params = [[model[i].weight, model[i].bias] for i in (0, 3, 5)]
        grad_norms = [math.sqrt(sum(float((p.grad._data.astype(np.float64) ** 2).sum()) for p in ps))
                      for ps in params]
        weight_norms = [math.sqrt(sum(float((p._data.astype(np.float64) ** 2).sum()) for p in ps))
                        for ps in params]
        before = [[p._data.copy() for p in ps] for ps in params]
        opt.step()
        mon.record_update()
    s = mon.stats
    assert s.grad_norm.shape == (1, 3) and s.steps.tolist() == [0]
    np.testing.assert_allclose(s.grad_norm[0], grad_norms, rtol=1e-5)
    np.testing.assert_allclose(s.weight_norm[0], weight_norms, rtol=1e-5)
    # plain SGD: Δθ = −lr·g exactly, so the update ratio is lr·‖g‖/‖θ‖
    np.testing.assert_allclose(s.update_ratio[0], lr * np.array(grad_norms) / weight_norms,
                               rtol=1e-4)
    deltas = [math.sqrt(sum(float(((p._data - b).astype(np.float64) ** 2).sum())
                            for p, b in zip(ps, bs))) for ps, bs in zip(params, before)]
    np.testing.assert_allclose(s.update_ratio[0], np.array(deltas) / weight_norms, rtol=1e-5)
    np.testing.assert_allclose(s.weight_rms[0], [
        float(np.sqrt(np.mean(model[i].weight._data.astype(np.float64) ** 2)))
        for i in (0, 3, 5)], rtol=1e-2)  # rms before the step; the step moved it a little
    # activations: recompute with the pre-step weights
    with tidu.no_grad():
        for p, b in zip([p for ps in params for p in ps], [b for bs in before for b in bs]):
            p._data[...] = b
        h1 = np.tanh(model[0](x)._data)
        h2 = 1 / (1 + np.exp(-model[3](tidu.Tensor(h1))._data))
        out = model[5](tidu.Tensor(h2))._data
    for j, a in enumerate((h1, h2, out)):
        assert s.act_mean[0, j] == pytest.approx(float(a.mean()), rel=1e-4, abs=1e-6)
        assert s.act_std[0, j] == pytest.approx(float(a.std()), rel=1e-4)
    assert s.saturated[0, 0] == pytest.approx(np.mean(np.abs(h1) > 0.99))
    assert s.saturated[0, 1] == pytest.approx(np.mean((h2 < 0.01) | (h2 > 0.99)))
    assert np.isnan(s.saturated[0, 2]) and np.isnan(s.dead).all()
    assert s.nonfinite_grad.sum() == 0 and s.nonfinite_act.sum() == 0
    assert s.loss[0] == pytest.approx(loss.item())


def test_saturated_and_dead_fractions_on_constructed_layers():
    lin = nn.Linear(2, 4)
    lin.weight._data[...] = 0.0
    lin.bias._data[...] = [-10.0, 10.0, 0.1, 3.0]  # tanh: ±1 saturated, 0.0997 and 0.995
    model = nn.Sequential(lin, nn.Tanh(), nn.Linear(4, 1))
    with GradientMonitor(model) as mon:
        loss = model(tidu.Tensor(X[:8, :2])).sum()
        loss.backward()
        mon.record()
    assert mon.stats.saturated[0, 0] == pytest.approx(0.75)

    relu_lin = nn.Linear(2, 4)
    relu_lin.weight._data[...] = [[0, 0], [0, 0], [1, 0], [0, 1]]
    relu_lin.bias._data[...] = [-1.0, 0.0, 0.0, 0.0]  # units 0, 1 output 0 for every sample
    model = nn.Sequential(relu_lin, nn.ReLU(), nn.Linear(4, 1))
    with GradientMonitor(model) as mon:
        model(tidu.Tensor(X[:64, :2])).sum().backward()
        mon.record()
    assert mon.stats.dead[0, 0] == 0.5

    conv = nn.Conv2d(1, 4, 3)  # a unit of a conv layer is a channel
    conv.weight._data[...] = 0.0
    conv.bias._data[...] = [-1.0, 1.0, 1.0, 1.0]
    model = nn.Sequential(conv, nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 1))
    with GradientMonitor(model) as mon:
        model(tidu.Tensor(RNG.standard_normal((3, 1, 6, 6)).astype(np.float32))).sum().backward()
        mon.record()
    assert mon.stats.dead[0, 0] == 0.25
    assert [(i.name, i.activation) for i in mon.layers] == [("0", "relu"), ("3", None)]


def test_every_n_steps_and_fit_steps():
    tidu.manual_seed(0)
    model = mlp(nn.ReLU, depth=3, w_init=he_normal)
    mon = train(model, epochs=3, every_n_steps=5)  # 4 batches an epoch: steps 0 … 11
    s = mon.stats
    assert s.steps.tolist() == [0, 5, 10]
    assert s.grad_norm.shape == s.act_std.shape == (3, 3)
    assert np.isfinite(s.update_ratio).all() and np.isfinite(s.act_std).all()
    assert np.all(s.loss > 0)
    manual = GradientMonitor(model, every_n_steps=2)
    with manual:
        for _ in range(5):
            F.mse_loss(model(tidu.Tensor(X[:16])), tidu.Tensor(Y[:16])).backward()
            manual.record()
    assert manual.stats.steps.tolist() == [0, 2, 4]


def test_forward_is_restored_and_outputs_unchanged():
    tidu.manual_seed(0)
    model = mlp(nn.Sigmoid, depth=3)
    x = tidu.Tensor(X[:8])
    ref = model(x)._data.copy()
    mon = GradientMonitor(model)
    with mon:
        assert "forward" in model[1].__dict__ and "forward" in model[4].__dict__
        np.testing.assert_array_equal(model(x)._data, ref)
    assert not any("forward" in m.__dict__ for m in model.modules())
    with pytest.raises(RuntimeError, match="boom"):
        with GradientMonitor(model):
            raise RuntimeError("boom")
    assert not any("forward" in m.__dict__ for m in model.modules())
    train(model, epochs=1)  # as a fit callback: attached in on_train_begin, restored at the end
    assert not any("forward" in m.__dict__ for m in model.modules())
    # a forward the user set on an instance is put back as it was
    custom = lambda inp: inp * 2  # noqa: E731
    object.__setattr__(model[1], "forward", custom)
    with GradientMonitor(model):
        assert model[1].forward is not custom
    assert model[1].__dict__["forward"] is custom


def test_fit_inside_a_with_block_keeps_the_wrapping_until_the_block_ends():
    tidu.manual_seed(0)
    model = mlp(nn.ReLU, depth=3, w_init=he_normal)
    with GradientMonitor(model) as mon:
        tidu.train.fit(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=0.01), (X, Y),
                       epochs=1, batch_size=128, callbacks=[mon], verbose=0)
        assert mon.attached
    assert not mon.attached and mon.stats.steps.tolist() == [0, 1]


def test_forward_passes_without_grad_are_not_captured():
    model = mlp(nn.ReLU, depth=3, w_init=he_normal)
    with GradientMonitor(model) as mon:
        with tidu.no_grad():
            model(tidu.Tensor(X[:8]))
        mon.record()  # no training forward this step: no activation statistics
    assert np.isnan(mon.stats.act_mean).all() and np.isnan(mon.stats.grad_norm).all()
    # validation under fit's no_grad does not overwrite the training batch's capture
    tidu.manual_seed(0)
    mon = GradientMonitor(every_n_steps=1)
    tidu.train.fit(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=0.0), (X[:64], Y[:64]),
                   val_data=(10 * X[64:128], Y[64:128]), epochs=2, batch_size=64,
                   callbacks=[mon], verbose=0, shuffle=False)
    s = mon.stats
    # lr 0 and no shuffling: the same batch twice, so the same statistics
    np.testing.assert_allclose(s.act_std[0], s.act_std[1], rtol=1e-6)


def test_sub_module_and_layer_selection():
    tidu.manual_seed(0)
    body = mlp(nn.ReLU, depth=3, w_init=he_normal)
    model = nn.Sequential(body, nn.Linear(1, 1))
    mon = train(model, epochs=1, model=body)
    assert [i.name for i in mon.layers] == ["0", "2", "4"]
    mon = train(model, epochs=1, layers=["0.2", "1"])
    assert [i.name for i in mon.layers] == ["0.2", "1"] and mon.stats.grad_norm.shape[1] == 2
    with pytest.raises(ValueError, match="'nope'"):
        GradientMonitor(model, layers=["nope"]).attach()


def test_state_dict_round_trip():
    tidu.manual_seed(0)
    mon = train(mlp(nn.ReLU, depth=3, w_init=he_normal), epochs=1)
    state = mon.state_dict()
    other = GradientMonitor(mlp(nn.ReLU, depth=3))
    other.attach()
    other.load_state_dict(state)
    for name in ("steps", "loss", "grad_norm", "update_ratio", "dead"):
        np.testing.assert_array_equal(getattr(other.stats, name), getattr(mon.stats, name))
    other.detach()
    assert GradientMonitor().state_dict() == {}


def test_stats_printout_and_lookup():
    tidu.manual_seed(0)
    stats = train(mlp(nn.Tanh, depth=3), epochs=1).stats
    assert isinstance(stats, GradientStats) and len(stats) == 4
    text = str(stats)
    assert "grad norm" in text and "tanh" in text and text.count("\n") == 4
    assert stats.layer("4") == 2
    with pytest.raises(KeyError, match="no layer named"):
        stats.layer("9")


def test_bad_arguments():
    with pytest.raises(TypeError, match="GradientMonitor: model"):
        GradientMonitor("model")
    with pytest.raises(ValueError, match="every_n_steps"):
        GradientMonitor(every_n_steps=0)
    with pytest.raises(ValueError, match="no model to watch"):
        GradientMonitor().attach()
    with pytest.raises(ValueError, match="no trainable parameters"):
        GradientMonitor(nn.ReLU()).attach()
    with pytest.raises(TypeError, match="diagnose: monitor must be a GradientMonitor"):
        diagnose({"grad_norm": []})
    with pytest.raises(ValueError, match="recorded no step"):
        diagnose(GradientMonitor(mlp(nn.ReLU, depth=2)))
    tidu.manual_seed(0)
    mon = train(mlp(nn.ReLU, depth=2), epochs=1)
    with pytest.raises(ValueError, match="dead must be a fraction"):
        diagnose(mon, dead=1.5)
    with pytest.raises(ValueError, match="vanishing_ratio must be a positive"):
        diagnose(mon, vanishing_ratio=0)


def test_resumed_fit_continues_the_records(tmp_path):
    def run(epochs, resume, path):
        tidu.manual_seed(0)
        model = mlp(nn.ReLU, depth=3, w_init=he_normal)
        mon = GradientMonitor()
        tidu.train.fit(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=0.01), (X, Y),
                       epochs=epochs, batch_size=64, callbacks=[mon], verbose=0, seed=0,
                       checkpoint=path, resume=resume)
        return mon.stats

    whole = run(2, False, None)
    run(1, False, tmp_path / "ckpt.npz")  # "killed" after the first epoch
    resumed = run(2, True, tmp_path / "ckpt.npz")
    assert resumed.steps.tolist() == list(range(8))
    for name in ("loss", "grad_norm", "weight_norm", "update_ratio", "act_std", "dead"):
        np.testing.assert_array_equal(getattr(resumed, name), getattr(whole, name))


# --------------------------------------------------------------------------- stale gradients
def manual_loop(net, zero_grad, steps=6, every_n_steps=1, accumulate=1, clip=None):
    """SGD on (X, Y) in batches of 32 in a loop of one's own; returns the monitor and, per
    step, the layers' ‖g_before‖ / ‖.grad after backward‖ computed directly."""
    opt = tidu.optim.SGD(net.parameters(), lr=0.01)
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]

    def sq(arrays):
        return sum(float(np.sum(tidu.backend.to_numpy(a).astype(np.float64) ** 2)) for a in arrays)

    expected = []
    with GradientMonitor(net, every_n_steps=every_n_steps) as mon:
        for step in range(steps):
            if zero_grad:
                opt.zero_grad()
            before = [sq([p.grad._data for p in m.parameters() if p.grad is not None])
                      for m in linears]
            for part in range(accumulate):  # micro-batches summed into one step
                rows = slice(32 * step + 16 * part, 32 * step + 16 * part + 32 // accumulate)
                loss = F.mse_loss(net(tidu.tensor(X[rows])), tidu.tensor(Y[rows]))
                loss.backward()
            expected.append([math.sqrt(b / sq([p.grad._data for p in m.parameters()]))
                             for b, m in zip(before, linears)])
            if clip is not None:
                tidu.nn.utils.clip_grad_norm_(net.parameters(), clip)
            mon.record(loss)
            opt.step()
            mon.record_update()
    return mon, np.array(expected)


def test_stale_gradients_without_zero_grad_and_none_with_it():
    tidu.manual_seed(0)
    mon, expected = manual_loop(mlp(nn.ReLU, depth=4, w_init=he_normal), zero_grad=False)
    stale = mon.stats.stale
    assert stale.shape == (6, 4)
    assert (stale[0] == 0).all()  # nothing accumulated before the first backward
    assert (np.median(stale[1:], axis=0) > 0.5).all(), stale
    np.testing.assert_allclose(stale, expected, rtol=1e-5, atol=1e-7)
    assert "stale" in str(mon.stats).splitlines()[1]
    tidu.manual_seed(0)
    mon, _ = manual_loop(mlp(nn.ReLU, depth=4, w_init=he_normal), zero_grad=True)
    assert (mon.stats.stale == 0).all()


def test_stale_is_zero_under_fit_which_zero_grads():
    tidu.manual_seed(0)
    stale = train(mlp(nn.Tanh, depth=3), epochs=1).stats.stale
    assert stale.shape == (4, 3) and (stale == 0).all()


def test_stale_counts_micro_batches_of_one_step_as_fresh_and_ignores_a_clip():
    tidu.manual_seed(0)
    mon, _ = manual_loop(mlp(nn.ReLU, depth=3, w_init=he_normal), zero_grad=True,
                         accumulate=2, clip=1e-3)
    assert (mon.stats.stale == 0).all()
    tidu.manual_seed(0)
    mon, expected = manual_loop(mlp(nn.ReLU, depth=3, w_init=he_normal), zero_grad=False,
                                accumulate=2, clip=1e-3)
    assert (mon.stats.grad_norm <= 1e-3 * (1 + 1e-5)).all()  # the clip acted before record
    np.testing.assert_allclose(mon.stats.stale, expected, rtol=1e-5, atol=1e-7)


def test_stale_on_steps_recorded_every_n_and_for_a_layer_without_gradient():
    tidu.manual_seed(0)
    mon, expected = manual_loop(mlp(nn.ReLU, depth=3, w_init=he_normal), zero_grad=False,
                                steps=7, every_n_steps=3)
    assert mon.stats.steps.tolist() == [0, 3, 6]
    np.testing.assert_allclose(mon.stats.stale, expected[::3], rtol=1e-5, atol=1e-7)
    # a layer the loss did not reach this step keeps an old .grad: all of it is stale
    tidu.manual_seed(0)
    head, spare = nn.Linear(16, 1), nn.Linear(16, 1)
    model = nn.ModuleList([head, spare])
    with GradientMonitor(model) as mon:
        (head(tidu.tensor(X)).sum() + spare(tidu.tensor(X)).sum()).backward()
        mon.record()
        head(tidu.tensor(X)).sum().backward()
        mon.record()
    assert mon.stats.stale[0].tolist() == [0.0, 0.0]
    assert mon.stats.stale[1, 1] == 1.0 and 0 < mon.stats.stale[1, 0] < 1
    head.weight.grad = head.bias.grad = spare.weight.grad = spare.bias.grad = None
    with GradientMonitor(model) as mon:
        head(tidu.tensor(X)).sum().backward()
        mon.record()
    assert mon.stats.stale[0, 0] == 0 and math.isnan(mon.stats.stale[0, 1])


def test_stale_absent_from_older_stats_and_checkpoints_is_nan():
    tidu.manual_seed(0)
    mon = train(mlp(nn.ReLU, depth=3), epochs=1)
    state = mon.state_dict()
    del state["stale"]
    other = GradientMonitor(mlp(nn.ReLU, depth=3))
    other.load_state_dict(state)
    assert other.stats.stale.shape == (4, 3) and np.isnan(other.stats.stale).all()
    fields = {k: v for k, v in vars(mon.stats).items() if k != "stale"}
    old = GradientStats(**fields)
    assert old.stale.shape == (4, 3) and np.isnan(old.stale).all()
    pickled = object.__new__(GradientStats)  # as unpickling a GradientStats made before it
    pickled.__setstate__(fields)
    assert np.isnan(pickled.stale).all() and "stale" in str(pickled)


def test_lazy_layers_are_watched_from_the_first_step_after_they_exist():
    """A lazy layer's parameters appear in its first forward: the monitor attaches at the
    next step (step 0 is not recorded) instead of failing at the start of fit."""
    from tidu.train import fit
    tidu.manual_seed(0)
    model = tidu.nn.Sequential(tidu.nn.LazyLinear(16), tidu.nn.ReLU(), tidu.nn.LazyLinear(2))
    X = np.random.default_rng(0).normal(size=(64, 5)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    mon = GradientMonitor()
    fit(model, tidu.nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
        epochs=1, batch_size=16, callbacks=[mon], verbose=0)
    s = mon.stats
    assert s.steps.tolist() == [1, 2, 3] and s.layer_names == ["0", "2"]
    assert s.layers[0].fan_in == 5 and np.isfinite(s.update_ratio).all()
    assert not mon.attached


def test_large_finite_float32_values_give_exact_norms_not_inf():
    """float32 squares overflow beyond 1.8e19: the norms and the update ratio must still be
    the float64 ones, with nothing counted as non-finite and no origin reported."""
    lin = nn.Linear(3, 2)
    big = np.array([[3e20, -4e20, 0.0], [1.0, 2.0, 2.0]], dtype=np.float32)
    lin.weight._data[...] = big
    opt = tidu.optim.SGD(lin.parameters(), lr=1.0)
    x = tidu.Tensor(np.full((1, 3), 1e-5, dtype=np.float32))
    with GradientMonitor(lin) as mon:
        opt.zero_grad()
        lin(x).sum().backward()
        mon.record()
        before = lin.weight._data.astype(np.float64)
        opt.step()
        mon.record_update()
    s = mon.stats
    w64 = np.linalg.norm(np.concatenate([big.ravel(), lin.bias._data.ravel()]).astype(np.float64))
    g64 = np.linalg.norm(np.concatenate([np.full(6, np.float32(1e-5)), np.ones(2)]))
    dw64 = np.linalg.norm(np.concatenate([lin.weight._data.astype(np.float64).ravel() - before.ravel(),
                                          np.ones(2)]))
    assert s.weight_norm[0, 0] == pytest.approx(w64, rel=1e-6)
    assert s.grad_norm[0, 0] == pytest.approx(g64, rel=1e-6)
    assert s.weight_rms[0, 0] == pytest.approx(np.linalg.norm(big.astype(np.float64)) / math.sqrt(6),
                                               rel=1e-6)
    assert s.update_ratio[0, 0] == pytest.approx(dw64 / w64, rel=1e-5)
    assert s.nonfinite_weight[0, 0] == 0 and s.nonfinite_grad[0, 0] == 0
    assert mon.nonfinite_origin is None
