"""E10: residual connections let a very deep net train where the plain one does not.

Each arm — the deep net with and without shortcuts, and a shallow plain net as the reference
that shows the block itself trains — gets the same learning-rate grid, steps and seeds.  Quick
mode picks each arm's learning rate on seed 0 (lowest final training loss) and runs the other
seeds at it; full mode runs every seed at every learning rate."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import DataLoader, StandardScaler, load_digits
from tidu.model_selection import train_test_split

from ..base import Outcome, SubClaim, experiment

_WIDTH, _SHALLOW, _BATCH, _MOMENTUM = 32, 3, 128, 0.9
_TRAINS, _FAILS = 0.85, 0.5      # validation accuracy: trained ≥ 0.85, failed ≤ 0.5 (chance 0.1)
_ARMS = ("plain", "residual", "shallow")


def _block() -> nn.Module:
    """Pre-activation block (ResNet v2 without convolutions): BN → ReLU → Linear."""
    return nn.Sequential(nn.BatchNorm1d(_WIDTH), nn.ReLU(), nn.Linear(_WIDTH, _WIDTH))


def _model(depth: int, residual: bool):
    blocks = [nn.Residual(_block()) if residual else _block() for _ in range(depth)]
    model = nn.Sequential(nn.Linear(64, _WIDTH), *blocks, nn.BatchNorm1d(_WIDTH), nn.ReLU(),
                          nn.Linear(_WIDTH, 10))
    linears = [(b.fn if residual else b)[2] for b in blocks]
    return model, linears


def _train(depth: int, residual: bool, seed: int, data, steps: int, lr: float) -> dict:
    Xtr, ytr, Xv, yv = data
    tidu.manual_seed(seed)                      # the same initial weights with and without shortcuts
    model, linears = _model(depth, residual)
    opt = tidu.optim.SGD(model.parameters(), lr=lr, momentum=_MOMENTUM)
    loader = DataLoader((Xtr, ytr), batch_size=_BATCH, shuffle=True, seed=seed)
    loss_fn = nn.CrossEntropyLoss()
    step, losses, grads = 0, [], None
    while step < steps:
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            if grads is None:                   # per-block gradient norms on the first batch
                grads = [float(np.linalg.norm(lin.weight.grad._data)) for lin in linears]
            opt.step()
            losses.append(loss.item())
            step += 1
            if step >= steps:
                break
    model.eval()
    with tidu.no_grad():
        out = model(tidu.Tensor(Xv))._data
    acc = float((out.argmax(axis=1) == yv).mean()) if np.isfinite(out).all() else 0.0
    end_loss = float(np.mean(losses[-10:]))
    return {"losses": np.array(losses), "grads": np.array(grads), "val_acc": acc,
            "end_loss": end_loss if np.isfinite(end_loss) else float("inf")}


@experiment(
    "E10", title="Residual connections train a very deep net", notes=("001", "002"),
    claim_zh="残差可以很轻松的构建几百层，一千多层的网络而不用担心梯度消失过快的问题，原因就在于残差的捷径（shortcut）部分。"
             "（002：小括号中的1表明短路机制可以无损地传播梯度……所以残差学习会更容易。）",
    claim_en="With identity shortcuts (y = x + f(x)) a very deep network trains, because the "
             "gradient passes through the '+' undiminished; the same net without them does not.",
)
def run(full: bool = False) -> Outcome:
    seeds = (0, 1, 2)
    depth = 100 if full else 30
    steps = 200 if full else 100
    lrs = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3) if full else (0.003, 0.01, 0.03, 0.1)
    X, y = load_digits()
    data = {}
    for seed in seeds:
        Xtr, Xv, ytr, yv = train_test_split(X, y, test_size=0.3, stratify=y, seed=seed)
        scaler = StandardScaler().fit(Xtr)
        data[seed] = (scaler.transform(Xtr).astype(np.float32), ytr,
                      scaler.transform(Xv).astype(np.float32), yv)
    shape = {"plain": (depth, False), "residual": (depth, True), "shallow": (_SHALLOW, False)}

    def _go(arm, seed, lr):
        with np.errstate(over="ignore", invalid="ignore"):
            return _train(*shape[arm], seed, data[seed], steps, lr)

    runs = {}                                  # (arm, lr, seed) → result
    for arm in _ARMS:
        for lr in lrs:                          # every arm sees the whole grid on seed 0 ...
            runs[(arm, lr, seeds[0])] = _go(arm, seeds[0], lr)
    # ... and its learning rate is the one with the lowest final training loss (seed 0 in quick
    # mode, the mean over seeds in full mode)
    if full:
        for arm in _ARMS:
            for lr in lrs:
                for seed in seeds[1:]:
                    runs[(arm, lr, seed)] = _go(arm, seed, lr)
        best = {arm: min(lrs, key=lambda lr: np.mean([runs[(arm, lr, s)]["end_loss"]
                                                       for s in seeds])) for arm in _ARMS}
    else:
        best = {arm: min(lrs, key=lambda lr: runs[(arm, lr, seeds[0])]["end_loss"])
                for arm in _ARMS}
        for arm in _ARMS:
            for seed in seeds[1:]:
                runs[(arm, best[arm], seed)] = _go(arm, seed, best[arm])

    acc = {arm: [runs[(arm, best[arm], s)]["val_acc"] for s in seeds] for arm in _ARMS}
    plain_grid = [runs[("plain", lr, seeds[0])]["val_acc"] for lr in lrs]
    res_trains = min(acc["residual"]) >= _TRAINS
    plain_fails = max(acc["plain"]) <= _FAILS
    shallow_trains = min(acc["shallow"]) >= _TRAINS
    r0 = {arm: runs[(arm, best[arm], seeds[0])] for arm in _ARMS}
    ratio = {k: float(r0[k]["grads"][0] / r0[k]["grads"][-1]) for k in ("plain", "residual")}
    end_loss = {arm: [runs[(arm, best[arm], s)]["end_loss"] for s in seeds] for arm in _ARMS}

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    k = 5
    for key, label, color in (("plain", f"plain, {depth} blocks", "tab:red"),
                              ("residual", f"residual, {depth} blocks", "tab:blue"),
                              ("shallow", f"plain, {_SHALLOW} blocks (reference)", "0.5")):
        smooth = np.convolve(r0[key]["losses"], np.ones(k) / k, mode="valid")
        ax1.plot(np.arange(k, len(r0[key]["losses"]) + 1), smooth, color=color,
                 label=f"{label}, lr {best[key]:g}")
    ax1.set(title=f"Training loss at each arm's best lr (seed {seeds[0]}, {k}-step mean)",
            xlabel="SGD step", ylabel="cross-entropy")
    ax1.legend(fontsize=8)
    blocks = np.arange(1, depth + 1)
    ax2.semilogy(blocks, r0["plain"]["grads"], color="tab:red", label="plain")
    ax2.semilogy(blocks, r0["residual"]["grads"], color="tab:blue", label="residual")
    ax2.set(title="Gradient norm per block at the first step", xlabel="block (1 = nearest the input)",
            ylabel="‖∂loss/∂W‖")
    ax2.legend(fontsize=8)
    fig.tight_layout()

    def _p(v):
        return "/".join(f"{a:.0%}" for a in v)

    def _span(v):
        lo, hi = f"{min(v):.0%}", f"{max(v):.0%}"
        return lo if lo == hi else f"{lo}–{hi}"

    grid = "/".join(f"{lr:g}" for lr in lrs)
    sub = [
        SubClaim(f"with identity shortcuts a {depth}-block net trains", res_trains,
                 f"validation accuracy of the residual net at its best lr {best['residual']:g} "
                 f"(grid {grid}): {_p(acc['residual'])} (seeds {list(seeds)}); the {_SHALLOW}-block "
                 f"plain reference {_p(acc['shallow'])} at lr {best['shallow']:g}. Criterion: ≥ "
                 f"{_TRAINS:.0%} in every seed."),
        SubClaim(f"the same {depth}-block net without shortcuts does not", plain_fails and shallow_trains,
                 f"validation accuracy of the plain net at its best lr {best['plain']:g}: "
                 f"{_p(acc['plain'])} (seeds {list(seeds)}); at every lr of the grid on seed "
                 f"{seeds[0]}: {_p(plain_grid)} (chance 10%); final training loss "
                 + "/".join(f"{v:.2f}" for v in end_loss["plain"]) + " vs "
                 + "/".join(f"{v:.2f}" for v in end_loss["residual"])
                 + f" with shortcuts. Criterion: ≤ {_FAILS:.0%} in every seed, while the "
                   f"{_SHALLOW}-block plain net reaches ≥ {_TRAINS:.0%} (the failure is depth's, not "
                   f"the block's)."),
    ]
    why_not = []
    if not res_trains:
        why_not.append("more steps for the residual net")
    if not (plain_fails and shallow_trains):
        why_not.append("a deeper plain net (full mode uses 100 blocks)" if not plain_fails
                       else "a longer run for the shallow reference")
    takeaway = (f"{depth} blocks, each arm at its best lr of {grid}: with shortcuts "
                f"{_span(acc['residual'])} validation accuracy, without {_span(acc['plain'])} "
                f"({_SHALLOW} blocks without: {_span(acc['shallow'])}; chance 10%).")
    verdict = (f"validation accuracy after {steps} steps, each arm at the lr of {grid} with the "
               f"lowest final training loss ({'mean over seeds' if full else f'seed {seeds[0]}'}): "
               f"{depth}-block residual net {_p(acc['residual'])} (lr {best['residual']:g}), the same "
               f"net without shortcuts {_p(acc['plain'])} (lr {best['plain']:g}; {_p(plain_grid)} "
               f"across the grid on seed {seeds[0]}), a {_SHALLOW}-block plain net "
               f"{_p(acc['shallow'])} (lr {best['shallow']:g}); seeds {list(seeds)}, chance 10%. At "
               f"the first step the first/last block gradient-norm ratio is {ratio['plain']:.3g} "
               f"without shortcuts vs {ratio['residual']:.3g} with"
               + (" (in this BatchNorm net the plain stack's gradient grows towards the input "
                  "rather than vanishing: what fails is optimization of the deep plain stack, not "
                  "the gradient's size)" if ratio["plain"] > 10 else "") +
               f". Criteria: residual ≥ {_TRAINS:.0%} and plain ≤ {_FAILS:.0%} in every seed, "
               f"shallow plain ≥ {_TRAINS:.0%}.")
    return Outcome(
        subclaims=sub, takeaway=takeaway, verdict=verdict,
        what_would_change="; ".join(why_not), seeds=seeds,
        per_seed={f"val accuracy, {arm} (lr {best[arm]:g})": acc[arm] for arm in _ARMS},
        setup=(f"Digits (64 standardized features, stratified 70/30 split per seed); "
               f"Linear(64, {_WIDTH}) → {depth} pre-activation blocks BN→ReLU→Linear({_WIDTH}, "
               f"{_WIDTH}), plain or wrapped in nn.Residual (x + f(x)), → BN→ReLU→Linear("
               f"{_WIDTH}, 10); the same initial weights with and without shortcuts (tidu's default "
               f"init, tidu.manual_seed(seed)); SGD momentum {_MOMENTUM}, batch {_BATCH}, {steps} "
               f"steps, lr grid {grid} for every arm, its lr = lowest final training loss "
               f"({'mean over seeds, every seed at every lr' if full else f'on seed {seeds[0]}, then seeds {list(seeds[1:])} at that lr'}); "
               f"a {_SHALLOW}-block plain net as reference."),
        numbers={"val_accuracy": acc, "final_train_loss": end_loss, "best_lr": best,
                 "val_accuracy_grid_seed0": {f"{arm}, lr {lr:g}": runs[(arm, lr, seeds[0])]["val_acc"]
                                             for arm in _ARMS for lr in lrs},
                 "grad_ratio_first_last_block": ratio, "depth": depth},
        figures=[fig])
