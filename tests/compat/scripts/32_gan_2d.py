"""A GAN on 2-D data (the classic "learn a Gaussian" toy): a generator and a discriminator,
two Adam optimizers (betas=(0.5, 0.999)), nn.BCELoss on a Sigmoid output, real/fake label
tensors from torch.ones/torch.zeros, fake.detach() for the discriminator step.  Weights and
noise come from a NumPy RNG, so both runs follow the same path.

COMPARE: exact rtol=2e-3 atol=1e-4
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

rng = np.random.default_rng(32)
latent_dim, batch_size, n_steps = 4, 64, 300
real_mean = np.array([2.0, -1.0])
real_cov_chol = np.array([[0.5, 0.0], [0.3, 0.4]])


def real_batch(n):
    z = rng.normal(size=(n, 2))
    return torch.from_numpy((z @ real_cov_chol.T + real_mean).astype(np.float32))


def noise(n):
    return torch.from_numpy(rng.normal(size=(n, latent_dim)).astype(np.float32))


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(latent_dim, 16), nn.ReLU(), nn.Linear(16, 2))

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1), nn.Sigmoid())

    def forward(self, x):
        return self.net(x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        m.weight.data.copy_(torch.from_numpy(rng.normal(0, 0.3, m.weight.shape).astype(np.float32)))
        m.bias.data.fill_(0.0)


G, D = Generator(), Discriminator()
G.apply(init_weights)
D.apply(init_weights)
criterion = nn.BCELoss()
opt_g = optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
opt_d = optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
real_label = torch.ones(batch_size, 1)
fake_label = torch.zeros(batch_size, 1)

for step in range(n_steps):
    # (1) update D: maximize log(D(x)) + log(1 - D(G(z)))
    D.zero_grad()
    real = real_batch(batch_size)
    loss_real = criterion(D(real), real_label)
    fake = G(noise(batch_size))
    loss_fake = criterion(D(fake.detach()), fake_label)
    loss_d = loss_real + loss_fake
    loss_d.backward()
    opt_d.step()
    # (2) update G: maximize log(D(G(z)))
    G.zero_grad()
    loss_g = criterion(D(fake), real_label)
    loss_g.backward()
    opt_g.step()
    if step % 50 == 0:
        print(f"step {step}: loss_D {loss_d.item():.4f} loss_G {loss_g.item():.4f}")

with torch.no_grad():
    samples = G(noise(2000))
    gen_mean = samples.mean(dim=0).tolist()
    gen_std = samples.std(dim=0).tolist()
    d_real = D(real_batch(500)).mean().item()
print("RESULT " + json.dumps({"loss_d": loss_d.item(), "loss_g": loss_g.item(),
                              "gen_mean": gen_mean, "gen_std": gen_std, "d_real": d_real}))
