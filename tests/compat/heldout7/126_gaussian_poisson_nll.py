"""Choosing the loss from the noise model (the "MSE is Gaussian NLL with fixed variance" blog
post): a network with a mean head and a variance head (softplus + 1e-6) trained with
nn.GaussianNLLLoss on data whose noise grows with |x|, against the same trunk trained with
MSELoss; the NLL is also written out by hand (0.5 * (log var + (y - mu)^2 / var)) and checked;
95% interval coverage of the predicted sigma; then a Poisson regression on NumPy counts with
nn.PoissonNLLLoss(log_input=True), its hand-written exp(z) - y z twin, and the recovered rate
coefficients versus the true ones.
Exact: NumPy data and weights, full-batch Adam; torch float64 rerun (measured): the
Gaussian-NLL network is float-sensitive (a small predicted variance amplifies rounding): its
probe means differ by up to 2.5e-4 absolute, probe sigmas by 1.4e-4, final loss by 1.8e-5;
everything else agrees to 1.1e-5 relative and the hand-vs-module loss gaps are 0 in both.
So rtol=1e-4 atol=1e-6 with about 2x absolute overrides on those three keys; coverages
are counts over 400 points (one point = 0.0025).

COMPARE: exact rtol=1e-4 atol=1e-6; mean_at_probe_nll abs=5e-4; sigma_at_probe abs=3e-4; final_loss_nll abs=4e-5; coverage_nll abs=0.006; coverage_mse abs=0.006
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

rng = np.random.default_rng(126)
x_np = rng.uniform(-3, 3, size=(400, 1))
sigma_np = 0.1 + 0.3 * np.abs(x_np)
y_np = np.sin(x_np) + sigma_np * rng.normal(size=x_np.shape)
x = torch.from_numpy(x_np).float()
y = torch.from_numpy(y_np).float()
shapes = {"trunk.0.weight": (32, 1), "trunk.0.bias": (32,), "trunk.2.weight": (32, 32),
          "trunk.2.bias": (32,), "mean.weight": (1, 32), "mean.bias": (1,),
          "var.weight": (1, 32), "var.bias": (1,)}
init = {k: rng.normal(0, 0.5 if k == "trunk.0.weight" else 0.2, s) for k, s in shapes.items()}


class MeanVarNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh())
        self.mean = nn.Linear(32, 1)
        self.var = nn.Linear(32, 1)

    def forward(self, inp):
        h = self.trunk(inp)
        return self.mean(h), F.softplus(self.var(h)) + 1e-6


def fresh():
    net = MeanVarNet()
    net.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in init.items()})
    return net


res = {}
gnll = nn.GaussianNLLLoss()
for kind in ("nll", "mse"):
    net = fresh()
    opt = torch.optim.Adam(net.parameters(), lr=5e-3)
    for step in range(400):
        mu, var = net(x)
        if kind == "nll":
            loss = gnll(mu, y, var)
        else:
            loss = F.mse_loss(mu, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        mu, var = net(x)
        sigma = var.sqrt() if kind == "nll" else torch.full_like(mu, (y - mu).std().item())
        coverage = ((y - mu).abs() < 1.96 * sigma).float().mean().item()
        by_hand = (0.5 * (torch.log(var) + (y - mu) ** 2 / var)).mean()
        res[f"hand_vs_module_{kind}"] = abs(by_hand.item() - gnll(mu, y, var).item())
        probe = torch.tensor([[-2.5], [0.0], [2.5]])
        mu_p, var_p = net(probe)
        res[f"rmse_{kind}"] = F.mse_loss(mu, y).sqrt().item()
        res[f"coverage_{kind}"] = coverage
        res[f"final_loss_{kind}"] = loss.item()
        if kind == "nll":
            res["sigma_at_probe"] = var_p.sqrt().squeeze(1).tolist()
            res["true_sigma_at_probe"] = (0.1 + 0.3 * probe.abs()).squeeze(1).tolist()
        res[f"mean_at_probe_{kind}"] = mu_p.squeeze(1).tolist()
    print(f"{kind}: rmse {res['rmse_' + kind]:.4f} 95% coverage {coverage:.3f}")
print("predicted sigma at -2.5, 0, 2.5:", res["sigma_at_probe"])

# Poisson regression on counts: rate = exp(0.7 x1 - 0.4 x2 + 0.5)
Z = rng.normal(size=(300, 2))
counts = rng.poisson(np.exp(0.7 * Z[:, 0] - 0.4 * Z[:, 1] + 0.5))
Z_t = torch.tensor(Z, dtype=torch.float32)
c_t = torch.tensor(counts, dtype=torch.float32)
lin = nn.Linear(2, 1)
with torch.no_grad():
    lin.weight.zero_()
    lin.bias.zero_()
pnll = nn.PoissonNLLLoss(log_input=True)
opt = torch.optim.SGD(lin.parameters(), lr=0.1)
for step in range(300):
    log_rate = lin(Z_t).squeeze(1)
    loss = pnll(log_rate, c_t)
    opt.zero_grad()
    loss.backward()
    opt.step()
with torch.no_grad():
    log_rate = lin(Z_t).squeeze(1)
    manual = (torch.exp(log_rate) - c_t * log_rate).mean()
res["poisson_loss"] = pnll(log_rate, c_t).item()
res["poisson_hand_gap"] = abs(manual.item() - res["poisson_loss"])
res["poisson_coef"] = lin.weight.detach().squeeze(0).tolist() + [lin.bias.item()]
res["count_total"] = int(c_t.sum().item())
print("Poisson coefficients", res["poisson_coef"], "(true 0.7, -0.4, 0.5)")
print("RESULT " + json.dumps(res))
