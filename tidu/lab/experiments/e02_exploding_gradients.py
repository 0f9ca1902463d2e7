"""E2: large initial weights in a deep net make the gradients explode to Inf/NaN; gradient
clipping keeps training finite."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import StandardScaler, load_digits
from tidu.nn import functional as F
from tidu.nn import init
from tidu.nn.utils import clip_grad_norm_, get_total_norm

from ..base import Outcome, experiment

DEPTH, WIDTH, LR, BATCH = 10, 64, 0.01, 64

# (label, SGD keyword arguments, global clip_grad_norm_ max_norm)
MODES = [
    ("no clipping", {}, None),
    ("clip_grad_norm_(1.0) (global)", {}, 1.0),
    ("clipnorm=1 (per tensor, Keras)", {"clipnorm": 1.0}, None),
    ("clipvalue=0.5 (Keras)", {"clipvalue": 0.5}, None),
]


def _mlp(weight_init) -> nn.Sequential:
    layers, d = [], 64
    for i in range(DEPTH):
        out = 10 if i == DEPTH - 1 else WIDTH
        lin = nn.Linear(d, out)
        weight_init(lin.weight)
        init.zeros_(lin.bias)
        layers.append(lin)
        if i < DEPTH - 1:
            layers.append(nn.ReLU())
        d = out
    return nn.Sequential(*layers)


def _large(w):
    init.normal_(w, 0.0, 1.0)       # the notes' "比较大的值": N(0, 1)


def _train(X, y, sgd_kwargs, max_norm, steps, seed):
    tidu.manual_seed(seed)
    model = _mlp(_large)
    opt = tidu.optim.SGD(model.parameters(), lr=LR, **sgd_kwargs)
    rng = np.random.default_rng(seed)
    losses, grad_norms = [], []
    with np.errstate(all="ignore"):                 # overflow is what we are measuring
        for _ in range(steps):
            idx = rng.choice(len(X), BATCH, replace=False)
            loss = F.cross_entropy(model(tidu.Tensor(X[idx])), tidu.Tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            grad_norms.append(float(get_total_norm([p.grad for p in model.parameters()]).data))
            if max_norm is not None:
                clip_grad_norm_(model.parameters(), max_norm)
            opt.step()
            losses.append(float(loss.data))
        with tidu.no_grad():
            acc = float((model(tidu.Tensor(X)).data.argmax(axis=1) == y).mean())
    return np.array(losses), np.array(grad_norms), acc


def _first_nonfinite(*series) -> int | None:
    bad = ~np.isfinite(np.stack(series)).all(axis=0)
    return int(np.argmax(bad)) if bad.any() else None


@experiment(
    "E2", title="Exploding gradients from large initial weights; clipping", notes=("000", "002", "003"),
    claim_zh="梯度爆炸：就是由于初始化权值过大，前面层会比后面层变化的更快，就会导致权值越来越大，梯度爆炸的现象就发生了。"
             "……在极端情况下，权重的值变得特别大，以至于结果会溢出（NaN值，无穷与非数值）。……梯度裁剪是处理梯度爆炸"
             "问题的一个简单但非常有效的解决方案，如果梯度值大于某个阈值，我们就进行梯度裁剪。",
    claim_en="With too-large initial weights a deep net's gradients explode and training overflows to "
             "Inf/NaN; clipping the gradient (by norm or by value) keeps training finite.",
)
def run(full: bool = False) -> Outcome:
    X, y = load_digits()
    X = StandardScaler().fit(X).transform(X)
    steps = 600 if full else 200
    seeds = (0, 1, 2) if full else (0,)
    runs = {label: [_train(X, y, kw, mn, steps, s) for s in seeds] for label, kw, mn in MODES}

    # the reference: the same net with He initialization, gradient norm at the first batch
    ref = _mlp(lambda w: init.kaiming_normal_(w, nonlinearity="relu"))
    F.cross_entropy(ref(tidu.Tensor(X[:BATCH])), tidu.Tensor(y[:BATCH])).backward()
    he_norm = float(get_total_norm([p.grad for p in ref.parameters()]).data)

    first_bad = {k: [_first_nonfinite(L, G) for L, G, _ in v] for k, v in runs.items()}
    init_norm = float(np.mean([G[0] for _, G, _ in runs["no clipping"]]))
    unclipped_blows = all(b is not None for b in first_bad["no clipping"])
    clipped = [k for k, _, _ in MODES[1:]]
    clipped_finite = all(b is None for k in clipped for b in first_bad[k])
    held = unclipped_blows and clipped_finite

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for (label, _, _), style in zip(MODES, ["x-", "-", "--", ":"]):
        L, G, _ = runs[label][0]
        steps_axis = np.arange(1, steps + 1)
        ok = np.isfinite(L)
        axes[0].semilogy(steps_axis[ok], L[ok], style, label=label, markersize=8)
        okg = np.isfinite(G)
        axes[1].semilogy(steps_axis[okg], G[okg], style, label=label, markersize=8)
    axes[1].axhline(he_norm, color="grey", lw=0.8, label="He init, first batch")
    if first_bad["no clipping"][0] is not None:
        for ax in axes:
            ax.axvline(first_bad["no clipping"][0] + 1, color="red", lw=0.8,
                       label="no clipping: NaN/Inf from here")
    axes[0].set(title="Training loss, N(0, 1) init (non-finite points dropped)", xlabel="step",
                ylabel="cross-entropy")
    axes[1].set(title="Gradient norm before clipping", xlabel="step", ylabel="‖∇θ‖₂ (all parameters)")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.tight_layout()

    def _loss_span(k):
        L = np.concatenate([r[0][-20:] for r in runs[k]])
        first = np.mean([r[0][0] for r in runs[k]])
        return f"loss {first:.1e} → {np.mean(L):.1e}, accuracy {np.mean([r[2] for r in runs[k]]):.0%}"

    nb = first_bad["no clipping"]
    verdict = (f"gradient norm at the first batch {init_norm:.1e} with N(0, 1) weights vs {he_norm:.1f} "
               f"with He init; without clipping the loss/gradients are non-finite from step "
               f"{', '.join(str(b + 1) if b is not None else 'never' for b in nb)} "
               f"(of {steps}); with clipping every step stays finite — "
               + "; ".join(f"{k}: {'finite' if all(b is None for b in first_bad[k]) else 'NaN/Inf'}, "
                           f"{_loss_span(k)}" for k in clipped)
               + ". Criterion: unclipped training overflows, every clipped run stays finite.")
    return Outcome(
        held=held, verdict=verdict,
        setup=(f"ReLU MLP of {DEPTH} Linear layers (64 → {WIDTH} × {DEPTH - 1} → 10), weights N(0, 1) "
               f"(the notes' large init), biases 0; z-scored digits, cross-entropy, SGD lr={LR}, "
               f"batch {BATCH}, {steps} steps, {len(seeds)} seed(s). Clipping: none, global "
               f"clip_grad_norm_(max_norm=1), Keras-style per-tensor clipnorm=1 and clipvalue=0.5 "
               f"(the defaults the notes quote)."),
        numbers={"first_nonfinite_step": first_bad, "initial_grad_norm": init_norm,
                 "he_init_grad_norm": he_norm,
                 "final_loss": {k: float(np.mean([r[0][-1] for r in v])) for k, v in runs.items()},
                 "accuracy": {k: float(np.mean([r[2] for r in v])) for k, v in runs.items()}},
        figures=[fig])
