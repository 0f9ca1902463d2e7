"""A convolutional autoencoder on the 8x8 digits (the "conv autoencoder" tutorial): encoder
Conv2d(1, 8, 3, stride=2, padding=1) -> ReLU -> Conv2d(8, 16, 3, stride=2, padding=1), decoder
ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1) -> ReLU ->
ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1) -> Sigmoid, MSELoss, Adam;
the code shape, reconstruction error on held-out digits, and a denoising variant trained on
inputs with NumPy noise.
Exact: NumPy weights (nn.init via copy_), fixed batches; torch float64 rerun (measured) within
1e-6 relative, so rtol=2e-4.

COMPARE: exact rtol=2e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

d = load_digits()
rng = np.random.default_rng(112)
imgs = torch.tensor(d.images[:600] / 16.0, dtype=torch.float32).unsqueeze(1)
train, test = imgs[:500], imgs[500:]
noise = torch.tensor(rng.normal(0, 0.3, tuple(train.shape)), dtype=torch.float32)


class ConvAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
                                     nn.Conv2d(8, 16, 3, stride=2, padding=1))
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


res = {}
for name in ("plain", "denoise"):
    model = ConvAE()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.tensor(rng.normal(0, 0.2, tuple(p.shape)), dtype=torch.float32))
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    crit = nn.MSELoss()
    for epoch in range(8):
        for i in range(0, 500, 50):
            xb = train[i:i + 50]
            inp = (xb + noise[i:i + 50]).clamp(0, 1) if name == "denoise" else xb
            opt.zero_grad()
            loss = crit(model(inp), xb)
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        code = model.encoder(test)
        res[name + "_test_mse"] = crit(model(test), test).item()
    res[name + "_train_loss"] = loss.item()
    res["code_shape"] = list(code.shape)
    res["decoder_weight_shape"] = list(model.decoder[0].weight.shape)
    print(name, res[name + "_test_mse"])
print("RESULT " + json.dumps(res))
