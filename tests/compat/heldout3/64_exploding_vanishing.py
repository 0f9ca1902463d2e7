"""Vanishing and exploding gradients, diagnosed and remedied (course-notebook style): a deep
plain MLP with sigmoid (vanishing: per-layer weight-grad norms collected with a list
comprehension over named_parameters), the same with tanh and a too-large init (exploding:
total norm logged from clip_grad_norm_'s return value each step, with max_norm=1.0 as the
remedy), and ReLU + residual connections as the other remedy.  Weights from a NumPy RNG.

COMPARE: exact rtol=2e-3 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(64)
X = torch.tensor(rng.normal(size=(64, 16)), dtype=torch.float32)
y = torch.tensor(rng.normal(size=(64, 1)), dtype=torch.float32)


def deep_mlp(act, depth=10, scale=1.0):
    layers = []
    for i in range(depth):
        lin = nn.Linear(16, 16)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(rng.normal(0, scale / 4.0, (16, 16)), dtype=torch.float32))
            lin.bias.zero_()
        layers += [lin, act()]
    head = nn.Linear(16, 1)
    nn.init.constant_(head.weight, 0.1)
    nn.init.zeros_(head.bias)
    return nn.Sequential(*layers, head)


def layer_grad_norms(model):
    return [p.grad.norm().item() for name, p in model.named_parameters() if name.endswith("weight")]


res = {}
model = deep_mlp(nn.Sigmoid)
nn.MSELoss()(model(X), y).backward()
norms = layer_grad_norms(model)
res["sigmoid_first_last_ratio"] = norms[0] / norms[-2]
res["sigmoid_norms"] = norms
print("sigmoid grad norms:", ["%.1e" % n for n in norms])

model = deep_mlp(nn.Tanh, scale=12.0)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
total_norms = []
for step in range(8):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    total = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    total_norms.append(total.item())
    after = torch.norm(torch.stack([p.grad.norm() for p in model.parameters()])).item()
    opt.step()
print("tanh pre-clip total norms:", ["%.2f" % t for t in total_norms])
res["tanh_total_norms"] = total_norms
res["after_clip"] = after
res["tanh_loss"] = loss.item()


class ResBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 16)
        with torch.no_grad():
            self.fc.weight.copy_(torch.tensor(rng.normal(0, 0.25, (16, 16)), dtype=torch.float32))
            self.fc.bias.zero_()

    def forward(self, x):
        return x + torch.relu(self.fc(x))


resnet = nn.Sequential(*[ResBlock() for _ in range(10)], nn.Linear(16, 1))
nn.init.constant_(resnet[-1].weight, 0.1)
nn.init.zeros_(resnet[-1].bias)
nn.MSELoss()(resnet(X), y).backward()
res["resnet_norms"] = [blk.fc.weight.grad.norm().item() for blk in resnet[:-1]]
res["is_finite"] = bool(torch.isfinite(resnet[0].fc.weight.grad).all())
print("RESULT " + json.dumps(res))
