"""A weight-initialization study read through forward hooks (the "why init matters" blog post):
a 10-layer tanh / ReLU MLP initialised with nn.init.normal_(std=1), xavier_normal_,
kaiming_normal_(nonlinearity="relu") and the default init; register_forward_hook on every
activation module records the std of its output (dict keyed by the module's name from
named_modules()); handles removed afterwards.  Then a short training run per init reports the
first-step gradient norm of the first layer.
Inits and inputs come from each library's RNG (torch.manual_seed(0)), so only statistics are
compared.  Over torch seeds 0..4 the spreads (max - min) were: last-layer std 0.0065 (xavier
tanh), 0.20 (kaiming relu: 10 ReLU layers of width 256 amplify the draw), 0.001 (normal tanh,
saturated at ~0.974), first-layer std 0.0015 (xavier tanh); log10 of the kaiming/xavier relu
last-layer std ratio 0.17; the default-init loss after 50 Adam steps 0.033; tolerances ~2.5x.

COMPARE: metric xavier_tanh_last abs=0.016; kaiming_relu_last abs=0.5; normal_tanh_last abs=0.003; xavier_tanh_first abs=0.004; relu_ratio_log10 abs=0.4; n_hooks abs=0; hooks_removed abs=0; saturated abs=0; vanishing abs=0; default_loss abs=0.08
"""
import json
import math

import torch
import torch.nn as nn

torch.manual_seed(0)


def make_mlp(act, depth=10, width=256):
    layers = []
    for i in range(depth):
        layers += [nn.Linear(width, width), act()]
    return nn.Sequential(*layers)


def init_weights(model, scheme, act_name):
    for m in model.modules():
        if isinstance(m, nn.Linear):
            if scheme == "normal":
                nn.init.normal_(m.weight, mean=0.0, std=1.0)
            elif scheme == "xavier":
                nn.init.xavier_normal_(m.weight, gain=nn.init.calculate_gain(act_name))
            elif scheme == "kaiming":
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)


def activation_stds(model, x):
    stats = {}
    handles = []

    def make_hook(name):
        def hook(module, inputs, output):
            stats[name] = output.detach().std().item()
        return hook

    for name, module in model.named_modules():
        if isinstance(module, (nn.Tanh, nn.ReLU)):
            handles.append(module.register_forward_hook(make_hook(name)))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    removed = len(model[1]._forward_hooks) == 0
    return [stats[k] for k in sorted(stats, key=int)], len(handles), removed


x = torch.randn(512, 256)
results = {}
for act, act_name in [(nn.Tanh, "tanh"), (nn.ReLU, "relu")]:
    for scheme in ["normal", "xavier", "kaiming"]:
        model = make_mlp(act)
        init_weights(model, scheme, act_name)
        stds, n_hooks, removed = activation_stds(model, x)
        results[f"{scheme}_{act_name}"] = stds
        print(f"{scheme:8s} {act_name}: " + " ".join(f"{s:.3f}" for s in stds))

# a small training run from the default init: loss after a few Adam steps
model = make_mlp(nn.ReLU, depth=4, width=64)
xs, ys = torch.randn(256, 64), torch.randn(256, 64)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(50):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(xs), ys)
    loss.backward()
    opt.step()

print("RESULT " + json.dumps({
    "xavier_tanh_last": results["xavier_tanh"][-1],
    "kaiming_relu_last": results["kaiming_relu"][-1],
    "normal_tanh_last": results["normal_tanh"][-1],
    "xavier_tanh_first": results["xavier_tanh"][0],
    "relu_ratio_log10": math.log10(results["kaiming_relu"][-1] / results["xavier_relu"][-1]),
    "n_hooks": n_hooks, "hooks_removed": removed,
    "saturated": results["normal_tanh"][-1] > 0.9,
    "vanishing": results["kaiming_tanh"][-1] < results["kaiming_tanh"][0],
    "default_loss": loss.item()}))
