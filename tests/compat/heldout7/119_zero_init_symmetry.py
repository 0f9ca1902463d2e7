"""Why you must not initialise every weight to the same value (the "symmetry breaking" section of
the weight-initialisation notes): the same 2-16-16-1 tanh network on make_circles initialised
with model.apply(init_fn) three ways, nn.init.zeros_ everywhere, nn.init.constant_(w, 0.3) and
biases 0, and small NumPy-random weights; trained 300 full-batch SGD steps with BCEWithLogits.
Zero init: the hidden weights never move (their gradient is exactly 0) and only the output bias
learns; constant init: the hidden units stay identical copies of each other (the spread of the
rows of weight across units stays ~0); random init actually solves the problem.
Exact: NumPy data and random weights; torch float64 rerun (measured): agrees to 5.7e-7
relative; the zero-init output bias moves by round-off only (7e-8 vs 1.5e-16) and the row
spreads of the constant case are 0 vs 3e-16, all within atol; so rtol=1e-4 atol=1e-6,
accuracies one-sample slack (1/200).

COMPARE: exact rtol=1e-4 atol=1e-6; acc_zeros abs=0.006; acc_constant abs=0.006; acc_random abs=0.006
"""
import json

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_circles

Xn, yn = make_circles(n_samples=200, noise=0.08, factor=0.5, random_state=119)
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32).view(-1, 1)
rng = np.random.default_rng(119)
random_weights = {(16, 2): rng.normal(0, 0.8, (16, 2)), (16, 16): rng.normal(0, 0.3, (16, 16)),
                  (1, 16): rng.normal(0, 0.3, (1, 16))}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.fc2 = nn.Linear(16, 16)
        self.out = nn.Linear(16, 1)

    def forward(self, x):
        x = torch.tanh(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return self.out(x)


def init_zeros(m):
    if isinstance(m, nn.Linear):
        nn.init.zeros_(m.weight)
        nn.init.zeros_(m.bias)


def init_constant(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.3)
        nn.init.constant_(m.bias, 0.0)


def init_random(m):
    if isinstance(m, nn.Linear):
        with torch.no_grad():
            m.weight.copy_(torch.from_numpy(random_weights[tuple(m.weight.shape)]))
            m.bias.zero_()


res = {}
for name, fn in [("zeros", init_zeros), ("constant", init_constant), ("random", init_random)]:
    model = Net()
    model.apply(fn)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    criterion = nn.BCEWithLogitsLoss()
    first_grad_norm = None
    for step in range(300):
        opt.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        if first_grad_norm is None:
            first_grad_norm = model.fc1.weight.grad.norm().item()
        opt.step()
    with torch.no_grad():
        acc = ((model(X) > 0).float() == y).float().mean().item()
        moved = {k: (v - start[k]).abs().max().item() for k, v in model.state_dict().items()}
        # are the hidden units still copies of each other?  spread of each column across rows
        spread1 = (model.fc1.weight - model.fc1.weight.mean(0, keepdim=True)).abs().max().item()
        spread2 = (model.fc2.weight - model.fc2.weight[0:1]).abs().max().item()
    res[f"loss_{name}"] = loss.item()
    res[f"acc_{name}"] = acc
    res[f"fc1_grad_norm_step0_{name}"] = first_grad_norm
    res[f"moved_fc1_{name}"] = moved["fc1.weight"]
    res[f"moved_out_bias_{name}"] = moved["out.bias"]
    res[f"unit_spread_fc1_{name}"] = spread1
    res[f"unit_spread_fc2_{name}"] = spread2
    print(f"{name:8s} loss {loss.item():.4f} acc {acc:.3f}  fc1 moved {moved['fc1.weight']:.3g}  "
          f"unit spread fc1 {spread1:.3g} fc2 {spread2:.3g}")
    if name == "constant":
        print(model.fc1.weight[:4])
print("RESULT " + json.dumps(res))
