"""Knowledge distillation (Hinton et al., as in the PyTorch "Knowledge Distillation" tutorial):
a wide teacher MLP trained on sklearn's digits, a small student trained with
alpha * T^2 * nn.KLDivLoss(reduction="batchmean")(F.log_softmax(s / T, dim=1),
F.softmax(t / T, dim=1)) + (1 - alpha) * CrossEntropyLoss, the teacher frozen in eval mode
under torch.no_grad(); a student trained on the labels alone for comparison, and
F.kl_div(log_target=True) checked against the batchmean value.
Exact: NumPy weights, fixed batches; torch float64 rerun (measured) within 1e-6 relative on
losses, accuracies equal, so rtol=1e-4 (accuracies abs=0.006, about 2 test samples).

COMPARE: exact rtol=1e-4 atol=1e-6; teacher_acc abs=0.006; student_kd_acc abs=0.006; student_plain_acc abs=0.006
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

d = load_digits()
rng = np.random.default_rng(109)
perm = rng.permutation(len(d.target))
X = torch.tensor(d.data[perm] / 16.0, dtype=torch.float32)
y = torch.tensor(d.target[perm])
Xtr, ytr, Xte, yte = X[:1000], y[:1000], X[1000:], y[1000:]


def mlp(hidden):
    m = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.tensor(rng.normal(0, 0.1, tuple(p.shape)), dtype=torch.float32))
    return m


def accuracy(m):
    m.eval()
    with torch.no_grad():
        return (m(Xte).argmax(1) == yte).float().mean().item()


teacher = mlp(128)
opt = torch.optim.Adam(teacher.parameters(), lr=1e-3)
for epoch in range(10):
    for i in range(0, 1000, 50):
        opt.zero_grad()
        F.cross_entropy(teacher(Xtr[i:i + 50]), ytr[i:i + 50]).backward()
        opt.step()
teacher.eval()

T, alpha = 4.0, 0.7
kl = nn.KLDivLoss(reduction="batchmean")
res = {"teacher_acc": accuracy(teacher)}
student_init = mlp(8).state_dict()
for name in ("kd", "plain"):
    student = mlp(8)
    student.load_state_dict(student_init)
    opt = torch.optim.Adam(student.parameters(), lr=3e-3)
    for epoch in range(10):
        student.train()
        for i in range(0, 1000, 50):
            xb, yb = Xtr[i:i + 50], ytr[i:i + 50]
            s = student(xb)
            ce = F.cross_entropy(s, yb)
            if name == "kd":
                with torch.no_grad():
                    t = teacher(xb)
                soft = kl(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1)) * T * T
                loss = alpha * soft + (1 - alpha) * ce
            else:
                loss = ce
            opt.zero_grad()
            loss.backward()
            opt.step()
    res[f"student_{name}_acc"] = accuracy(student)
    res[f"student_{name}_loss"] = loss.item()
with torch.no_grad():
    s_log = F.log_softmax(student(Xte) / T, dim=1)
    t_log = F.log_softmax(teacher(Xte) / T, dim=1)
res["kl_batchmean"] = kl(s_log, t_log.exp()).item()
res["kl_log_target"] = F.kl_div(s_log, t_log, reduction="batchmean", log_target=True).item()
res["kl_sum"] = F.kl_div(s_log, t_log.exp(), reduction="sum").item()
print(res)
print("RESULT " + json.dumps(res))
