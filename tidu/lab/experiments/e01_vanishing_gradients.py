"""E1: in a deep sigmoid net the gradient norm falls layer by layer towards the input
(vanishing gradients); with ReLU (He or tidu's default initialization) it stays level.
Measured at initialization, one net per seed: under SGD a layer's update is lr × its gradient."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import StandardScaler, load_digits
from tidu.nn import functional as F
from tidu.nn import init

from ..base import Outcome, SubClaim, experiment

DEPTH, WIDTH = 10, 64

# (label, activation, weight initializer); biases start at 0 in every net
SETUPS = [
    ("sigmoid, Xavier uniform", nn.Sigmoid, init.xavier_uniform_),
    ("sigmoid, default U(±1/√n)", nn.Sigmoid, None),
    ("sigmoid, N(0, 1)", nn.Sigmoid, lambda w: init.normal_(w, 0.0, 1.0)),
    ("ReLU, He normal", nn.ReLU, lambda w: init.kaiming_normal_(w, nonlinearity="relu")),
    ("ReLU, default U(±1/√n)", nn.ReLU, None),
]
RELU, RELU_DEFAULT = "ReLU, He normal", "ReLU, default U(±1/√n)"


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
    return np.array([float(np.linalg.norm(m.weight.grad._data)) for m in model.modules()
                     if isinstance(m, nn.Linear)])


@experiment(
    "E1", title="Vanishing gradients in a deep sigmoid net", notes=("002", "003", "004"),
    claim_zh="对这个函数求导的结果是f′(x)=f(x)(1−f(x))表示两个0到1之间的数相乘，得到的结果就会变得很小了。"
             "神经网络的反向传播是逐层对函数偏导相乘，因此当神经网络层数非常深的时候，最后一层产生的偏差就因为"
             "乘了很多的小于1的数而越来越小，最终就会变为0，从而导致层数比较浅的权重没有更新，这就是梯度消失。"
             "……relu函数在大于0的部分梯度为常数，所以不会产生梯度弥散现象。",
    claim_en="In a deep sigmoid net the gradient shrinks layer by layer on its way back to the input "
             "(σ′ ≤ ¼ multiplies in at every layer); with ReLU (slope 1 for x > 0) it stays level.",
)
def run(full: bool = False) -> Outcome:
    X, y = load_digits()
    X = StandardScaler().fit(X).transform(X)            # z-scored pixels
    n_samples = len(X) if full else 512
    seeds = tuple(range(20)) if full else tuple(range(10))  # one independently initialized net each
    x, t = tidu.Tensor(X[:n_samples]), tidu.Tensor(y[:n_samples])
    per_net = {}                                          # (setup, seed) → norms per layer
    for label, act, weight_init in SETUPS:
        for seed in seeds:
            tidu.manual_seed(seed)
            per_net[(label, seed)] = _layer_grad_norms(_mlp(act, weight_init), x, t)
    norms = {label: np.mean([per_net[(label, s)] for s in seeds], axis=0) for label, *_ in SETUPS}

    def _ratio(v):                   # input layer / output layer
        return float(v[0] / v[-1])

    def _falls(v):                   # layer-to-layer steps (towards the input) where it shrinks
        return int(np.sum(np.diff(v) > 0))

    def _spread(v):                  # smallest / largest layer norm; 1 = perfectly level
        return float(v.min() / v.max())

    ratio = {lab: [_ratio(per_net[(lab, s)]) for s in seeds] for lab, *_ in SETUPS}
    falls = {lab: [_falls(per_net[(lab, s)]) for s in seeds] for lab, *_ in SETUPS}
    spread = {lab: [_spread(per_net[(lab, s)]) for s in seeds] for lab, *_ in SETUPS}
    sigmoid = [lab for lab, *_ in SETUPS if lab.startswith("sigmoid")]
    mean_falls = {k: _falls(norms[k]) for k in sigmoid}   # the typical net: mean over seeds
    sigmoid_vanishes = all(mean_falls[k] >= DEPTH - 2 and max(ratio[k]) < 0.1 for k in sigmoid)
    relu_level = all(min(spread[k]) >= 0.1 for k in (RELU, RELU_DEFAULT))

    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    layers = np.arange(1, DEPTH + 1)
    for (label, v), style in zip(norms.items(), ["o-", "s-", "^-", "D--", "x:"]):
        ax.semilogy(layers, v, style, label=label)
    ax.set(title=f"Per-layer gradient norm at initialization ({DEPTH} Linear layers)",
           xlabel="layer (1 = input side, 10 = output)",
           ylabel=f"‖∂L/∂W‖₂ (mean over {len(seeds)} nets)")
    ax.set_xticks(layers)
    ax.legend(fontsize=7)
    fig.tight_layout()

    def _r(v):                       # per seed, or the range over seeds when there are many
        return "/".join(f"{r:.2g}" for r in v) if len(v) <= 5 else f"{min(v):.2g}–{max(v):.2g}"

    def _span(v):
        return f"{min(v)}" if min(v) == max(v) else f"{min(v)}–{max(v)}"

    sub = [
        SubClaim("in a deep sigmoid net the gradient shrinks layer by layer towards the input",
                 sigmoid_vanishes,
                 "input-layer / output-layer gradient norm over the seeds: "
                 + "; ".join(f"{k} {_r(ratio[k])} (the mean over nets shrinks at {mean_falls[k]} "
                             f"of {DEPTH - 1} steps, single nets at {_span(falls[k])})"
                             for k in sigmoid)
                 + f". Under SGD a layer's update is lr × its gradient, so the input layer moves that "
                   f"much less than the output layer. Criterion: for every sigmoid init the mean norm "
                   f"over nets shrinks at ≥ {DEPTH - 2} of the {DEPTH - 1} layer-to-layer steps, and "
                   f"every single net ends ≥ 10× smaller at the input. (With N(0, 1) weights, large "
                   f"enough that σ′·|w| can exceed 1, single nets show local bumps.)"),
        SubClaim("with ReLU the gradient stays level (He init, and tidu's default init)", relu_level,
                 f"smallest / largest layer norm over the seeds: ReLU + He {_r(spread[RELU])}, ReLU + "
                 f"default U(±1/√n) {_r(spread[RELU_DEFAULT])}; input / output {_r(ratio[RELU])} and "
                 f"{_r(ratio[RELU_DEFAULT])}. Criterion: every layer within 10× of every other in "
                 f"every ReLU net and seed. Level is not large: with the default init every layer's "
                 f"gradient is ~{np.median(norms[RELU_DEFAULT]):.1g} (He: ~{np.median(norms[RELU]):.2g}), "
                 f"because that init shrinks the forward signal itself at every layer (E4)."),
    ]
    worst_sig = max(max(ratio[k]) for k in sigmoid)
    takeaway = (f"Sigmoid (10 layers): the input layer's gradient is ×"
                + ", ×".join(f"{np.exp(np.mean(np.log(ratio[k]))):.1g}" for k in sigmoid)
                + f" the output layer's ({', '.join(k.split(', ', 1)[1] for k in sigmoid)} init); "
                  f"ReLU: ×{np.mean(ratio[RELU]):.2g} with He init, ×{np.mean(ratio[RELU_DEFAULT]):.2g} "
                  f"with the default init.")
    verdict = (f"at initialization the input layer's gradient norm is "
               + ", ".join(f"{_r(ratio[k])} × the output layer's with {k}" for k in sigmoid)
               + f" (seeds {seeds[0]}–{seeds[-1]}; at most {worst_sig:.2g}), the mean over nets "
                 f"falling at ≥ {min(mean_falls.values())} of the {DEPTH - 1} layer-to-layer steps; "
                 f"with ReLU + He it is "
                 f"{_r(ratio[RELU])} × and the smallest/largest layer norm {_r(spread[RELU])} "
                 f"(default init: {_r(ratio[RELU_DEFAULT])} × and {_r(spread[RELU_DEFAULT])}). "
                 f"Criterion: for every sigmoid init the mean over nets shrinks at ≥ {DEPTH - 2} of "
                 f"{DEPTH - 1} steps and every net ends ≥ 10× smaller; every ReLU net keeps all layers "
                 f"within 10×.")
    return Outcome(
        subclaims=sub, takeaway=takeaway, verdict=verdict,
        setup=(f"MLP of {DEPTH} Linear layers (64 → {WIDTH} × {DEPTH - 1} → 10, activations between, "
               f"biases 0) on {n_samples} z-scored digits (load_digits), cross-entropy; the gradient "
               f"norm of each layer's weight from one backward pass at initialization; one net per "
               f"setup and seed (tidu.manual_seed(seed) before building it), seeds {list(seeds)}."),
        seeds=seeds,
        per_seed={f"input/output gradient ratio, {k}": ratio[k] for k in ratio},
        numbers={"layer_grad_norms_mean": {k: v.tolist() for k, v in norms.items()},
                 "input_output_ratio": ratio, "steps_that_shrink": falls,
                 "steps_that_shrink_mean_over_nets": mean_falls,
                 "min_max_spread": spread},
        figures=[fig])
