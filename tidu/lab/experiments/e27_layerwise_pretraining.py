"""E27: greedy layer-wise (autoencoder) pre-training, then fine-tuning, helps a deep sigmoid net."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import load_digits
from tidu.model_selection import train_test_split
from tidu.nn import functional as F

from ..base import Outcome, experiment

DEPTH, WIDTH, BATCH = 6, 64, 64
FT_LR, AE_LR, ADAM_LR = 0.1, 10.0, 3e-3


def _net(seed: int) -> nn.Sequential:
    """64 → 6 × (Linear 64, sigmoid) → Linear 10, tidu's default (PyTorch's) initialization."""
    tidu.manual_seed(seed)
    layers = []
    for i in range(DEPTH):
        layers += [nn.Linear(64 if i == 0 else WIDTH, WIDTH), nn.Sigmoid()]
    return nn.Sequential(*layers, nn.Linear(WIDTH, 10))


def _optimizer(params, kind: str, lr: float):
    return (tidu.optim.SGD(params, lr=lr, momentum=0.9) if kind == "sgd"
            else tidu.optim.Adam(params, lr=lr))


def _pretrain(model: nn.Sequential, Xtr, steps_per_layer: int, kind: str, rng) -> None:
    """Greedy layer-wise pre-training (the notes' 逐层预训练): each hidden layer is the encoder of
    an autoencoder sigmoid(W₂·sigmoid(W₁h + b₁) + b₂) ≈ h trained on the (fixed) output h of the
    layers below it; then its output becomes the next layer's input."""
    h = Xtr
    for i in range(DEPTH):
        enc = model[2 * i]
        dec = nn.Linear(WIDTH, h.shape[1])
        opt = _optimizer(list(enc.parameters()) + list(dec.parameters()), kind,
                         AE_LR if kind == "sgd" else ADAM_LR)
        for _ in range(steps_per_layer):
            xb = tidu.Tensor(h[rng.integers(0, len(h), BATCH)])
            loss = F.mse_loss(F.sigmoid(dec(F.sigmoid(enc(xb)))), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with tidu.no_grad():
            h = F.sigmoid(enc(tidu.Tensor(h))).data


def _layer_grad_norms(model, Xtr, ytr) -> list:
    """‖∂L/∂W‖ of each hidden layer's weight on the whole training set."""
    model.zero_grad()
    F.cross_entropy(model(tidu.Tensor(Xtr)), tidu.Tensor(ytr)).backward()
    norms = [float(np.linalg.norm(model[2 * i].weight.grad.data)) for i in range(DEPTH)]
    model.zero_grad()
    return norms


def _supervised(model, data, steps: int, kind: str, lr: float, rng, start: int = 0, every: int = 100):
    """Mini-batch training with cross-entropy; returns the test-accuracy curve [(total step, acc)],
    the final training loss and the final test accuracy."""
    Xtr, ytr, Xte, yte = data
    opt = _optimizer(model.parameters(), kind, lr)

    def test_acc():
        with tidu.no_grad():
            return float((model(tidu.Tensor(Xte)).data.argmax(1) == yte).mean())

    curve = [(start, test_acc())]
    for step in range(1, steps + 1):
        idx = rng.integers(0, len(Xtr), BATCH)
        loss = F.cross_entropy(model(tidu.Tensor(Xtr[idx])), tidu.Tensor(ytr[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % every == 0 or step == steps:
            curve.append((start + step, test_acc()))
    with tidu.no_grad():
        train_loss = float(F.cross_entropy(model(tidu.Tensor(Xtr)), tidu.Tensor(ytr)).data)
    return curve, train_loss, curve[-1][1]


def _one_seed(seed: int, spl: int, ft: int, full: bool):
    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, seed=seed, stratify=y)
    data = (Xtr, ytr, Xte, yte)
    budget = DEPTH * spl + ft
    out = {}
    # the same net from random init: every one of the budget's steps is supervised
    model = _net(seed)
    out["grads_random"] = _layer_grad_norms(model, Xtr, ytr)
    out["random"] = _supervised(model, data, budget, "sgd", FT_LR, np.random.default_rng(seed))
    if full:   # is it the learning rate?  the random-init net with other rates
        out["random_lr"] = {lr: _supervised(_net(seed), data, budget, "sgd", lr,
                                            np.random.default_rng(seed))[2]
                            for lr in (0.03, 0.3, 3.0)}
        # another remedy the notes name (004): a N(0, 1) random initialization
        model = _net(seed)
        for m in model:
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 1.0)
                nn.init.zeros_(m.bias)
        out["random_n01"] = _supervised(model, data, budget, "sgd", FT_LR, np.random.default_rng(seed))[2]
    # pre-training (DEPTH × spl steps), then fine-tuning (ft steps): the same total
    model = _net(seed)
    rng = np.random.default_rng(seed)
    _pretrain(model, Xtr, spl, "sgd", rng)
    out["grads_pretrained"] = _layer_grad_norms(model, Xtr, ytr)
    out["pretrained"] = _supervised(model, data, ft, "sgd", FT_LR, rng, start=DEPTH * spl)
    return out


def _modern(seed: int, spl: int, ft: int, pretrained: bool, xavier: bool = False):
    """The modern setting: Adam for every phase (optionally Xavier-initialised, zero biases)."""
    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, seed=seed, stratify=y)
    model, rng = _net(seed), np.random.default_rng(seed)
    if xavier:
        for m in model:
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
    if not pretrained:
        return _supervised(model, (Xtr, ytr, Xte, yte), DEPTH * spl + ft, "adam", ADAM_LR, rng)[2]
    _pretrain(model, Xtr, spl, "adam", rng)
    return _supervised(model, (Xtr, ytr, Xte, yte), ft, "adam", ADAM_LR, rng)[2]


@experiment(
    "E27", title="Layer-wise pre-training, then fine-tuning", notes=("001", "002"),
    claim_zh="Hinton为了解决梯度的问题，提出采取无监督逐层训练方法，其基本思想是每次训练一层隐节点，训练时将上一层隐节点的输出作为输入，"
             "而本层隐节点的输出作为下一层隐节点的输入，此过程就是逐层“预训练”（pre-training）；在预训练完成后，"
             "再对整个网络进行“微调”（fine-tunning）。……此方法有一定的好处，但是目前应用的不是很多了。",
    claim_en="Greedy unsupervised layer-wise pre-training followed by fine-tuning with backprop lets a deep "
             "sigmoid net train where the same net from random initialization is held back by vanishing "
             "gradients.",
)
def run(full: bool = False) -> Outcome:
    seeds = (0, 1, 2) if full else (0,)
    spl, ft = (300, 1500) if full else (150, 800)
    budget = DEPTH * spl + ft
    runs = [_one_seed(s, spl, ft, full) for s in seeds]
    acc_rand = [r["random"][2] for r in runs]
    acc_pre = [r["pretrained"][2] for r in runs]
    # context, the modern setting: Adam (seed 0 in quick mode, every seed in full mode)
    modern_seeds = seeds if full else seeds[:1]
    adam_rand = [_modern(s, spl, ft, False) for s in modern_seeds]
    adam_pre = [_modern(s, spl, ft, True) for s in modern_seeds]
    adam_xavier = [_modern(s, spl, ft, False, xavier=True) for s in modern_seeds] if full else []

    held = all(p >= r + 0.2 for p, r in zip(acc_pre, acc_rand))

    r0 = runs[0]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for key, label in (("random", "random init: SGD, all steps supervised"),
                       ("pretrained", "pre-trained, then fine-tuned (SGD)")):
        c = np.array(r0[key][0])
        ax1.plot(c[:, 0], c[:, 1], label=label)
    ax1.axvspan(0, DEPTH * spl, color="gray", alpha=0.15, label="layer-wise pre-training steps")
    ax1.set(title=f"Deep sigmoid net ({DEPTH} hidden layers), digits, seed {seeds[0]}",
            xlabel="gradient steps (pre-training + supervised)", ylabel="test accuracy", ylim=(0, 1))
    ax1.legend(fontsize=8, loc="center right")
    layers = np.arange(1, DEPTH + 1)
    ax2.semilogy(layers, r0["grads_random"], "o-", label="random init")
    ax2.semilogy(layers, r0["grads_pretrained"], "s-", label="after layer-wise pre-training")
    ax2.set(title="Gradient norm per layer before fine-tuning", xlabel="hidden layer (1 = input side)",
            ylabel="‖∂L/∂W‖")
    ax2.legend(fontsize=8)
    fig.tight_layout()

    g_rand, g_pre = np.array(r0["grads_random"]), np.array(r0["grads_pretrained"])
    verdict = (f"test accuracy after {budget} gradient steps with SGD + momentum: random init "
               + ", ".join(f"{a:.3f}" for a in acc_rand) + " vs pre-trained + fine-tuned "
               + ", ".join(f"{a:.3f}" for a in acc_pre) + f" (seeds {list(seeds)}); first/last hidden "
               f"layer gradient-norm ratio at the start of supervised training "
               f"{g_rand[0] / g_rand[-1]:.2g} (random) vs {g_pre[0] / g_pre[-1]:.2g} (pre-trained)")
    if full:
        verdict += ("; random init with other learning rates: "
                    + ", ".join(f"lr {lr:g} → {a:.3f}" for lr, a in r0["random_lr"].items())
                    + "; random N(0, 1) init (the notes' 004 remedy) with SGD: "
                    + ", ".join(f"{r['random_n01']:.3f}" for r in runs))
    xavier = (", random Xavier init " + ", ".join(f"{a:.3f}" for a in adam_xavier)) if adam_xavier else ""
    gap_sgd = np.mean(acc_pre) - np.mean(acc_rand)
    gap_adam = np.mean(adam_pre) - np.mean(adam_rand)
    verdict += (f". Context, Adam for every phase (seeds {list(modern_seeds)}): random init "
                + ", ".join(f"{a:.3f}" for a in adam_rand) + " vs pre-trained + fine-tuned "
                + ", ".join(f"{a:.3f}" for a in adam_pre) + xavier
                + " — Adam's per-parameter step sizes compensate much of the vanishing gradient, so the "
                  f"random-init net learns too and the pre-trained − random gap goes from {gap_sgd:.2f} "
                  f"to {gap_adam:.2f} (the notes: 此方法有一定的好处，但是目前应用的不是很多了)")
    setup = (f"scikit-learn's digits (pixels / 16), stratified 75/25 split; MLP 64 → {DEPTH} × (Linear "
             f"{WIDTH}, sigmoid) → 10, tidu's default initialization; mini-batches of {BATCH}; SGD with "
             f"momentum 0.9. Random init: {budget} supervised steps at lr {FT_LR:g} (full mode also tries "
             f"0.03, 0.3 and 3, and a N(0, 1) initialization). Pre-training: each hidden layer in turn is the encoder of a sigmoid "
             f"autoencoder on the previous layer's output ({spl} steps each, MSE, lr {AE_LR:g}: at lr 1 "
             f"the autoencoders learn nothing in this budget, 3 and 10 both work), then {ft} supervised "
             f"fine-tuning steps of the whole net at lr {FT_LR:g} — the same {budget} steps in all (the "
             f"autoencoder steps are cheaper). Context: the same comparison with Adam (lr {ADAM_LR:g}) "
             "for every phase (full mode adds a Xavier-initialised random net). Criterion: pre-trained + "
             "fine-tuned test accuracy ≥ random init's + 0.2 in every seed")
    return Outcome(held=held, verdict=verdict, setup=setup,
                   numbers={"acc_random": acc_rand, "acc_pretrained": acc_pre,
                            "adam_random": adam_rand, "adam_pretrained": adam_pre,
                            "adam_xavier": adam_xavier,
                            "grad_norms_random": r0["grads_random"],
                            "grad_norms_pretrained": r0["grads_pretrained"],
                            "random_other_lr": r0.get("random_lr"),
                            "random_n01": [r.get("random_n01") for r in runs]},
                   figures=[fig])
