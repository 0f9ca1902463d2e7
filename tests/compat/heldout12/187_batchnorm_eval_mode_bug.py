"""Forum answer: "my CNN's test accuracy depends on the test batch size" -- forgot model.eval().

A small BatchNorm CNN on sklearn digits (weights from a NumPy RNG, fixed batch order) is
trained briefly with SGD. Test accuracy is then measured in eval mode, in train mode with
batch sizes 450 / 16 / 2 (batch statistics leak in, and running stats get overwritten),
and after re-estimating the running statistics with momentum=None ("precise BN").
Measured (float32 vs float64 vs one-ulp-perturbed draws): largest relative difference 4e-5
(final train loss 9.5e-4, abs 4e-8), largest absolute 1.8e-6 (a BN running mean); accuracies identical.
COMPARE: exact rtol=8e-5 atol=4e-6; acc_eval abs=0.005; acc_trainmode_bs450 abs=0.005; acc_trainmode_bs16 abs=0.005; acc_trainmode_bs2 abs=0.005; acc_precise_bn abs=0.005
"""
import copy
import json
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

DTYPE = torch.float32
rng = np.random.default_rng(187)
digits = load_digits()
perm = rng.permutation(len(digits.target))
X = torch.tensor(digits.images[perm] / 16.0, dtype=DTYPE).unsqueeze(1)
y = torch.tensor(digits.target[perm], dtype=torch.long)
X_tr, y_tr, X_te, y_te = X[:1347], y[:1347], X[1347:], y[1347:]


class BNNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 16, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


model = BNNet()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            m.weight.copy_(torch.from_numpy(rng.normal(0, np.sqrt(2 / fan_in), m.weight.shape)))
            m.bias.zero_()
model = model.to(DTYPE)

opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(3):
    model.train()
    for i in range(0, len(X_tr), 64):
        opt.zero_grad()
        loss = F.cross_entropy(model(X_tr[i:i + 64]), y_tr[i:i + 64])
        loss.backward()
        opt.step()
    print(f"epoch {epoch} last loss {loss.item():.4f}")
trained = copy.deepcopy(model.state_dict())


def accuracy(m, bs):
    correct = 0
    with torch.no_grad():
        for i in range(0, len(X_te), bs):
            correct += (m(X_te[i:i + bs]).argmax(1) == y_te[i:i + bs]).sum().item()
    return correct / len(X_te)


model.eval()
acc_eval = accuracy(model, 450)
bn1 = model.features[1]
rm_before = bn1.running_mean.clone()
print(f"eval mode: acc {acc_eval:.4f}, num_batches_tracked {bn1.num_batches_tracked.item()}")

result = {"train_loss": loss.item(), "acc_eval": acc_eval, "running_mean_bn1": rm_before.tolist(),
          "running_var_bn1_mean": bn1.running_var.mean().item()}
for bs in (450, 16, 2):
    model.load_state_dict(trained)
    model.train()                               # the bug
    acc = accuracy(model, bs)
    drift = (bn1.running_mean - rm_before).norm().item()
    print(f"train mode, test batch {bs:3d}: acc {acc:.4f}  running-mean drift {drift:.4f}")
    result[f"acc_trainmode_bs{bs}"] = acc
    result[f"drift_bs{bs}"] = drift

# precise BN: recompute running stats as a cumulative average over the training set
model.load_state_dict(trained)
for m in model.modules():
    if isinstance(m, nn.BatchNorm2d):
        m.reset_running_stats()
        m.momentum = None
model.train()
with torch.no_grad():
    for i in range(0, len(X_tr), 128):
        model(X_tr[i:i + 128])
model.eval()
acc_precise = accuracy(model, 450)
print(f"precise-BN eval acc {acc_precise:.4f}; running mean moved by {(bn1.running_mean - rm_before).norm().item():.4f}")
result["acc_precise_bn"] = acc_precise
result["precise_rm_shift"] = (bn1.running_mean - rm_before).norm().item()
result["precise_batches"] = int(bn1.num_batches_tracked.item())
print("RESULT " + json.dumps(result))
