"""Plots of the gradient monitor: titles, labels, colour bar, one panel per layer, and images
that are not blank."""
import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.diagnose import GradientMonitor, plot_activation_histograms, plot_gradient_flow
from tidu.nn import functional as F
from tidu.nn import init


def _pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float)


@pytest.fixture(scope="module")
def monitor():
    tidu.manual_seed(0)
    layers, d = [], 8
    for _ in range(4):
        lin = nn.Linear(d, 16)
        init.normal_(lin.weight, 0.0, 0.01)
        layers += [lin, nn.Sigmoid()]
        d = 16
    layers.append(nn.Linear(16, 1))
    model = nn.Sequential(*layers)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((128, 8)).astype(np.float32)
    mon = GradientMonitor(every_n_steps=2)
    tidu.train.fit(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=0.1),
                   (X, X[:, :1]), epochs=3, batch_size=32, callbacks=[mon], verbose=0)
    return mon


def test_gradient_flow_heat_map(monitor):
    fig = plot_gradient_flow(monitor)
    ax, cbar_ax = fig.axes  # the heat map and its colour bar
    assert ax.get_title() == "Gradient norm per layer over training (log scale)"
    assert ax.get_xlabel() == "training step" and ax.get_ylabel() == "layer (input → output)"
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "0 (Linear)", "2 (Linear)", "4 (Linear)", "6 (Linear)", "8 (Linear)"]
    assert "log scale" in cbar_ax.get_ylabel()
    mesh = ax.collections[0]
    assert type(mesh.norm).__name__ == "LogNorm"
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(5, -1),
                               monitor.stats.grad_norm.T)
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # the input layer at the top
    pixels = _pixels(fig)
    assert pixels.std() > 10 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50
    # vanishing: the input layer's row is darker (viridis: low = dark) than the output's
    values = mesh.norm(monitor.stats.grad_norm.T)
    assert values[0].mean() < 0.2 < 0.8 < values[-1].mean()


def test_gradient_flow_on_given_axes_and_other_fields(monitor):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    assert plot_gradient_flow(monitor, ax=ax, field="update_ratio") is fig
    assert ax.get_title().startswith("Update/weight") and _pixels(fig).std() > 10
    with pytest.raises(ValueError, match="field must name"):
        plot_gradient_flow(monitor, field="layers")


def test_activation_histograms(monitor):
    fig = plot_activation_histograms(monitor, bins=20, ncols=3)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 6 and len(visible) == 5  # 2 rows × 3, one left empty
    titles = [ax.get_title() for ax in visible]
    assert titles[0].startswith("0 (sigmoid, ") and "saturated" in titles[0]
    assert titles[-1] == "8 (output)"
    for ax in visible:
        assert ax.get_xlabel() == "activation" and ax.get_ylabel() == "count"
        heights = [p.get_height() for p in ax.patches]
        assert len(heights) == 20 and sum(heights) > 0
    assert fig.get_suptitle() == f"Activations per layer at step {monitor.stats.steps[-1]}"
    assert _pixels(fig).std() > 10


def test_plots_need_records():
    mon = GradientMonitor(nn.Linear(2, 1))
    with pytest.raises(ValueError, match="recorded no step"):
        plot_gradient_flow(mon)
    with pytest.raises(ValueError, match="no activations recorded"):
        plot_activation_histograms(mon)
    with pytest.raises(TypeError, match="expected a GradientMonitor"):
        plot_gradient_flow([1, 2])
