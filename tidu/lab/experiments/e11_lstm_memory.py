"""E11: does an LSTM learn a long-range dependency where a vanilla RNN fails?"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn, optim
from tidu.data import make_memory_sequences
from tidu.nn import functional as F

from ..base import Outcome, experiment

V, HIDDEN, BATCH, LR, CLIP = 4, 16, 128, 0.01, 1.0
N_TRAIN, N_TEST = 2000, 500
LEARNED, FAILED = 0.9, 0.5          # test accuracy: learned ≥ 0.9, failed ≤ 0.5 (chance 0.25)
SEED = 0


class _Reader(nn.Module):
    """A recurrent layer reading the one-hot sequence, a linear read-out of its last state."""

    def __init__(self, kind: str, forget_bias: float = 0.0):
        super().__init__()
        cell = nn.LSTM if kind.startswith("LSTM") else nn.RNN
        self.rnn = cell(V, HIDDEN, batch_first=True)
        if forget_bias:      # Keras's unit_forget_bias: the forget gate's bias (gate order i, f, g, o)
            self.rnn.bias_ih_l0.data[HIDDEN:2 * HIDDEN] = forget_bias
            self.rnn.bias_hh_l0.data[HIDDEN:2 * HIDDEN] = 0.0
        self.head = nn.Linear(HIDDEN, V)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1, :])


ARMS = {"RNN (tanh)": ("RNN", 0.0), "LSTM": ("LSTM", 0.0), "LSTM, forget bias 1": ("LSTM", 1.0)}


def _train(arm: str, length: int, steps: int, seed: int):
    X, y = make_memory_sequences(N_TRAIN + N_TEST, length=length, n_symbols=V, seed=seed,
                                 one_hot=True)
    Xtr, ytr, Xte, yte = X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]
    tidu.manual_seed(seed)
    model = _Reader(*ARMS[arm])
    opt = optim.Adam(model.parameters(), lr=LR, clipnorm=CLIP)
    rng = np.random.default_rng(seed)
    every = 50
    accs = []
    for s in range(steps + 1):
        if s % every == 0:
            with tidu.no_grad():
                accs.append(float((model(tidu.tensor(Xte)).data.argmax(1) == yte).mean()))
        if s == steps:
            break
        idx = rng.integers(0, N_TRAIN, BATCH)
        loss = F.cross_entropy(model(tidu.tensor(Xtr[idx])), tidu.tensor(ytr[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return np.arange(0, steps + 1, every), np.array(accs)


def _gradient_flow(arm: str, length: int, seed: int) -> np.ndarray:
    """‖∂L/∂x_t‖ over a batch at initialization, relative to the last step's, t = T−1 … 0."""
    X, y = make_memory_sequences(256, length=length, n_symbols=V, seed=seed, one_hot=True)
    tidu.manual_seed(seed)
    model = _Reader(*ARMS[arm])
    x = tidu.tensor(X, requires_grad=True)
    F.cross_entropy(model(x), tidu.tensor(y)).backward()
    g = np.linalg.norm(x.grad.data, axis=(0, 2))
    return (g / g[-1])[::-1]          # index k = distance k from the end


@experiment(
    "E11", title="LSTM vs vanilla RNN on a long-range memory task", notes=("001", "002"),
    claim_zh="LSTM全称是长短期记忆网络（long-short term memory networks），是不那么容易发生梯度消失的，"
             "主要原因在于LSTM内部复杂的“门”(gates)，LSTM通过它内部的“门”可以接下来更新的时候“记住”"
             "前几次训练的”残留记忆“",
    claim_en="An LSTM is less prone to vanishing gradients than a plain RNN: its gates let it "
             "remember information from many steps back, so it learns long-range dependencies "
             "a vanilla RNN cannot.",
    expected=False,
    expected_reason="Not reproduced on tidu's memory task (recall the first of T random tokens). "
                    "A vanilla tanh RNN trained with Adam and gradient clipping learns lag 29 "
                    "within a few hundred steps, so there is no failure for the LSTM to fix; an "
                    "LSTM of the same width with the default (PyTorch) initialization even stays "
                    "at chance: its forget gates start at σ(≈0) ≈ 0.5, so at initialization its "
                    "gradient to early inputs vanishes as fast as the RNN's (measured, right "
                    "panel). With the forget-gate bias at 1 (Keras) the LSTM learns too, but not "
                    "faster. The LSTM's long memory has to be learned (forget gates → 1) or put "
                    "in by initialization; it is not automatic. Exploratory runs (lags 29–99, Adam lr 0.003 and 0.01, forget-gate "
                    "bias 0 or 1, 1,500 steps, 2 seeds) never found a lag the LSTM learned and "
                    "the RNN did not.",
)
def run(full: bool = False) -> Outcome:
    lengths = (30, 60) if full else (30,)
    steps = 1500 if full else 400
    curves = {(arm, T): _train(arm, T, steps, SEED) for T in lengths for arm in ARMS}
    final = {k: float(v[1][-1]) for k, v in curves.items()}
    # held: at some lag an LSTM learns (≥ 0.9) while the RNN fails (≤ 0.5)
    wins = [(a, T) for (a, T) in curves if a.startswith("LSTM")
            and final[(a, T)] >= LEARNED and final[("RNN (tanh)", T)] <= FAILED]
    held = bool(wins)

    flow_T = 60
    flow = {arm: _gradient_flow(arm, flow_T, SEED) for arm in ARMS}
    per_step = {arm: float(np.exp(np.polyfit(np.arange(flow_T), np.log(f), 1)[0]))
                for arm, f in flow.items()}

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    styles = {"RNN (tanh)": "C0", "LSTM": "C1", "LSTM, forget bias 1": "C2"}
    for (arm, T), (s, acc) in curves.items():
        ax1.plot(s, acc, color=styles[arm], ls="-" if T == lengths[0] else "--",
                 label=f"{arm}, lag {T - 1}")
    ax1.axhline(1 / V, color="k", ls=":", lw=0.8, label="chance")
    ax1.set(title="Recall the first of T random tokens", xlabel="training step",
            ylabel="test accuracy", ylim=(0, 1.05))
    ax1.legend(fontsize=7)
    for arm, f in flow.items():
        ax2.semilogy(np.arange(flow_T), f, color=styles[arm],
                     label=f"{arm} (×{per_step[arm]:.2f} per step)")
    ax2.set(title=f"Gradient reaching input x_t at initialization (T = {flow_T})",
            xlabel="steps back from the end (T − 1 − t)", ylabel="‖∂L/∂x_t‖ / ‖∂L/∂x_{T−1}‖")
    ax2.legend(fontsize=7)
    fig.tight_layout()

    acc_txt = "; ".join(f"{a} lag {T - 1}: {final[(a, T)]:.2f}" for (a, T) in curves)
    verdict = (f"test accuracy after {steps} steps (chance 0.25) — {acc_txt}. "
               + (f"An LSTM learned where the RNN failed: {wins}. " if held else
                  "No lag where an LSTM learned (≥ 0.9) and the RNN failed (≤ 0.5). ")
               + f"At initialization the gradient reaching earlier inputs shrinks by "
               + ", ".join(f"×{per_step[a]:.2f} ({a})" for a in ARMS) + " per step back")
    setup = (f"tidu.data.make_memory_sequences(length T, lag T−1, {V} symbols, one-hot): the label "
             f"is the first token, the other T−1 are random distractors; {N_TRAIN} training / "
             f"{N_TEST} test sequences, T ∈ {list(lengths)}. tidu.nn.RNN(tanh) or tidu.nn.LSTM, "
             f"hidden {HIDDEN}, batch_first=True, default (PyTorch) initialization, and an LSTM "
             f"whose forget-gate bias starts at 1 (Keras's default); linear read-out of the last hidden state; Adam lr {LR}, clipnorm {CLIP}, "
             f"batch {BATCH}, {steps} steps, seed {SEED}. Held if at some lag an LSTM reaches "
             f"≥ {LEARNED} test accuracy while the RNN stays ≤ {FAILED}")
    return Outcome(held=held, verdict=verdict, setup=setup,
                   numbers={"final_test_accuracy": {f"{a}, lag {T - 1}": v
                                                    for (a, T), v in final.items()},
                            "init_gradient_decay_per_step": per_step},
                   figures=[fig])
