"""Prediction intervals from the pinball (quantile) loss, a common blog/forum recipe: one
network with three heads predicts the 10%, 50% and 90% conditional quantiles of a
heteroscedastic target (noise grows with |x|), trained with a hand-written pinball loss
max(q*e, (q-1)*e).  Reports held-out coverage of each quantile, the 80% interval coverage and
width (narrow vs wide regions), quantile crossing rate, and the MAE of the median head against
an MSE-trained baseline on heavy-tailed noise.  torch.randn data, default init, shuffled
DataLoader: metric.
Measured over torch seeds 0-4 (data generator seeded from SEED too): quantile coverages spread
<= 0.043 (elementwise), 80% interval coverage 0.771-0.816 (0.045), interval width 0.051 in the
narrow region and 0.37 in the wide one, median-head MAE 0.020, MSE-model MAE 0.020, test
pinball 0.0069; no quantile crossing at any seed (floor 0.01).  Tolerances ~2x the spreads.

COMPARE: metric coverage_q10_q50_q90 abs=0.09; interval80_coverage abs=0.09; width_narrow_region abs=0.1; width_wide_region abs=0.74; crossing_rate abs=0.01; median_head_mae abs=0.04; mse_model_mae abs=0.04; test_pinball abs=0.014
"""
import json

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 0
torch.manual_seed(SEED)
QUANTILES = torch.tensor([0.1, 0.5, 0.9])

gen = torch.Generator().manual_seed(150 + 1000 * SEED)


def make(n):
    x = torch.rand(n, 1, generator=gen) * 4 - 2
    scale = 0.1 + 0.5 * x.abs()
    # heavy-ish tails: a Gaussian divided by a random scale
    noise = torch.randn(n, 1, generator=gen) / torch.sqrt(torch.rand(n, 1, generator=gen) * 0.9 + 0.1)
    return x, torch.sin(2 * x) + scale * noise * 0.5


x_tr, y_tr = make(2000)
x_te, y_te = make(2000)


def pinball(pred, target, q=QUANTILES):
    err = target - pred
    return torch.maximum(q * err, (q - 1) * err).mean()


def train(n_out, loss_fn, epochs=25):
    net = nn.Sequential(nn.Linear(1, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, n_out))
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.3)
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=100, shuffle=True)
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(net(xb), yb).backward()
            opt.step()
        sched.step()
    return net.eval()


qnet = train(3, pinball)
mnet = train(1, nn.functional.mse_loss)
with torch.no_grad():
    q = qnet(x_te)
    mean_pred = mnet(x_te)
    test_pinball = pinball(q, y_te).item()
coverage = (y_te <= q).float().mean(dim=0)
inside = ((y_te >= q[:, :1]) & (y_te <= q[:, 2:])).float()
width = q[:, 2] - q[:, 0]
narrow = x_te[:, 0].abs() < 0.5
wide = x_te[:, 0].abs() > 1.5
res = {
    "coverage_q10_q50_q90": coverage.tolist(),
    "interval80_coverage": inside.mean().item(),
    "width_narrow_region": width[narrow].mean().item(),
    "width_wide_region": width[wide].mean().item(),
    "crossing_rate": ((q[:, 0] > q[:, 1]) | (q[:, 1] > q[:, 2])).float().mean().item(),
    "median_head_mae": (q[:, 1:2] - y_te).abs().mean().item(),
    "mse_model_mae": (mean_pred - y_te).abs().mean().item(),
    "test_pinball": test_pinball,
}
for k, v in res.items():
    print(f"{k:22s} {v}")
print("RESULT " + json.dumps(res))
