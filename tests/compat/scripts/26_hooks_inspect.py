"""Inspecting a network while it trains: register_forward_hook to record activation
statistics, register_full_backward_hook for output-gradient norms, named_parameters() gradient
norms, handle.remove(), and register_forward_pre_hook that rescales the input.

COMPARE: exact rtol=1e-4 atol=1e-7
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(26)
X = torch.from_numpy(rng.normal(0, 1, (64, 10)).astype(np.float32))
y = torch.from_numpy(rng.normal(0, 1, (64, 1)).astype(np.float32))

model = nn.Sequential(nn.Linear(10, 20), nn.Tanh(), nn.Linear(20, 20), nn.ReLU(), nn.Linear(20, 1))
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.normal(0, 0.4, p.shape).astype(np.float32)))

activations = {}
grad_norms = {}


def save_activation(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()
    return hook


def save_grad(name):
    def hook(module, grad_input, grad_output):
        grad_norms[name] = grad_output[0].norm().item()
    return hook


handles = []
for name, module in model.named_modules():
    if isinstance(module, (nn.Tanh, nn.ReLU)):
        handles.append(module.register_forward_hook(save_activation(name)))
    if isinstance(module, nn.Linear):
        handles.append(module.register_full_backward_hook(save_grad(name)))

loss = nn.functional.mse_loss(model(X), y)
loss.backward()
res = {
    "loss": loss.item(),
    "tanh_saturated": (activations["1"].abs() > 0.97).float().mean().item(),
    "relu_dead": (activations["3"] == 0).float().mean().item(),
    "grad_out_0": grad_norms["0"], "grad_out_4": grad_norms["4"],
}
for name, p in model.named_parameters():
    res["gradnorm_" + name] = p.grad.norm().item()

for h in handles:
    h.remove()
activations.clear()
model(X)
res["hooks_removed"] = float(len(activations) == 0)

pre = model[0].register_forward_pre_hook(lambda module, args: (args[0] * 0.5,))
with torch.no_grad():
    res["pre_hook_out"] = model(X).sum().item()
pre.remove()
print("RESULT " + json.dumps(res))
