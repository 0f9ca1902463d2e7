"""Truncated backpropagation through time on a long signal (hidden state carried, detached).

One long noisy two-tone signal is cut into 4 parallel streams; an LSTM predicts the next
value.  The hidden state is carried across chunks but detached, so gradients only flow
through k steps.  Compares k=4 and k=24 with the same NumPy-initialised weights and
reports the one-step-ahead MSE on the held-out continuation.
Measured: k=4 test MSE 0.0446, k=24 test MSE 0.148 (fewer updates in the same 3 epochs),
last-value baseline 0.0747.  float64 vs float32: rel <= 1.1e-6; one-ulp perturbation:
rel <= 1.6e-6.
COMPARE: exact rtol=1e-5 atol=1e-7
"""
import json
import numpy as np
import torch
import torch.nn as nn

DTYPE = torch.float32
rng = np.random.default_rng(172)

T = 1600
t = np.arange(T + 400)
series = np.sin(2 * np.pi * t / 37.0) + 0.5 * np.sin(2 * np.pi * t / 11.0) + rng.normal(0, 0.1, t.shape)
train, test = series[:T], series[T:]
streams = torch.tensor(train.reshape(4, T // 4), dtype=DTYPE).unsqueeze(-1)  # (4, 400, 1)
test_x = torch.tensor(test, dtype=DTYPE).view(1, -1, 1)


class NextStep(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, state=None):
        out, state = self.lstm(x, state)
        return self.head(out), state


init_rng = np.random.default_rng(0)
reference = NextStep()
init_vals = [init_rng.uniform(-0.2, 0.2, p.shape) for p in reference.parameters()]

results = {}
for k in (4, 24):
    model = NextStep().to(DTYPE)
    with torch.no_grad():
        for p, v in zip(model.parameters(), init_vals):
            p.copy_(torch.tensor(v, dtype=DTYPE))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(3):
        state, total, n = None, 0.0, 0
        for s in range(0, streams.size(1) - 1, k):
            x = streams[:, s:s + k]
            y = streams[:, s + 1:s + k + 1]
            x = x[:, :y.size(1)]
            if state is not None:
                state = tuple(h.detach() for h in state)  # truncate the graph here
            pred, state = model(x, state)
            loss = nn.functional.mse_loss(pred, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * y.size(1)
            n += y.size(1)
        print(f"k={k:2d} epoch {epoch} train mse {total / n:.5f}")
    with torch.no_grad():
        # warm the state up on the end of the training signal, then predict the test part
        _, state = model(torch.tensor(train[-100:], dtype=DTYPE).view(1, -1, 1))
        pred, _ = model(test_x[:, :-1], state)
        test_mse = nn.functional.mse_loss(pred, test_x[:, 1:]).item()
    print(f"k={k:2d} test one-step mse {test_mse:.5f}")
    results[f"k{k}_train_mse"] = total / n
    results[f"k{k}_test_mse"] = test_mse

results["naive_last_value_mse"] = float(np.mean((test[1:] - test[:-1]) ** 2))
print("RESULT " + json.dumps(results))
