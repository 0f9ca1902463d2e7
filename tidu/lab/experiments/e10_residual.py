"""E10: residual connections let a very deep net train where the plain one does not."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import DataLoader, StandardScaler, load_digits
from tidu.model_selection import train_test_split

from ..base import Outcome, experiment

_WIDTH, _SHALLOW, _BATCH, _LR, _MOMENTUM = 32, 3, 32, 0.01, 0.9


def _block() -> nn.Module:
    """Pre-activation block (ResNet v2 without convolutions): BN → ReLU → Linear."""
    return nn.Sequential(nn.BatchNorm1d(_WIDTH), nn.ReLU(), nn.Linear(_WIDTH, _WIDTH))


def _model(depth: int, residual: bool):
    blocks = [nn.Residual(_block()) if residual else _block() for _ in range(depth)]
    model = nn.Sequential(nn.Linear(64, _WIDTH), *blocks, nn.BatchNorm1d(_WIDTH), nn.ReLU(),
                          nn.Linear(_WIDTH, 10))
    linears = [(b.fn if residual else b)[2] for b in blocks]
    return model, linears


def _train(depth: int, residual: bool, seed: int, data, steps: int) -> dict:
    Xtr, ytr, Xv, yv = data
    tidu.manual_seed(seed)                      # the same initial weights with and without shortcuts
    model, linears = _model(depth, residual)
    opt = tidu.optim.SGD(model.parameters(), lr=_LR, momentum=_MOMENTUM)
    loader = DataLoader((Xtr, ytr), batch_size=_BATCH, shuffle=True, seed=seed)
    loss_fn = nn.CrossEntropyLoss()
    step, losses, grads = 0, [], None
    while step < steps:
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            if grads is None:                   # per-block gradient norms on the first batch
                grads = [float(np.linalg.norm(lin.weight.grad.data)) for lin in linears]
            opt.step()
            losses.append(loss.item())
            step += 1
            if step >= steps:
                break
    model.eval()
    with tidu.no_grad():
        out = model(tidu.Tensor(Xv)).data
    acc = float((out.argmax(axis=1) == yv).mean()) if np.isfinite(out).all() else 0.0
    return {"losses": np.array(losses), "grads": np.array(grads), "val_acc": acc}


@experiment(
    "E10", title="Residual connections train a very deep net", notes=("001", "002"),
    claim_zh="残差可以很轻松的构建几百层，一千多层的网络而不用担心梯度消失过快的问题，原因就在于残差的捷径（shortcut）部分。"
             "（002：小括号中的1表明短路机制可以无损地传播梯度……所以残差学习会更容易。）",
    claim_en="With identity shortcuts (y = x + f(x)) a very deep network trains, because the "
             "gradient passes through the '+' undiminished; the same net without them does not.",
)
def run(full: bool = False) -> Outcome:
    seeds = range(3) if full else (0,)
    depth = 100 if full else 50
    steps = 400 if full else 300
    X, y = load_digits()
    results = []
    for seed in seeds:
        Xtr, Xv, ytr, yv = train_test_split(X, y, test_size=0.3, stratify=y, seed=seed)
        scaler = StandardScaler().fit(Xtr)
        data = (scaler.transform(Xtr).astype(np.float32), ytr,
                scaler.transform(Xv).astype(np.float32), yv)
        with np.errstate(over="ignore", invalid="ignore"):
            results.append({"plain": _train(depth, False, seed, data, steps),
                            "residual": _train(depth, True, seed, data, steps),
                            "shallow": _train(_SHALLOW, False, seed, data, steps)})
    acc = {k: [r[k]["val_acc"] for r in results] for k in ("plain", "residual", "shallow")}
    held = (min(acc["residual"]) >= 0.85 and max(acc["plain"]) <= 0.5
            and min(acc["shallow"]) >= 0.85)
    r0 = results[0]
    ratio = {k: float(r0[k]["grads"][0] / r0[k]["grads"][-1]) for k in ("plain", "residual")}
    end_loss = {k: float(r0[k]["losses"][-20:].mean()) for k in ("plain", "residual", "shallow")}

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    k = 10
    for key, label, color in (("plain", f"plain, {depth} blocks", "tab:red"),
                              ("residual", f"residual, {depth} blocks", "tab:blue"),
                              ("shallow", f"plain, {_SHALLOW} blocks (reference)", "0.5")):
        smooth = np.convolve(r0[key]["losses"], np.ones(k) / k, mode="valid")
        ax1.plot(np.arange(k, len(r0[key]["losses"]) + 1), smooth, color=color, label=label)
    ax1.set(title="Training loss (seed 0, 10-step mean)", xlabel="SGD step",
            ylabel="cross-entropy")
    ax1.legend(fontsize=8)
    blocks = np.arange(1, depth + 1)
    ax2.semilogy(blocks, r0["plain"]["grads"], color="tab:red", label="plain")
    ax2.semilogy(blocks, r0["residual"]["grads"], color="tab:blue", label="residual")
    ax2.set(title="Gradient norm per block at initialization", xlabel="block (1 = nearest the input)",
            ylabel="‖∂loss/∂W‖")
    ax2.legend(fontsize=8)
    fig.tight_layout()

    many = len(results) > 1
    verdict = (f"validation accuracy after {steps} steps: {depth}-block residual net "
               f"{', '.join(f'{a:.1%}' for a in acc['residual'])}, the same net without shortcuts "
               f"{', '.join(f'{a:.1%}' for a in acc['plain'])} (chance 10%), a {_SHALLOW}-block plain "
               f"net {', '.join(f'{a:.1%}' for a in acc['shallow'])}"
               + (f" (seeds {list(seeds)})" if many else "") +
               f"; final training loss {end_loss['residual']:.3f} (residual) vs "
               f"{end_loss['plain']:.3f} (plain); at initialization the first/last block gradient-"
               f"norm ratio is {ratio['plain']:.3g} without shortcuts vs {ratio['residual']:.3g} with"
               + (" (in this BatchNorm net the plain stack's gradient explodes towards the input "
                  "rather than vanishing)" if ratio["plain"] > 10 else ""))
    return Outcome(
        held=held, verdict=verdict,
        setup=(f"Digits (64 standardized features, stratified 70/30 split), seeds {list(seeds)}; "
               f"Linear(64, {_WIDTH}) → {depth} pre-activation blocks BN→ReLU→Linear({_WIDTH}, "
               f"{_WIDTH}), plain or wrapped in nn.Residual (x + f(x)), → BN→ReLU→Linear("
               f"{_WIDTH}, 10); "
               f"the same initial weights (tidu's default init); SGD lr {_LR}, momentum {_MOMENTUM}, "
               f"batch {_BATCH}, {steps} steps; a {_SHALLOW}-block plain net as reference. Held if "
               f"the deep residual net reaches ≥ 85% validation accuracy, the deep plain one ≤ 50%, "
               f"and the shallow plain one ≥ 85% (the failure is depth's, not the block's)."),
        numbers={"val_accuracy": acc, "final_train_loss": end_loss,
                 "grad_ratio_first_last_block": ratio, "depth": depth},
        figures=[fig])
