"""Saving the best model to disk during training (tutorial "Saving and Loading Models"):
a tempfile.TemporaryDirectory, os.path.join(tmp, "best.pt"), torch.save({"epoch", 
"model_state_dict", "optimizer_state_dict", "val_loss"}, path) whenever validation improves,
then a brand-new model and optimizer restored with torch.load(path, map_location="cpu",
weights_only=True) + load_state_dict, model.eval(), and the restored model's validation loss
checked against the stored one; training then continues two more epochs from the restored
optimizer (SGD with momentum buffers) and must match a run that kept the best state in memory.
Exact (NumPy weights, fixed batches); torch float64 rerun (measured): <= 5e-7 relative, same best epoch.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import copy
import json
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(85)
X = torch.tensor(rng.normal(size=(160, 6)), dtype=torch.float32)
y = (X[:, :3].sum(dim=1, keepdim=True) > 0).float()
Xv = torch.tensor(rng.normal(size=(80, 6)), dtype=torch.float32)
yv = (Xv[:, :3].sum(dim=1, keepdim=True) > 0).float()
init = [rng.normal(0, 0.4, (12, 6)), rng.normal(0, 0.4, (1, 12))]


def build():
    model = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(init[0]))
        model[2].weight.copy_(torch.tensor(init[1]))
        model[0].bias.zero_()
        model[2].bias.zero_()
    return model, torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)


def run_epoch(model, opt):
    crit = nn.BCEWithLogitsLoss()
    model.train()
    for i in range(0, 160, 32):
        opt.zero_grad()
        crit(model(X[i:i + 32]), y[i:i + 32]).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        return crit(model(Xv), yv).item()


model, optimizer = build()
best, best_epoch, mem = float("inf"), -1, None
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "best.pt")
    for epoch in range(12):
        val_loss = run_epoch(model, optimizer)
        if val_loss < best:
            best, best_epoch = val_loss, epoch
            torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                        "optimizer_state_dict": optimizer.state_dict(), "val_loss": val_loss}, path)
            mem = (copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict()))
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    size_ok = os.path.getsize(path) > 0

model2, opt2 = build()
model2.load_state_dict(checkpoint["model_state_dict"])
opt2.load_state_dict(checkpoint["optimizer_state_dict"])
model2.eval()
with torch.no_grad():
    restored = nn.BCEWithLogitsLoss()(model2(Xv), yv).item()
model3, opt3 = build()
model3.load_state_dict(mem[0])
opt3.load_state_dict(mem[1])
cont_disk = [run_epoch(model2, opt2) for _ in range(2)]
cont_mem = [run_epoch(model3, opt3) for _ in range(2)]
print(f"best epoch {checkpoint['epoch']} val {checkpoint['val_loss']:.4f} restored {restored:.4f}")
res = {"best_epoch": checkpoint["epoch"], "best_val": checkpoint["val_loss"], "restored": restored,
       "cont_disk": cont_disk, "cont_mem": cont_mem, "size_ok": size_ok,
       "same": cont_disk == cont_mem}
print("RESULT " + json.dumps(res))
