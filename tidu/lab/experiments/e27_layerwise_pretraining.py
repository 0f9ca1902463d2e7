"""E27: greedy layer-wise (autoencoder) pre-training, then fine-tuning, helps a deep sigmoid net —
tested against random initializations (the default one, the notes' N(0, 1), Xavier scaled for
sigmoid) that get the same learning-rate search and the same number of gradient steps."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import load_digits
from tidu.model_selection import train_test_split
from tidu.nn import functional as F

from ..base import Outcome, SubClaim, experiment
from ..report import fmt

DEPTH, WIDTH, BATCH = 6, 64, 64
LRS = (0.03, 0.1, 0.3, 1.0, 3.0)             # SGD + momentum 0.9: every supervised phase
AE_LRS = (1.0, 3.0, 10.0, 30.0, 100.0)    # autoencoders, chosen by reconstruction loss
MARGIN = 0.02                            # "helps": ≥ 2 points more test accuracy on average
INITS = {
    "default": "tidu's default (PyTorch's) U(±1/√fan_in)",
    "N(0, 1)": "N(0, 1), the notes' (004) 'standard' initialization",
    "Xavier ×4": "Xavier uniform ×4, Glorot & Bengio's (2010) scaling for sigmoid, whose slope "
                 "is at most 1/4",
}
XAVIER = ("Xavier", "Xavier/Glorot uniform U(±√(6/(m+n))), the notes' (001) formula (meant for "
                    "tanh); full mode only")


def _net(seed: int, init: str = "default") -> nn.Sequential:
    """64 → DEPTH × (Linear WIDTH, sigmoid) → Linear 10."""
    tidu.manual_seed(seed)
    layers = []
    for i in range(DEPTH):
        layers += [nn.Linear(64 if i == 0 else WIDTH, WIDTH), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(WIDTH, 10))
    if init != "default":
        for m in model:
            if isinstance(m, nn.Linear):
                if init.startswith("Xavier"):
                    nn.init.xavier_uniform_(m.weight, gain=4.0 if init == "Xavier ×4" else 1.0)
                else:
                    nn.init.normal_(m.weight, 0.0, 1.0)
                nn.init.zeros_(m.bias)
    return model


def _sgd(params, lr: float):
    return tidu.optim.SGD(params, lr=lr, momentum=0.9)


def _snapshot(module) -> dict:
    return {k: v.clone() for k, v in module.state_dict().items()}


def _pretrain(model: nn.Sequential, Xtr, Xva, steps_per_layer: int, seed: int,
              candidates=None) -> list:
    """Greedy layer-wise pre-training (the notes' 逐层预训练): hidden layer i is the encoder of an
    autoencoder sigmoid(W₂·sigmoid(W₁h + b₁) + b₂) ≈ h trained (MSE) on the fixed output h of
    the layers below it.  For each layer every rate in AE_LRS is tried from the same start and
    the one with the lowest reconstruction loss on the validation inputs is kept — an
    unsupervised choice; no label is used.  ``candidates``: the rates to try per layer (default
    AE_LRS for each).  Returns the chosen rates and their losses."""
    rng = np.random.default_rng(seed + 1000)
    h, hv, chosen = Xtr, Xva, []
    for i in range(DEPTH):
        enc = model[2 * i]
        start = _snapshot(enc)
        tidu.manual_seed(seed + 100 + i)
        dec_start = _snapshot(nn.Linear(WIDTH, h.shape[1]))
        batches = [h[rng.integers(0, len(h), BATCH)] for _ in range(steps_per_layer)]
        best = None
        for lr in (candidates[i] if candidates else AE_LRS):
            enc.load_state_dict(start)
            dec = nn.Linear(WIDTH, h.shape[1])
            dec.load_state_dict(dec_start)
            opt = _sgd(list(enc.parameters()) + list(dec.parameters()), lr)
            for xb in batches:
                xb = tidu.Tensor(xb)
                loss = F.mse_loss(F.sigmoid(dec(F.sigmoid(enc(xb)))), xb)
                opt.zero_grad()
                loss.backward()
                opt.step()
            with tidu.no_grad():
                xv = tidu.Tensor(hv)
                rec = float(F.mse_loss(F.sigmoid(dec(F.sigmoid(enc(xv)))), xv)._data)
            if not np.isfinite(rec):
                rec = np.inf
            if best is None or rec < best[1]:
                best = (lr, rec, _snapshot(enc))
        enc.load_state_dict(best[2])
        chosen.append((best[0], best[1]))
        with tidu.no_grad():
            h = F.sigmoid(enc(tidu.Tensor(h)))._data
            hv = F.sigmoid(enc(tidu.Tensor(hv)))._data
    return chosen


def _layer_grad_norms(model, X, y) -> list:
    """‖∂L/∂W‖ of each hidden layer's weight on the whole training set."""
    model.zero_grad()
    F.cross_entropy(model(tidu.Tensor(X)), tidu.Tensor(y)).backward()
    norms = [float(np.linalg.norm(model[2 * i].weight.grad._data)) for i in range(DEPTH)]
    model.zero_grad()
    return norms


def _accuracy(model, X, y) -> float:
    with tidu.no_grad():
        out = model(tidu.Tensor(X))._data
    return float((out.argmax(1) == y).mean()) if np.isfinite(out).all() else 0.1


def _supervised(model, data, steps: int, lr: float, seed: int, start: int = 0, every: int = 0):
    """Mini-batch SGD + momentum on cross-entropy (the same batches for every arm of a seed).
    Returns (validation accuracy, test accuracy, [(total step, test accuracy)] if every)."""
    Xtr, ytr, Xva, yva, Xte, yte = data
    rng = np.random.default_rng(seed)
    opt = _sgd(model.parameters(), lr)
    curve = [(start, _accuracy(model, Xte, yte))] if every else []
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            idx = rng.integers(0, len(Xtr), BATCH)
            loss = F.cross_entropy(model(tidu.Tensor(Xtr[idx])), tidu.Tensor(ytr[idx]))
            if not np.isfinite(loss.item()):
                break
            opt.zero_grad()
            loss.backward()
            opt.step()
            if every and (step % every == 0 or step == steps):
                curve.append((start + step, _accuracy(model, Xte, yte)))
        return _accuracy(model, Xva, yva), _accuracy(model, Xte, yte), curve


def _data(seed: int):
    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)
    Xrest, Xte, yrest, yte = train_test_split(X, y, test_size=0.25, seed=seed, stratify=y)
    Xtr, Xva, ytr, yva = train_test_split(Xrest, yrest, test_size=0.2, seed=seed, stratify=yrest)
    return Xtr, ytr, Xva, yva, Xte, yte


def _arm_runs(seed: int, spl: int, ft: int, lrs: dict, inits, curves: bool, ae_lrs=None):
    """One seed: every arm at each learning rate in ``lrs[arm]`` (the grid on tuning seeds, the
    chosen rate otherwise).  Random inits get all DEPTH·spl + ft steps supervised; pre-training
    takes DEPTH·spl autoencoder steps (rates from ``ae_lrs`` per layer, default the whole
    AE_LRS search), then ft supervised fine-tuning steps."""
    data = _data(seed)
    budget = DEPTH * spl + ft
    every = 50 if curves else 0
    out = {}
    for init in inits:
        out[init] = {lr: _supervised(_net(seed, init), data, budget, lr, seed, every=every)
                     for lr in lrs[init]}
    model = _net(seed)
    ae = _pretrain(model, data[0], data[2], spl, seed, ae_lrs)
    pre_state = _snapshot(model)
    grads = {"default": _layer_grad_norms(_net(seed), data[0], data[1]),
             "pre-trained": _layer_grad_norms(model, data[0], data[1])}
    out["pre-trained"] = {}
    for lr in lrs["pre-trained"]:
        model.load_state_dict(pre_state)
        out["pre-trained"][lr] = _supervised(model, data, ft, lr, seed, start=DEPTH * spl,
                                             every=every)
    return out, ae, grads


@experiment(
    "E27", title="Layer-wise pre-training, then fine-tuning", notes=("001", "002"),
    claim_zh="Hinton为了解决梯度的问题，提出采取无监督逐层训练方法，其基本思想是每次训练一层隐节点，训练时将上一层隐节点的输出作为输入，"
             "而本层隐节点的输出作为下一层隐节点的输入，此过程就是逐层“预训练”（pre-training）；在预训练完成后，"
             "再对整个网络进行“微调”（fine-tunning）。……此方法有一定的好处，但是目前应用的不是很多了。",
    claim_en="Greedy unsupervised layer-wise pre-training followed by fine-tuning with backprop helps a deep "
             "sigmoid net against the vanishing gradient — it has some benefit, but is little used today.",
    expected="mixed",
    expected_reason="pre-training beats the default random initialization, but a random "
                    "initialization scaled for sigmoid (Xavier ×4, or the notes' N(0, 1)) at a tuned "
                    "learning rate does as well — which fits the notes' own 目前应用的不是很多了",
    beyond_notes="the comparison with the best of several random initializations at a tuned "
                 "learning rate is the lab's; the notes compare with no baseline",
)
def run(full: bool = False) -> Outcome:
    seeds = (0, 1, 2)
    spl, ft = (150, 800) if full else (40, 300)
    budget = DEPTH * spl + ft
    inits = dict(INITS, **dict([XAVIER])) if full else INITS
    arms = (*inits, "pre-trained")
    tune = seeds if full else seeds[:1]       # the seeds whose validation accuracy picks the lr
    runs = {}
    for s in tune:
        runs[s] = _arm_runs(s, spl, ft, {a: LRS for a in arms}, inits, curves=(s == seeds[0]))
    ae_chosen = [(lr,) for lr, _ in runs[seeds[0]][1]]   # seed 0's autoencoder rates
    val = {a: {lr: float(np.mean([runs[s][0][a][lr][0] for s in tune])) for lr in LRS} for a in arms}
    best_lr = {a: max(LRS, key=lambda lr: (val[a][lr], -lr)) for a in arms}
    for s in seeds:
        if s not in runs:
            runs[s] = _arm_runs(s, spl, ft, {a: (best_lr[a],) for a in arms}, inits,
                                curves=False, ae_lrs=ae_chosen)
    test = {a: [runs[s][0][a][best_lr[a]][1] for s in seeds] for a in arms}
    val_best = {a: [runs[s][0][a][best_lr[a]][0] for s in seeds] for a in arms}
    best_random = max(inits, key=lambda a: np.mean(val_best[a]))

    def compare(other: str):
        gaps = [p - r for p, r in zip(test["pre-trained"], test[other])]
        held = bool(all(g > 0 for g in gaps) and np.mean(gaps) >= MARGIN)
        return held, gaps

    held_default, gaps_default = compare("default")
    held_best, gaps_best = compare(best_random)

    def acc(a):
        return f"{a} (lr {best_lr[a]:g}) " + ", ".join(f"{v:.3f}" for v in test[a])

    criterion = (f"held if pre-trained + fine-tuned beats it in every seed and by ≥ {MARGIN:.0%} "
                 f"test accuracy on average")
    sub = [
        SubClaim("pre-training + fine-tuning beats the same net from its default random "
                 "initialization (same steps, each at its best learning rate)", held_default,
                 f"test accuracy per seed: {acc('pre-trained')} vs {acc('default')}; gaps "
                 + ", ".join(f"{g:+.3f}" for g in gaps_default) + f"; {criterion}"),
        SubClaim(f"pre-training + fine-tuning beats the best random initialization ("
                 f"{', '.join(inits)}; each at its best learning rate)", held_best,
                 f"best random init by validation accuracy: {best_random}; test accuracy per "
                 f"seed: {acc('pre-trained')} vs {acc(best_random)}; gaps "
                 + ", ".join(f"{g:+.3f}" for g in gaps_best) + f"; {criterion}",
                 beyond_notes=True),
    ]

    ae = runs[seeds[0]][1]
    grads = runs[seeds[0]][2]
    curves = runs[seeds[0]][0]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for a in arms:
        c = np.array(curves[a][best_lr[a]][2])
        ax1.plot(c[:, 0], c[:, 1], label=f"{a if a != 'pre-trained' else 'pre-trained + fine-tuned'}"
                                         f" (lr {best_lr[a]:g})")
    ax1.axvspan(0, DEPTH * spl, color="gray", alpha=0.15, label="autoencoder steps")
    ax1.set(title=f"Deep sigmoid net ({DEPTH} hidden layers), digits, seed {seeds[0]}",
            xlabel="gradient steps (pre-training + supervised)", ylabel="test accuracy", ylim=(0, 1))
    ax1.legend(fontsize=7, loc="lower right")
    layers = np.arange(1, DEPTH + 1)
    ax2.semilogy(layers, grads["default"], "o-", label="default random init")
    ax2.semilogy(layers, grads["pre-trained"], "s-", label="after layer-wise pre-training")
    ax2.set(title="Gradient norm per layer before supervised training", xlabel="hidden layer "
            "(1 = input side)", ylabel="‖∂L/∂W‖")
    ax2.legend(fontsize=8)
    fig.tight_layout()

    g_def, g_pre = grads["default"], grads["pre-trained"]
    mean = {a: float(np.mean(test[a])) for a in arms}
    takeaway = (f"Deep sigmoid net, same {budget} steps, each at its best learning rate: "
                f"pre-trained + fine-tuned {mean['pre-trained']:.1%} test accuracy vs default random "
                f"init {mean['default']:.1%}, "
                + ", ".join(f"{a} {mean[a]:.1%}" for a in inits if a != "default")
                + f" (mean of {len(seeds)} seeds)")
    verdict = ("; ".join(f"{c.name}: {'held' if c.held else 'not held'}" for c in sub)
               + f". Mean test accuracy over seeds {list(seeds)}: "
               + ", ".join(f"{a} {fmt(mean[a])}" for a in arms)
               + f". Validation accuracy by learning rate (tuning seeds {list(tune)}): "
               + "; ".join(f"{a}: " + ", ".join(f"{lr:g}→{val[a][lr]:.2f}" for lr in LRS)
                           for a in arms)
               + f". First/last hidden layer gradient-norm ratio before supervised training: "
                 f"{g_def[0] / g_def[-1]:.2g} (default init) vs {g_pre[0] / g_pre[-1]:.2g} (pre-trained).")
    setup = (f"scikit-learn's digits (pixels / 16), stratified splits: 25% test, then 20% of the rest "
             f"for validation; MLP 64 → {DEPTH} × (Linear {WIDTH}, sigmoid) → 10; mini-batches of "
             f"{BATCH}; SGD with momentum 0.9; seeds {list(seeds)}. Random initializations: "
             + "; ".join(inits.values())
             + f" (zero biases for all but the default); each trained {budget} supervised steps. Pre-training "
             f"(from the default init): each hidden layer in turn is the encoder of a sigmoid "
             f"autoencoder on the previous layer's output, {spl} SGD steps each (MSE), its rate chosen "
             f"per layer from {list(AE_LRS)} by the lowest reconstruction loss on the validation "
             f"inputs (no labels) on seeds {list(tune)} (the other seeds reuse seed {seeds[0]}'s); then {ft} supervised fine-tuning steps of the whole net — "
             f"{budget} gradient steps in all, as for the random inits (autoencoder steps are "
             f"cheaper). Every supervised phase gets its learning rate from the same grid {list(LRS)} "
             f"by mean validation accuracy over seeds {list(tune)}, then is run at that rate on every "
             f"seed; test accuracy decides. Autoencoder rates chosen on seed {seeds[0]}: "
             + ", ".join(f"layer {i + 1}: {lr:g} (MSE {rec:.3g})" for i, (lr, rec) in enumerate(ae)))
    return Outcome(
        subclaims=sub, verdict=verdict, setup=setup, takeaway=takeaway, seeds=seeds,
        per_seed={f"test accuracy, {a}": test[a] for a in arms},
        what_would_change=(
            "Pre-training's advantage is over a badly scaled random start; a scaled random "
            "initialization (or normalization, ReLU) removes the vanishing gradient it was meant to "
            "fix. It could still help where labels are scarce and unlabelled data plentiful (the "
            "setting of Hinton 2006) — not tested here: all the training labels are used."),
        numbers={"test_accuracy": test, "validation_accuracy_best_lr": val_best,
                 "best_lr": best_lr, "best_random_init": best_random,
                 "validation_accuracy_by_lr": {a: {f"{lr:g}": v for lr, v in val[a].items()}
                                               for a in arms},
                 "autoencoder_lr_and_mse_seed0": [{"lr": lr, "mse": rec} for lr, rec in ae],
                 "grad_norms_default": g_def, "grad_norms_pretrained": g_pre},
        figures=[fig])
