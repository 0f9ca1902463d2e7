"""gradcheck: a layer with a deliberately wrong backward is flagged (and only it), correct
models pass, and the model is left exactly as it was given."""
import numpy as np
import pytest

import tidu
from tidu import Tensor, nn
from tidu.diagnose import GradcheckReport, gradcheck
from tidu.nn import functional as F

RNG = np.random.default_rng(0)
X = RNG.standard_normal((12, 4)).astype(np.float32)
Y = RNG.integers(0, 3, 12)


class Scale(nn.Module):
    """y = x ⊙ w (one weight per feature) with a hand-written backward; the factors make
    it wrong on purpose: ``weight_factor`` scales ∂L/∂w, ``input_factor`` scales ∂L/∂x."""

    def __init__(self, n, weight_factor=1.0, input_factor=1.0):
        super().__init__()
        self.weight = nn.Parameter(np.linspace(0.5, 1.5, n))
        self.weight_factor, self.input_factor = weight_factor, input_factor

    def forward(self, x):
        xd, wd = x._data, self.weight._data

        def backward(g):
            return g * wd * self.input_factor, (g * xd).sum(axis=0) * self.weight_factor

        return Tensor._op(xd * wd, (x, self.weight), backward)


def model_with(scale):
    tidu.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 5), nn.Tanh(), scale, nn.Linear(5, 3))


def test_correct_custom_layer_passes():
    report = gradcheck(model_with(Scale(5)), F.cross_entropy, X, Y)
    assert report.passed and bool(report) and report.failed == []
    assert report.max_rel_error < 1e-7
    assert sorted(p.name for p in report.params) == ["0.bias", "0.weight", "2.weight",
                                                      "3.bias", "3.weight"]
    assert all(p.n_checked == int(np.prod(p.shape)) for p in report.params)


@pytest.mark.parametrize("factor, expected", [(-1.0, 1.0), (2.0, 1 / 3), (1.01, 0.01 / 2.01)])
def test_wrong_weight_backward_is_flagged_and_only_that_parameter(factor, expected):
    report = gradcheck(model_with(Scale(5, weight_factor=factor)), F.cross_entropy, X, Y)
    assert not report.passed
    assert [p.name for p in report.failed] == ["2.weight"]
    worst = report.params[0]
    assert worst.name == "2.weight"  # worst first
    # |a − n| / (|a| + |n|) with a = factor·n: |factor − 1| / (|factor| + 1)
    assert worst.max_rel_error == pytest.approx(expected, rel=1e-4)
    assert worst.analytic == pytest.approx(factor * worst.numeric, rel=1e-6)
    assert all(p.max_rel_error < 1e-7 for p in report.params[1:])
    text = str(report)
    assert "FAILED (1 of 5 parameters)" in text and "2.weight" in text and "WRONG" in text


def test_wrong_input_backward_flags_the_layers_before_it():
    report = gradcheck(model_with(Scale(5, input_factor=-1.0)), F.cross_entropy, X, Y)
    assert sorted(p.name for p in report.failed) == ["0.bias", "0.weight"]
    assert report["2.weight"].passed and report["3.weight"].passed
    with pytest.raises(KeyError, match="no parameter named"):
        report["9.weight"]


def test_real_mlp_and_cnn_with_tanh_pass():
    tidu.manual_seed(1)
    mlp = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    assert gradcheck(mlp, F.cross_entropy, X, Y).passed
    cnn = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(3 * 3 * 3, 4))
    x = RNG.standard_normal((4, 2, 6, 6)).astype(np.float32)
    y = RNG.integers(0, 4, 4)
    report = gradcheck(cnn, F.cross_entropy, x, y, n_checks=12, seed=3)
    assert report.passed, str(report)
    assert {p.name: p.n_checked for p in report.params} == {
        "0.weight": 12, "0.bias": 3, "4.weight": 12, "4.bias": 4}  # all of a small parameter


def test_regression_loss_and_sampled_elements_are_reproducible():
    tidu.manual_seed(2)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 1))
    y = RNG.standard_normal((12, 1)).astype(np.float32)
    a = gradcheck(model, F.mse_loss, X, y, n_checks=5, seed=7)
    b = gradcheck(model, F.mse_loss, X, y, n_checks=5, seed=7)
    assert a.passed and [(p.name, p.worst_index, p.numeric) for p in a.params] == \
        [(p.name, p.worst_index, p.numeric) for p in b.params]


def test_dropout_in_training_mode_uses_the_same_masks():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Dropout(0.5), nn.Linear(16, 3))
    assert model.training
    assert gradcheck(model, F.cross_entropy, X, Y).passed


def test_the_model_is_left_as_it_was():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.Tanh(), nn.Linear(6, 3))
    model[3].eval()  # a mixed mode must survive too
    arrays = [p._data for p in model.parameters()]
    values = [a.copy() for a in arrays]
    buffers = {k: v for k, v in model.named_buffers()}
    buffer_values = {k: v.clone() for k, v in buffers.items()}
    model[0].weight.grad = Tensor(np.full((6, 4), 7.0, dtype=np.float32))
    state = tidu.random.get_rng_state()
    report = gradcheck(model, F.cross_entropy, X, Y, train=True)
    assert report.passed
    for p, a, v in zip(model.parameters(), arrays, values):
        assert p._data is a and p._data.dtype == np.float32
        np.testing.assert_array_equal(p._data, v)
    for k, b in model.named_buffers():
        assert b is buffers[k]
        np.testing.assert_array_equal(b, buffer_values[k])  # running stats not updated
    assert model[0].weight.grad._data[0, 0] == 7.0 and model[3].weight.grad is None
    assert model[0].training and not model[3].training
    assert tidu.random.get_rng_state() == state


def test_bad_arguments():
    model = model_with(Scale(5))
    with pytest.raises(TypeError, match="gradcheck: model must be a tidu.nn.Module"):
        gradcheck("model", F.cross_entropy, X, Y)
    with pytest.raises(TypeError, match="loss_fn must be callable"):
        gradcheck(model, 3, X, Y)
    with pytest.raises(ValueError, match="eps must be a positive number"):
        gradcheck(model, F.cross_entropy, X, Y, eps=0)
    with pytest.raises(ValueError, match="n_checks must be a positive int"):
        gradcheck(model, F.cross_entropy, X, Y, n_checks=0)
    with pytest.raises(TypeError, match="loss_fn must return a scalar"):
        gradcheck(model, lambda out, y: out, X, Y)
    with pytest.raises(ValueError, match="no trainable parameters"):
        gradcheck(nn.Tanh(), F.mse_loss, X, X)
    assert isinstance(gradcheck(model, F.cross_entropy, X, Y, n_checks=2), GradcheckReport)
