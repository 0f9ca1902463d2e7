"""E1: in a deep sigmoid net the gradient norm falls layer by layer towards the input
(vanishing gradients); ReLU with He initialization keeps it level."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import StandardScaler, load_digits
from tidu.nn import functional as F
from tidu.nn import init

from ..base import Outcome, experiment

DEPTH, WIDTH = 10, 64

# (label, activation, weight initializer); biases start at 0 in every net
SETUPS = [
    ("sigmoid, Xavier uniform", nn.Sigmoid, init.xavier_uniform_),
    ("sigmoid, default U(±1/√n)", nn.Sigmoid, None),
    ("sigmoid, N(0, 1)", nn.Sigmoid, lambda w: init.normal_(w, 0.0, 1.0)),
    ("ReLU, He normal", nn.ReLU, lambda w: init.kaiming_normal_(w, nonlinearity="relu")),
]


def _mlp(act, weight_init) -> nn.Sequential:
    layers, d = [], 64
    for i in range(DEPTH):
        out = 10 if i == DEPTH - 1 else WIDTH
        lin = nn.Linear(d, out)
        if weight_init is not None:
            weight_init(lin.weight)
        init.zeros_(lin.bias)
        layers.append(lin)
        if i < DEPTH - 1:
            layers.append(act())
        d = out
    return nn.Sequential(*layers)


def _layer_grad_norms(model, x, y) -> np.ndarray:
    """‖∂L/∂W‖₂ of every Linear layer, input side first."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return np.array([float(np.linalg.norm(m.weight.grad.data)) for m in model.modules()
                     if isinstance(m, nn.Linear)])


@experiment(
    "E1", title="Vanishing gradients in a deep sigmoid net", notes=("002", "003", "004"),
    claim_zh="对这个函数求导的结果是f′(x)=f(x)(1−f(x))表示两个0到1之间的数相乘，得到的结果就会变得很小了。"
             "神经网络的反向传播是逐层对函数偏导相乘，因此当神经网络层数非常深的时候，最后一层产生的偏差就因为"
             "乘了很多的小于1的数而越来越小，最终就会变为0，从而导致层数比较浅的权重没有更新，这就是梯度消失。"
             "……relu函数在大于0的部分梯度为常数，所以不会产生梯度弥散现象。",
    claim_en="In a deep sigmoid net the gradient shrinks layer by layer on its way back to the input "
             "(σ′ ≤ ¼ multiplies in at every layer); ReLU with He initialization keeps it level.",
)
def run(full: bool = False) -> Outcome:
    X, y = load_digits()
    X = StandardScaler().fit(X).transform(X)            # z-scored pixels
    n_samples = len(X) if full else 512
    n_nets = 10 if full else 3
    x, t = tidu.Tensor(X[:n_samples]), tidu.Tensor(y[:n_samples])
    norms = {}
    for label, act, weight_init in SETUPS:
        norms[label] = np.mean([_layer_grad_norms(_mlp(act, weight_init), x, t)
                                for _ in range(n_nets)], axis=0)

    ratio = {k: float(v[0] / v[-1]) for k, v in norms.items()}            # input / output layer
    falls = {k: int(np.sum(np.diff(v) > 0)) for k, v in norms.items()}  # steps where it shrinks
    spread = {k: float(v.min() / v.max()) for k, v in norms.items()}        # 1 = perfectly level
    sigmoid = [k for k in norms if k.startswith("sigmoid")]
    relu = "ReLU, He normal"
    sigmoid_vanishes = all(falls[k] >= DEPTH - 2 and ratio[k] < 0.1 for k in sigmoid)
    relu_level = spread[relu] >= 0.1
    held = sigmoid_vanishes and relu_level

    fig, ax = plt.subplots(figsize=(6, 3.5))
    layers = np.arange(1, DEPTH + 1)
    for (label, v), style in zip(norms.items(), ["o-", "s-", "^-", "D--"]):
        ax.semilogy(layers, v, style, label=label)
    ax.set(title=f"Per-layer gradient norm at initialization ({DEPTH} Linear layers)",
           xlabel="layer (1 = input side, 10 = output)", ylabel="‖∂L/∂W‖₂ (mean over nets)")
    ax.set_xticks(layers)
    ax.legend(fontsize=8)
    fig.tight_layout()

    verdict = ("input-layer/output-layer gradient-norm ratio "
               + ", ".join(f"{ratio[k]:.1e} with {k} (shrinks at {falls[k]}/{DEPTH - 1} layers)"
                           for k in sigmoid)
               + f" vs {ratio[relu]:.2f} with ReLU + He, whose smallest/largest layer norm is "
                 f"{spread[relu]:.2f}. Criterion: in every sigmoid net the gradient shrinks at ≥ "
                 f"{DEPTH - 2} of the {DEPTH - 1} layer-to-layer steps towards the input and ends ≥ 10× "
                 f"smaller; with ReLU + He all layers stay within 10× of each other.")
    return Outcome(
        held=held, verdict=verdict,
        setup=(f"MLP of {DEPTH} Linear layers (64 → {WIDTH} × {DEPTH - 1} → 10, activations between, "
               f"biases 0) on {n_samples} z-scored digits (load_digits), cross-entropy; gradient "
               f"norms of each layer's weight from one backward pass at initialization, averaged over "
               f"{n_nets} independently initialized nets per setup."),
        numbers={"layer_grad_norms": {k: v.tolist() for k, v in norms.items()},
                 "input_output_ratio": ratio, "steps_that_shrink": falls,
                 "min_max_spread": spread},
        figures=[fig])
