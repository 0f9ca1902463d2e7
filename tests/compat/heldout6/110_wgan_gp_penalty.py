"""The WGAN-GP gradient penalty (the "Improved Training of Wasserstein GANs" snippet every GAN
repo copies): interpolates eps * real + (1 - eps) * fake with eps from NumPy, requires_grad_(),
gradients = torch.autograd.grad(outputs=critic(interp), inputs=interp,
grad_outputs=torch.ones_like(...), create_graph=True, retain_graph=True)[0], penalty
((gradients.norm(2, dim=1) - 1) ** 2).mean() * 10 backpropagated into the critic (double
backward through LeakyReLU and Linear); Adam(betas=(0.0, 0.9)), n_critic=5, a linear
generator on 2-D Gaussian data, fixed noise from NumPy.
Exact: every random draw from NumPy; torch float64 rerun (measured) within 1.4e-4 relative
(the small penalty value; worst 0.19 of the tolerance) after 40 generator steps, so rtol=2e-4.

COMPARE: exact rtol=2e-4 atol=1e-5
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(110)
f32 = torch.float32
critic = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
gen = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
with torch.no_grad():
    for p in list(critic.parameters()) + list(gen.parameters()):
        p.copy_(torch.tensor(rng.normal(0, 0.3, tuple(p.shape)), dtype=f32))
opt_c = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.0, 0.9))
opt_g = torch.optim.Adam(gen.parameters(), lr=1e-3, betas=(0.0, 0.9))
lambda_gp, n_critic, bs = 10.0, 5, 32


def gradient_penalty(real, fake):
    eps = torch.tensor(rng.random((real.size(0), 1)), dtype=f32)
    interp = (eps * real + (1 - eps) * fake).requires_grad_(True)
    out = critic(interp)
    grads = torch.autograd.grad(outputs=out, inputs=interp, grad_outputs=torch.ones_like(out),
                                create_graph=True, retain_graph=True)[0]
    return ((grads.norm(2, dim=1) - 1) ** 2).mean()


hist = []
for step in range(40):
    for _ in range(n_critic):
        real = torch.tensor(rng.normal([2.0, -1.0], [0.5, 0.3], (bs, 2)), dtype=f32)
        z = torch.tensor(rng.normal(size=(bs, 2)), dtype=f32)
        fake = gen(z).detach()
        gp = gradient_penalty(real, fake)
        loss_c = critic(fake).mean() - critic(real).mean() + lambda_gp * gp
        opt_c.zero_grad()
        loss_c.backward()
        opt_c.step()
    z = torch.tensor(rng.normal(size=(bs, 2)), dtype=f32)
    loss_g = -critic(gen(z)).mean()
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    if step % 5 == 0:
        hist.append([loss_c.item(), gp.item(), loss_g.item()])
with torch.no_grad():
    sample = gen(torch.tensor(rng.normal(size=(500, 2)), dtype=f32))
res = {"hist": hist, "gen_mean": sample.mean(0).tolist(), "gen_std": sample.std(0).tolist()}
print(res)
print("RESULT " + json.dumps(res))
