"""Official-example-style CNN script on synthetic 16x16 textures (5 classes).

Classes: horizontal stripes, vertical stripes, diagonal stripes, checkerboard, Gaussian blob, each
with random frequency/phase/contrast and noise. Dataclass config, Dataset subclass generating
samples from a NumPy seed, DataLoader, Conv-BN-ReLU model with AdaptiveAvgPool, OneCycleLR stepped
per batch, train()/test() functions, checkpoint (model + optimizer + scheduler) save/reload,
confusion matrix on the test set.
Seeds 0-4 (torch): test acc 0.996-0.998 (spread 0.002), per-class recall spread <= 0.011,
test loss 0.123-0.159 (0.036), train loss 0.143-0.188 (0.045); reload, lr schedule and config are exact.
COMPARE: metric test_acc abs=0.01; per_class_recall abs=0.025; test_loss abs=0.075; train_loss abs=0.09; reload_identical abs=0; final_lr rel=1e-6; ckpt_epochs abs=0
"""
import json
from dataclasses import dataclass, asdict
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

SEED = 0


@dataclass
class TrainConfig:
    n_train: int = 1500
    n_test: int = 500
    batch_size: int = 50
    epochs: int = 4
    max_lr: float = 0.01
    weight_decay: float = 5e-4
    ckpt_path: str = "/tmp/texture_cnn_192.pt"


class TextureDataset(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        yy, xx = np.mgrid[0:16, 0:16].astype(np.float32)
        self.images = np.empty((n, 1, 16, 16), dtype=np.float32)
        self.labels = rng.integers(0, 5, n)
        for i, c in enumerate(self.labels):
            f, ph, a = rng.uniform(0.5, 1.3), rng.uniform(0, 2 * np.pi), rng.uniform(0.5, 1.0)
            if c == 0:
                img = np.sin(f * yy + ph)
            elif c == 1:
                img = np.sin(f * xx + ph)
            elif c == 2:
                img = np.sin(f * (xx + yy) / np.sqrt(2) + ph)
            elif c == 3:
                img = np.sin(f * xx + ph) * np.sin(f * yy + ph)
            else:
                cy, cx = rng.uniform(4, 12, 2)
                img = 2 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * rng.uniform(2, 9))) - 0.5
            self.images[i, 0] = a * img + 0.3 * rng.standard_normal((16, 16))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return torch.from_numpy(self.images[idx]), int(self.labels[idx])


def conv_block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class TextureNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.body = nn.Sequential(conv_block(1, 16), nn.MaxPool2d(2), conv_block(16, 32), nn.MaxPool2d(2),
                                  conv_block(32, 32))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.head(torch.flatten(self.pool(self.body(x)), 1))


def train(model, loader, optimizer, scheduler):
    model.train()
    running, n = 0.0, 0
    for x, y in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item() * x.size(0)
        n += x.size(0)
    return running / n


@torch.no_grad()
def test(model, loader, n_classes=5):
    model.eval()
    conf = torch.zeros(n_classes, n_classes, dtype=torch.long)
    loss = 0.0
    for x, y in loader:
        out = model(x)
        loss += F.cross_entropy(out, y, reduction="sum").item()
        for t, p in zip(y, out.argmax(1)):
            conf[t, p] += 1
    return loss / conf.sum().item(), conf


cfg = TrainConfig()
torch.manual_seed(SEED)
train_loader = DataLoader(TextureDataset(cfg.n_train, 1), batch_size=cfg.batch_size, shuffle=True)
test_loader = DataLoader(TextureDataset(cfg.n_test, 2), batch_size=250)
model = TextureNet()
optimizer = torch.optim.SGD(model.parameters(), lr=cfg.max_lr, momentum=0.9, weight_decay=cfg.weight_decay)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=cfg.max_lr, epochs=cfg.epochs,
                                                steps_per_epoch=len(train_loader))
for epoch in range(1, cfg.epochs + 1):
    tr_loss = train(model, train_loader, optimizer, scheduler)
    te_loss, conf = test(model, test_loader)
    acc = conf.diag().sum().item() / conf.sum().item()
    print(f"epoch {epoch}: train loss {tr_loss:.4f}  test loss {te_loss:.4f}  test acc {acc:.3f}  lr {scheduler.get_last_lr()[0]:.2e}")

torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), "config": asdict(cfg)}, cfg.ckpt_path)
ckpt = torch.load(cfg.ckpt_path)
restored = TextureNet()
restored.load_state_dict(ckpt["model"])
re_loss, re_conf = test(restored, test_loader)
print("confusion matrix (rows = true):\n", re_conf.numpy())
per_class = (re_conf.diag().float() / re_conf.sum(1).float()).tolist()
result = {"train_loss": tr_loss, "test_loss": re_loss, "test_acc": re_conf.diag().sum().item() / cfg.n_test,
          "per_class_recall": per_class, "reload_identical": int(torch.equal(conf, re_conf)),
          "final_lr": scheduler.get_last_lr()[0], "ckpt_epochs": ckpt["config"]["epochs"]}
print("RESULT " + json.dumps(result))
