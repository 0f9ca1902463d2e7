"""BatchNorm running statistics (the "why does my model predict differently in eval()"
question): BatchNorm1d fed five training batches, running_mean / running_var (unbiased) /
num_batches_tracked read back, eval() output using the running stats vs train() output using
the batch stats, momentum=None (cumulative average), track_running_stats=False, affine=False,
BatchNorm2d on (N, C, H, W), the buffers listed by named_buffers() and in state_dict(), and a
small Linear-BN-ReLU net trained a few steps then evaluated in both modes.
Data and weights from a NumPy RNG: exact.

Torch float64 rerun (measured): <= 5.7e-6 relative, <= 5.8e-7 absolute (sums of ~0 are
<= 2.4e-7 absolute); counts and names identical.

COMPARE: exact rtol=1e-4 atol=1e-6
"""
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(94)
batches = [torch.tensor(rng.normal(2.0, 3.0, (16, 4)), dtype=torch.float32) for _ in range(5)]

bn = nn.BatchNorm1d(4)
bn_cum = nn.BatchNorm1d(4, momentum=None)
bn_none = nn.BatchNorm1d(4, track_running_stats=False)
bn_plain = nn.BatchNorm1d(4, affine=False)
for b in batches:
    bn(b), bn_cum(b), bn_none(b), bn_plain(b)
probe = torch.tensor(rng.normal(0, 1, (6, 4)), dtype=torch.float32)
out_train = bn(probe)
bn.eval()
bn_cum.eval()
bn_none.eval()
with torch.no_grad():
    out_eval = bn(probe)
    out_cum = bn_cum(probe)
    out_none = bn_none(probe)
all_data = torch.cat(batches)
res = {"running_mean": bn.running_mean.tolist(), "running_var": bn.running_var.tolist(),
       "tracked": int(bn.num_batches_tracked), "cum_mean": bn_cum.running_mean.tolist(),
       "cum_var": bn_cum.running_var.tolist(),
       "true_mean": all_data.mean(0).tolist(),
       "out_train": out_train.sum(0).tolist(), "out_eval": out_eval.sum(0).tolist(),
       "out_cum": out_cum[0].tolist(), "out_none": out_none.std(0, unbiased=False).tolist(),
       "none_stats_is_none": bn_none.running_mean is None,
       "plain_params": len(list(bn_plain.parameters())),
       "buffers": sorted(name for name, _ in bn.named_buffers()),
       "state_keys": sorted(bn.state_dict().keys())}

bn2 = nn.BatchNorm2d(3, momentum=0.2)
imgs = torch.tensor(rng.normal(1.0, 2.0, (4, 3, 5, 5)), dtype=torch.float32)
y2 = bn2(imgs)
res["bn2_mean"] = bn2.running_mean.tolist()
res["bn2_var"] = bn2.running_var.tolist()
res["bn2_out_std"] = y2.transpose(0, 1).reshape(3, -1).std(1, unbiased=False).tolist()

net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
with torch.no_grad():
    for m in net:
        if isinstance(m, nn.Linear):
            m.weight.copy_(torch.tensor(rng.normal(0, 0.5, m.weight.shape), dtype=torch.float32))
            m.bias.zero_()
target = torch.tensor(rng.normal(size=(80, 1)), dtype=torch.float32)
opt = torch.optim.SGD(net.parameters(), lr=0.05)
net.train()
for step in range(10):
    xb, yb = all_data[(step % 5) * 16:(step % 5 + 1) * 16], target[(step % 5) * 16:(step % 5 + 1) * 16]
    opt.zero_grad()
    loss = nn.functional.mse_loss(net(xb), yb)
    loss.backward()
    opt.step()
with torch.no_grad():
    train_mode = net(all_data[:16]).flatten()
    net.eval()
    eval_mode = net(all_data[:16]).flatten()
res["net_loss"] = loss.item()
res["net_gap"] = (train_mode - eval_mode).abs().mean().item()
res["net_eval"] = eval_mode[:5].tolist()
res["net_tracked"] = int(net[1].num_batches_tracked)
print(f"running mean {bn.running_mean.tolist()}\ncumulative {bn_cum.running_mean.tolist()}")
print("RESULT " + json.dumps(res))
