"""Layer / group / instance normalization written from scratch and checked against nn.LayerNorm,
nn.GroupNorm, nn.InstanceNorm2d and F.layer_norm (the "normalization layers explained" blog
post): mean and biased variance (unbiased=False) over the right axes of a (N, C, H, W) batch,
x.view(N, G, -1) for groups, affine weight/bias from NumPy; outputs and input gradients of
(out * r).sum() compared; then a custom MyLayerNorm(nn.Module) with nn.Parameter and the
built-in nn.LayerNorm inside the same MLP, trained side by side with Adam on a regression task.
Exact: NumPy data and weights; torch float64 rerun (measured): the module-vs-scratch
differences are float32 round-off (<= 9.5e-7 absolute, 1e-15 in float64: atol=1e-5 covers
them), every other value agrees to 1.1e-6 relative, so rtol=1e-4 atol=1e-5.

COMPARE: exact rtol=1e-4 atol=1e-5
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

rng = np.random.default_rng(115)
N, C, H, W = 4, 6, 5, 5
x = torch.tensor(rng.normal(1.0, 2.0, (N, C, H, W)), dtype=torch.float32, requires_grad=True)
r = torch.tensor(rng.normal(size=(N, C, H, W)), dtype=torch.float32)
gamma_c = torch.tensor(rng.uniform(0.5, 1.5, C), dtype=torch.float32)
beta_c = torch.tensor(rng.normal(0, 0.1, C), dtype=torch.float32)
eps = 1e-5


def my_layer_norm(t):  # normalise each sample over (C, H, W)
    mu = t.mean(dim=(1, 2, 3), keepdim=True)
    var = t.var(dim=(1, 2, 3), unbiased=False, keepdim=True)
    return (t - mu) / torch.sqrt(var + eps)


def my_group_norm(t, G):
    n, c, h, w = t.shape
    g = t.view(n, G, -1)
    mu = g.mean(-1, keepdim=True)
    var = ((g - mu) ** 2).mean(-1, keepdim=True)
    out = ((g - mu) / (var + eps).sqrt()).view(n, c, h, w)
    return out * gamma_c.view(1, c, 1, 1) + beta_c.view(1, c, 1, 1)


def my_instance_norm(t):
    mu = t.mean(dim=(2, 3), keepdim=True)
    var = t.var(dim=(2, 3), unbiased=False, keepdim=True)
    return (t - mu) * torch.rsqrt(var + eps)


ln = nn.LayerNorm([C, H, W], elementwise_affine=False)
gn = nn.GroupNorm(num_groups=3, num_channels=C)
with torch.no_grad():
    gn.weight.copy_(gamma_c)
    gn.bias.copy_(beta_c)
inorm = nn.InstanceNorm2d(C)
res = {}
pairs = {
    "layer": (ln, my_layer_norm),
    "group": (gn, lambda t: my_group_norm(t, 3)),
    "instance": (inorm, my_instance_norm),
    "functional_layer": (lambda t: F.layer_norm(t, (C, H, W)), my_layer_norm),
}
for name, (builtin, mine) in pairs.items():
    out_b, out_m = builtin(x), mine(x)
    (g_b,) = torch.autograd.grad((out_b * r).sum(), x)
    (g_m,) = torch.autograd.grad((out_m * r).sum(), x)
    res[name + "_out_maxdiff"] = (out_b - out_m).abs().max().item()
    res[name + "_grad_maxdiff"] = (g_b - g_m).abs().max().item()
    res[name + "_out_sample"] = out_b[0, :, 0, 0].tolist()
    res[name + "_grad_sample"] = g_b[1, 2, :, 1].tolist()
    print(f"{name:17s} max|out diff| {res[name + '_out_maxdiff']:.2e}  "
          f"max|grad diff| {res[name + '_grad_maxdiff']:.2e}")

# the statistics really are per sample: every sample has mean 0, variance 1
z = ln(x).detach()
print("per-sample mean", z.mean(dim=(1, 2, 3)))
res["ln_sample_std"] = z.flatten(1).std(dim=1, unbiased=False).tolist()


class MyLayerNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, t):
        mu = t.mean(-1, keepdim=True)
        var = t.var(-1, keepdim=True, unbiased=False)
        return self.weight * (t - mu) / torch.sqrt(var + self.eps) + self.bias


def mlp(norm_cls):
    return nn.Sequential(nn.Linear(8, 32), norm_cls(32), nn.ReLU(), nn.Linear(32, 32), norm_cls(32),
                         nn.ReLU(), nn.Linear(32, 1))


Xn = rng.normal(size=(256, 8))
yn = np.tanh(Xn[:, :3].sum(1, keepdims=True)) + 0.5 * Xn[:, 3:4] ** 2
X, Y = torch.tensor(Xn, dtype=torch.float32), torch.tensor(yn, dtype=torch.float32)
weights = [(rng.normal(0, 0.4, (o, i)), rng.normal(0, 0.1, o)) for i, o in [(8, 32), (32, 32), (32, 1)]]
models = {"builtin": mlp(nn.LayerNorm), "custom": mlp(MyLayerNorm)}
for m in models.values():
    lins = [mod for mod in m if isinstance(mod, nn.Linear)]
    with torch.no_grad():
        for lin, (w, b) in zip(lins, weights):
            lin.weight.copy_(torch.from_numpy(w).float())
            lin.bias.copy_(torch.from_numpy(b).float())
opts = {k: torch.optim.Adam(m.parameters(), lr=3e-3) for k, m in models.items()}
for epoch in range(40):
    for i in range(0, 256, 32):
        for k, m in models.items():
            opts[k].zero_grad()
            loss = F.mse_loss(m(X[i:i + 32]), Y[i:i + 32])
            loss.backward()
            opts[k].step()
with torch.no_grad():
    for k, m in models.items():
        res["mse_" + k] = F.mse_loss(m(X), Y).item()
        res["ln_weight_" + k] = m[1].weight[:6].tolist()
    res["pred_gap"] = (models["builtin"](X) - models["custom"](X)).abs().max().item()
print({k: v for k, v in res.items() if k.startswith("mse")}, "gap", res["pred_gap"])
print("RESULT " + json.dumps(res))
