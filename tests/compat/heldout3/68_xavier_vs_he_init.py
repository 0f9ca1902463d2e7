"""Xavier versus He initialization study (blog-post style): a 20-layer, width-256 MLP
initialised by model.apply(init_fn) with nn.init.xavier_normal_ / nn.init.kaiming_normal_
(nonlinearity="relu") / a naive normal_(0, 1), for tanh and ReLU; the std of each layer's
activation recorded with forward hooks on the activation modules, and of the first layer's
weight gradient after one backward.  Draws come from each library's own RNG
(torch.manual_seed), so only statistics are compared.

Tolerances, from the spread (max - min) of torch seeds 0-5 (pass a seed as argv[1]):
relu_he_last_std 0.30 (values 0.51-0.74), tanh_xavier_last_std 0.03 (0.152-0.167),
relu_xavier_last_ratio 0.01 (9e-4-2.1e-3), xavier_w_std 0.002 (spread 3e-4), he_w_std 0.002
(spread 1e-3); the two booleans hold for every seed.

COMPARE: metric relu_he_last_std abs=0.30; tanh_xavier_last_std abs=0.03; relu_xavier_last_ratio abs=0.01; xavier_w_std abs=0.002; he_w_std abs=0.002; naive_tanh_saturated abs=0; he_keeps_scale abs=0
"""
import json
import sys

import torch
import torch.nn as nn

torch.manual_seed(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
width, depth = 256, 20
x = torch.randn(512, width)


def make(act):
    layers = []
    for _ in range(depth):
        layers += [nn.Linear(width, width, bias=False), act()]
    return nn.Sequential(*layers)


def xavier(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_normal_(m.weight)


def he(m):
    if type(m) == nn.Linear:
        nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")


def naive(m):
    if isinstance(m, nn.Linear):
        m.weight.data.normal_(0, 1)


def activation_stds(model):
    stds = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: stds.append(out.std().item()))
             for m in model if not isinstance(m, nn.Linear)]
    out = model(x)
    for h in hooks:
        h.remove()
    out.pow(2).mean().backward()
    return stds, model[0].weight.grad.std().item()


res = {}
for act_name, act in [("tanh", nn.Tanh), ("relu", nn.ReLU)]:
    for init_name, fn in [("xavier", xavier), ("he", he), ("naive", naive)]:
        model = make(act)
        model.apply(fn)
        stds, gstd = activation_stds(model)
        print(f"{act_name:4s} {init_name:6s} first {stds[0]:.3f} last {stds[-1]:.3e} grad {gstd:.3e}")
        res[f"{act_name}_{init_name}"] = (stds[0], stds[-1], gstd)
        if init_name in ("xavier", "he") and act_name == "relu":
            res[f"{init_name}_w_std"] = model[0].weight.std().item()

out = {"relu_he_last_std": res["relu_he"][1], "tanh_xavier_last_std": res["tanh_xavier"][1],
       "relu_xavier_last_ratio": res["relu_xavier"][1] / res["relu_xavier"][0],
       "xavier_w_std": res["xavier_w_std"], "he_w_std": res["he_w_std"],
       "naive_tanh_saturated": res["tanh_naive"][1] > 0.9,
       "he_keeps_scale": 0.3 < res["relu_he"][1] / res["relu_he"][0] < 3.0}
print("RESULT " + json.dumps(out))
