"""Why cross-entropy rather than MSE for a sigmoid classifier (the losses notes): for one example
with label 1 and logit z, d/dz of MSE(sigmoid(z), 1) is 2 (p - 1) p (1 - p), which vanishes when
the unit is confidently wrong (z = -8), while d/dz of BCE is just p - 1.  The gradients are
taken with autograd on a grid of logits and compared with both formulas; nn.BCELoss on
probabilities is compared with BCEWithLogitsLoss for extreme logits (BCELoss clamps log at -100,
so a logit of -150 costs 100 instead of 150).  Then a logistic-regression model started from a
deliberately bad init (weights pointing the wrong way, large scale) is trained with SGD under
MSE and under BCE; the MSE run crawls out of the saturated plateau much more slowly.  Also the
same comparison for a small softmax MLP with MSE on one-hot targets vs nn.CrossEntropyLoss.
NumPy data and weights, full-batch: exact.
Measured: the float64 rerun moves values by <= 1.3e-6 relative (the MSE-trained weights; 2.0e-6
abs), one-ulp perturbed weights/data by <= 3.3e-7 relative; accuracies do not move.  Two keys
sit on float32 cancellation: bce_on_probs[3] = -log(sigmoid(5)) moved 3.6e-6 relative (one ulp
of p near 1 is 9e-6 of it), so rel=2e-5; the autograd-vs-formula gaps are round-off of values up
to 0.3 (measured 5.8e-11, but one float32 ulp there is 3e-8), so abs=1e-7.  rtol=3e-6 atol=1e-7.

COMPARE: exact rtol=3e-6 atol=1e-7; bce_on_probs rel=2e-5; grad_mse_formula_gap abs=1e-7; grad_bce_formula_gap abs=1e-7
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

rng = np.random.default_rng(136)
res = {}

z = torch.tensor([-8.0, -4.0, -1.0, 0.0, 2.0], dtype=torch.float32, requires_grad=True)
target = torch.ones(5)
p = torch.sigmoid(z)
mse = ((p - target) ** 2).sum()
(g_mse,) = torch.autograd.grad(mse, z)
bce = F.binary_cross_entropy_with_logits(z, target, reduction="sum")
(g_bce,) = torch.autograd.grad(bce, z)
pd = p.detach()
res["grad_mse"] = g_mse.tolist()
res["grad_bce"] = g_bce.tolist()
res["grad_mse_formula_gap"] = (g_mse - 2 * (pd - 1) * pd * (1 - pd)).abs().max().item()
res["grad_bce_formula_gap"] = (g_bce - (pd - 1)).abs().max().item()
print("dMSE/dz:", g_mse, "\ndBCE/dz:", g_bce)

extreme = torch.tensor([-150.0, -30.0, -5.0, 5.0], dtype=torch.float32)
ones = torch.ones(4)
res["bce_on_probs"] = nn.BCELoss(reduction="none")(torch.sigmoid(extreme), ones).tolist()
res["bce_with_logits"] = nn.BCEWithLogitsLoss(reduction="none")(extreme, ones).tolist()

# logistic regression from a bad init
n = 300
Xn = rng.normal(size=(n, 2))
yn = (Xn @ np.array([2.0, -1.0]) + 0.3 * rng.normal(size=n) > 0).astype(np.float64)
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32)
bad_w = np.array([[-6.0, 3.0]])


def run_logistic(kind, steps=400, lr=0.5):
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor(bad_w, dtype=torch.float32))
        model.bias.fill_(0.0)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    accs = []
    for step in range(steps):
        logits = model(X).squeeze(1)
        if kind == "mse":
            loss = F.mse_loss(torch.sigmoid(logits), y)
        else:
            loss = F.binary_cross_entropy_with_logits(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step in (0, 24, 99, 399):
            with torch.no_grad():
                accs.append(((model(X).squeeze(1) > 0).float() == y).float().mean().item())
    return accs, model.weight.detach().flatten().tolist(), loss.item()


for kind in ("mse", "bce"):
    accs, w, final = run_logistic(kind)
    res[f"logreg_{kind}_acc_at_1_25_100_400"] = accs
    res[f"logreg_{kind}_weight"] = w
    res[f"logreg_{kind}_final_loss"] = final
    print(f"logistic {kind}: accuracy after 1/25/100/400 steps {accs}, w = {w}")

# softmax MLP: MSE on one-hot vs cross-entropy
centers = rng.normal(0, 2.0, size=(4, 5))
Xm = np.concatenate([rng.normal(c, 1.0, size=(50, 5)) for c in centers])
ym = np.repeat(np.arange(4), 50)
Xm, ym = torch.tensor(Xm, dtype=torch.float32), torch.tensor(ym)
W1, W2 = rng.normal(0, 0.5, size=(16, 5)), rng.normal(0, 0.5, size=(4, 16))


def run_mlp(kind, epochs=60, lr=0.1):
    net = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 4))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(W1, dtype=torch.float32))
        net[2].weight.copy_(torch.tensor(W2, dtype=torch.float32))
        net[0].bias.zero_()
        net[2].bias.zero_()
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    for epoch in range(epochs):
        for start in range(0, 200, 40):
            idx = torch.arange(start, start + 40) * 7 % 200   # a fixed interleaving of classes
            out = net(Xm[idx])
            if kind == "mse":
                loss = F.mse_loss(torch.softmax(out, dim=1), F.one_hot(ym[idx], 4).float())
            else:
                loss = F.cross_entropy(out, ym[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        out = net(Xm)
        return (out.argmax(1) == ym).float().mean().item(), F.cross_entropy(out, ym).item()


for kind in ("mse", "ce"):
    acc, ce = run_mlp(kind)
    res[f"mlp_{kind}_acc"] = acc
    res[f"mlp_{kind}_ce"] = ce
    print(f"MLP trained with {kind}: accuracy {acc:.3f}, cross-entropy {ce:.4f}")
print("RESULT " + json.dumps(res))
