"""What `tidu bench` trains: the model pairs, their optimizers and their synthetic data.

Every model is written once against the shared torch.nn-shaped API and built twice — with
``tidu.nn`` and with ``torch.nn`` — so both libraries get the same layers in the same order
and the same state_dict keys; `build_pair` then copies PyTorch's initial weights into tidu.
The data is float32 inputs with labels 0…9 from a fixed random linear teacher (learnable),
the loss is cross-entropy everywhere.

Neither library is imported here at module level: `WORKLOADS` (the names, the sizes, the
FLOP count) is available without PyTorch, and a memory-measuring subprocess that trains
only tidu never loads PyTorch.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

CLASSES = 10
MLP_DIMS = (784, 256, 256, 10)
SGD_MOMENTUM = ("SGD", {"lr": 0.01, "momentum": 0.9})
ADAM = ("Adam", {"lr": 1e-3})


# --------------------------------------------------------------------------- libraries
def library(lib: str):
    """The top-level module of ``lib`` ("tidu" or "torch"), imported on first use."""
    if lib == "tidu":
        import tidu
        return tidu
    if lib == "torch":
        import torch
        return torch
    raise ValueError(f"unknown library {lib!r}: 'tidu' or 'torch'")


def _nn(lib: str):
    return library(lib).nn


# --------------------------------------------------------------------------- models
def mlp(lib: str, dims=MLP_DIMS, bn_dropout: bool = False):
    """Linear layers of sizes ``dims`` with ReLU between them; with ``bn_dropout`` each
    hidden layer is Linear → BatchNorm1d → ReLU → Dropout(0.5)."""
    nn = _nn(lib)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(dims) - 2:
            layers += ([nn.BatchNorm1d(fan_out), nn.ReLU(), nn.Dropout(0.5)] if bn_dropout
                       else [nn.ReLU()])
    return nn.Sequential(*layers)


def cnn(lib: str):
    """1×28×28 → two blocks of Conv2d 3×3 (pad 1) → ReLU → MaxPool2d 2 (channels 1→16→32)
    → Flatten → Linear(32·7·7 → 10)."""
    nn = _nn(lib)
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, CLASSES))


def lstm_net(lib: str, input_size: int = 16, hidden: int = 128):
    """LSTM(batch_first) over the sequence, Linear(hidden → 10) on the last step's output."""
    nn = _nn(lib)

    class LSTMNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(input_size, hidden, batch_first=True)
            self.fc = nn.Linear(hidden, CLASSES)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.fc(out[:, -1])

    return LSTMNet()


def residual(lib: str, fn):
    """x + fn(x): tidu's ``nn.Residual``, and the same module (keys "fn.…") for PyTorch."""
    nn = _nn(lib)
    if lib == "tidu":
        return nn.Residual(fn)

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.fn = fn

        def forward(self, x):
            return x + self.fn(x)

    return Residual()


def resmlp(lib: str, depth: int = 20, width: int = 128):
    """Linear(784 → width), ``depth`` blocks x + Linear(width → width)(ReLU(x)), then
    Linear(width → 10)."""
    nn = _nn(lib)
    blocks = [residual(lib, nn.Sequential(nn.ReLU(), nn.Linear(width, width)))
              for _ in range(depth)]
    return nn.Sequential(nn.Linear(784, width), *blocks, nn.Linear(width, CLASSES))


# --------------------------------------------------------------------------- the workloads
@dataclass(frozen=True)
class Workload:
    """One benchmark: a model (built for either library), its optimizer, its data sizes.

    ``samples`` per epoch is chosen so one PyTorch epoch takes roughly 0.2–1 s on 2 cores;
    ``quick_samples`` is for smoke runs and tests.  ``linear_shapes`` lists the (in, out)
    of every Linear layer of a Linear-only network (None otherwise): it gives the epoch's
    matmul FLOPs (`epoch_flops`).
    """

    name: str
    description: str
    build: Callable  # build(lib) -> model
    input_shape: tuple
    batch: int
    samples: int
    quick_samples: int
    optimizer: tuple = SGD_MOMENTUM  # (class name in tidu.optim / torch.optim, kwargs)
    linear_shapes: tuple | None = None
    notes: tuple = field(default=())

    @property
    def optimizer_text(self) -> str:
        name, kwargs = self.optimizer
        return f"{name}(" + ", ".join(f"{k}={v:g}" for k, v in kwargs.items()) + ")"

    def sizes(self, quick: bool) -> int:
        return self.quick_samples if quick else self.samples


def _shapes(dims) -> tuple:
    return tuple(zip(dims[:-1], dims[1:]))


_MLP_SHAPES = _shapes(MLP_DIMS)
_RES_SHAPES = ((784, 128),) + ((128, 128),) * 20 + ((128, CLASSES),)

WORKLOADS: dict[str, Workload] = {w.name: w for w in (
    Workload("mlp", "MLP 784-256-256-10 ReLU", mlp, (784,), 128, 40_960, 512,
             linear_shapes=_MLP_SHAPES),
    Workload("mlp1024", "MLP 784-256-256-10 ReLU, large batch", mlp, (784,), 1024, 81_920,
             2_048, linear_shapes=_MLP_SHAPES),
    Workload("cnn", "CNN 2×[Conv 3×3 → ReLU → MaxPool 2] (1→16→32) → Linear(1568→10)", cnn,
             (1, 28, 28), 64, 4_096, 128, optimizer=ADAM),
    Workload("lstm", "LSTM input 16, hidden 128, 64 steps → Linear on the last output",
             lstm_net, (64, 16), 64, 2_048, 128, optimizer=ADAM),
    Workload("mlp_bn_dropout", "MLP 784-256-256-10, Linear → BatchNorm1d → ReLU → Dropout(0.5)",
             lambda lib: mlp(lib, bn_dropout=True), (784,), 128, 20_480, 256,
             linear_shapes=_MLP_SHAPES,
             notes=("dropout masks differ between the libraries (each draws its own)",)),
    Workload("resmlp20", "residual MLP: Linear(784→128), 20 × [x + Linear(ReLU(x))], "
             "Linear(128→10)", resmlp, (784,), 128, 10_240, 256, linear_shapes=_RES_SHAPES),
)}


def check_names(names) -> list:
    """The workload names to run (all when ``names`` is empty); a ValueError naming the
    unknown ones and listing the valid ones otherwise."""
    names = list(names) or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        raise ValueError(f"unknown workload{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown))}; choose from {', '.join(WORKLOADS)}")
    return list(dict.fromkeys(names))


def epoch_flops(workload: Workload, samples: int) -> int | None:
    """Matmul FLOPs of one training epoch of a Linear-only network, as both libraries do
    them: forward 2·N·Σ in·out, weight gradients 2·N·Σ in·out, input gradients 2·N·Σ in·out
    over every layer but the first (its input is the data: no gradient is computed), so
    6·N·Σ in·out − 2·N·in₁·out₁.  Biases, activations, BatchNorm, the loss and the
    optimizer are not counted; None for a model that is not Linear-only."""
    if workload.linear_shapes is None:
        return None
    (in1, out1), macs = workload.linear_shapes[0], sum(i * o for i, o in workload.linear_shapes)
    return samples * (6 * macs - 2 * in1 * out1)


# --------------------------------------------------------------------------- data
def synthetic(samples: int, shape: tuple, seed: int = 0):
    """Float32 inputs (standard normal) and int64 labels 0…9 from a fixed random linear
    teacher, so the task is learnable."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, *shape), dtype=np.float32)
    teacher = rng.standard_normal((int(np.prod(shape)), CLASSES), dtype=np.float32)
    y = (x.reshape(samples, -1) @ teacher).argmax(axis=1).astype(np.int64)
    return x, y


def batches(x: np.ndarray, y: np.ndarray, batch: int) -> list:
    """Consecutive (x, y) slices (views, no copy) of ``batch`` samples."""
    return [(x[i:i + batch], y[i:i + batch]) for i in range(0, len(x), batch)]


# --------------------------------------------------------------------------- building
def build_model(workload: Workload, lib: str, seed: int = 0):
    """``workload``'s model for ``lib``, initialized from ``seed``."""
    library(lib).manual_seed(seed)
    return workload.build(lib)


def make_optimizer(workload: Workload, lib: str, model):
    """``workload``'s optimizer (same class and hyper-parameters in both libraries)."""
    name, kwargs = workload.optimizer
    return getattr(library(lib).optim, name)(model.parameters(), **kwargs)


def copy_weights(ours, ref) -> None:
    """Load PyTorch model ``ref``'s state_dict (parameters and buffers) into tidu's ``ours``."""
    ours.load_state_dict({k: v.detach().cpu().numpy() for k, v in ref.state_dict().items()})


def build_pair(workload: Workload, seed: int = 0):
    """(tidu model, PyTorch model) starting from the same weights: PyTorch's initialization
    from ``seed``, copied into tidu."""
    ref = build_model(workload, "torch", seed)
    ours = build_model(workload, "tidu", seed)
    copy_weights(ours, ref)
    return ours, ref


def first_loss(workload: Workload, ours, ref, x: np.ndarray, y: np.ndarray) -> tuple:
    """Cross-entropy of both models on one batch, in eval mode (dropout off, BatchNorm on
    its running statistics), without training: equal when the weights are equal."""
    import torch

    import tidu
    from tidu.nn import functional as F

    ours.eval()
    ref.eval()
    with tidu.no_grad():
        loss_t = F.cross_entropy(ours(tidu.Tensor(x)), tidu.Tensor(y)).item()
    with torch.no_grad():
        loss_p = torch.nn.functional.cross_entropy(ref(torch.from_numpy(x)),
                                                   torch.from_numpy(y)).item()
    ours.train()
    ref.train()
    return float(loss_t), float(loss_p)
