"""What `tidu bench` trains: the model pairs, their optimizers and their synthetic data.

Every model is written once against the shared torch.nn-shaped API and built twice — with
``tidu.nn`` and with ``torch.nn`` — so both libraries get the same layers in the same order
and the same state_dict keys; `build_pair` then copies PyTorch's initial weights into tidu.
The data is float32 inputs with labels 0…9 from a fixed random linear teacher (learnable);
a workload that declares ``vocab`` (the character GRU) gets int64 token indices instead, with
labels from a fixed random linear teacher of the sequence's character counts (`tokens`).
The loss is cross-entropy everywhere.  `variant` gives a workload at another batch size,
samples per epoch or (MLPs) hidden width: what `tidu bench --scaling` measures.

Neither library is imported here at module level: `WORKLOADS` (the names, the sizes, the
FLOP count) is available without PyTorch, and a memory-measuring subprocess that trains
only tidu never loads PyTorch.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

CLASSES = 10
MLP_DIMS = (784, 256, 256, 10)
WIDE_MLP_DIMS = (784, 2048, 2048, 10)
CHARS, EMBED, GRU_HIDDEN, GRU_LAYERS, SEQ_LEN = 64, 32, 128, 2, 64
RESNET_CHANNELS = (16, 32, 64)
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


def basic_block(lib: str, c_in: int, c_out: int, stride: int = 1):
    """A ResNet basic block: ReLU(BN(Conv3×3(ReLU(BN(Conv3×3(x))))) + shortcut(x)), the
    shortcut a 1×1 Conv (stride ``stride``) + BN when the shape changes, else x.  One class
    for both libraries (built on ``lib``'s ``nn.Module``), so the state_dict keys match."""
    nn = _nn(lib)

    class BasicBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c_out)
            self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(c_out)
            self.relu = nn.ReLU()
            self.shortcut = (nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                           nn.BatchNorm2d(c_out))
                             if stride != 1 or c_in != c_out else None)

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            skip = x if self.shortcut is None else self.shortcut(x)
            return self.relu(out + skip)

    return BasicBlock()


def resnet8(lib: str, channels=RESNET_CHANNELS):
    """CIFAR-sized ResNet-8: Conv3×3(3→16) → BN → ReLU, three stages of one basic block
    (16, 32, 64 channels; stride 2 with a 1×1 Conv + BN shortcut in stages 2 and 3),
    global average pooling, Linear(64 → 10).  8 weighted layers: 1 + 3·2 convs + 1 Linear."""
    nn = _nn(lib)
    stages, c_in = [], channels[0]
    for i, c_out in enumerate(channels):
        stages.append(basic_block(lib, c_in, c_out, stride=1 if i == 0 else 2))
        c_in = c_out
    return nn.Sequential(nn.Conv2d(3, channels[0], 3, padding=1, bias=False),
                         nn.BatchNorm2d(channels[0]), nn.ReLU(), *stages,
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, CLASSES))


def char_gru(lib: str, chars: int = CHARS, embed: int = EMBED, hidden: int = GRU_HIDDEN,
             layers: int = GRU_LAYERS):
    """Embedding(chars → embed) → GRU(embed, hidden, layers, batch_first) → Linear(hidden →
    10) on the last step's output: a character-sequence classifier (int64 token input)."""
    nn = _nn(lib)

    class CharGRU(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(chars, embed)
            self.gru = nn.GRU(embed, hidden, num_layers=layers, batch_first=True)
            self.fc = nn.Linear(hidden, CLASSES)

        def forward(self, x):
            out, _ = self.gru(self.embed(x))
            return self.fc(out[:, -1])

    return CharGRU()


# --------------------------------------------------------------------------- the workloads
@dataclass(frozen=True)
class Workload:
    """One benchmark: a model (built for either library), its optimizer, its data sizes.

    ``samples`` per epoch is chosen so one PyTorch epoch takes roughly 0.2–1 s on 2 cores;
    ``quick_samples`` is for smoke runs and tests.  ``linear_shapes`` lists the (in, out)
    of every Linear layer of a Linear-only network (None otherwise): it gives the epoch's
    matmul FLOPs (`epoch_flops`).  ``vocab`` set means the inputs are int64 token indices
    below it (``input_shape`` = the sequence length) instead of float32 vectors.
    ``resize(width)`` (MLPs only) returns the (build, linear_shapes) of the same network
    with every hidden layer ``width`` wide; ``width`` is the hidden width of a `variant`.
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
    vocab: int | None = None
    resize: Callable | None = None
    width: int | None = None

    @property
    def optimizer_text(self) -> str:
        name, kwargs = self.optimizer
        return f"{name}(" + ", ".join(f"{k}={v:g}" for k, v in kwargs.items()) + ")"

    def sizes(self, quick: bool) -> int:
        return self.quick_samples if quick else self.samples


def _shapes(dims) -> tuple:
    return tuple(zip(dims[:-1], dims[1:]))


def _mlp_resizer(bn_dropout: bool = False):
    """``resize`` of a 784-w-w-10 MLP: (build, linear_shapes) at hidden width w."""
    def resize(width: int):
        dims = (MLP_DIMS[0], width, width, CLASSES)
        return functools.partial(mlp, dims=dims, bn_dropout=bn_dropout), _shapes(dims)
    return resize


def _res_shapes(width: int, depth: int = 20) -> tuple:
    return ((784, width),) + ((width, width),) * depth + ((width, CLASSES),)


def _resmlp_resize(width: int):
    """``resize`` of the residual MLP: (build, linear_shapes) at width ``width``."""
    return functools.partial(resmlp, width=width), _res_shapes(width)


_MLP_SHAPES = _shapes(MLP_DIMS)
# Samples per epoch of the new workloads, for ~0.3–1 s PyTorch epochs on 2 cores (estimated
# from short PyTorch-only timings on a loaded machine, scaled by the cnn and mlp reference
# epochs, and for mlp2048 from its matmul FLOPs at ~200 GFLOP/s).
RESNET_SAMPLES, GRU_SAMPLES, MLP2048_SAMPLES = 1_536, 1_024, 4_096
_RES_SHAPES = _res_shapes(128)

WORKLOADS: dict[str, Workload] = {w.name: w for w in (
    Workload("mlp", "MLP 784-256-256-10 ReLU", mlp, (784,), 128, 40_960, 512,
             linear_shapes=_MLP_SHAPES, resize=_mlp_resizer(), width=256),
    Workload("mlp1024", "MLP 784-256-256-10 ReLU, large batch", mlp, (784,), 1024, 81_920,
             2_048, linear_shapes=_MLP_SHAPES, resize=_mlp_resizer(), width=256),
    Workload("cnn", "CNN 2×[Conv 3×3 → ReLU → MaxPool 2] (1→16→32) → Linear(1568→10)", cnn,
             (1, 28, 28), 64, 4_096, 128, optimizer=ADAM),
    Workload("lstm", "LSTM input 16, hidden 128, 64 steps → Linear on the last output",
             lstm_net, (64, 16), 64, 2_048, 128, optimizer=ADAM),
    Workload("mlp_bn_dropout", "MLP 784-256-256-10, Linear → BatchNorm1d → ReLU → Dropout(0.5)",
             lambda lib: mlp(lib, bn_dropout=True), (784,), 128, 20_480, 256,
             linear_shapes=_MLP_SHAPES, resize=_mlp_resizer(bn_dropout=True), width=256,
             notes=("dropout masks differ between the libraries (each draws its own)",)),
    Workload("resmlp20", "residual MLP: Linear(784→128), 20 × [x + Linear(ReLU(x))], "
             "Linear(128→10)", resmlp, (784,), 128, 10_240, 256, linear_shapes=_RES_SHAPES,
             resize=_resmlp_resize, width=128),
    Workload("resnet8", "ResNet-8 on 3×32×32: Conv 3×3 (3→16) → BN → ReLU, 3 stages of one "
             "basic block (16/32/64 channels, stride 2 + 1×1 Conv/BN shortcut at stages 2 "
             "and 3), global average pool → Linear(64→10)", resnet8, (3, 32, 32), 64,
             RESNET_SAMPLES, 128),
    Workload("gru2", f"character GRU: Embedding({CHARS}→{EMBED}) → GRU({EMBED}, "
             f"{GRU_HIDDEN}, {GRU_LAYERS} layers) over {SEQ_LEN} steps → Linear on the last "
             f"output", char_gru, (SEQ_LEN,), 64, GRU_SAMPLES, 128, optimizer=ADAM,
             vocab=CHARS,
             notes=("int64 character inputs; labels from a fixed random linear teacher of "
                    "each sequence's character counts",)),
    Workload("mlp2048", "MLP 784-2048-2048-10 ReLU", functools.partial(mlp, dims=WIDE_MLP_DIMS),
             (784,), 128, MLP2048_SAMPLES, 512, linear_shapes=_shapes(WIDE_MLP_DIMS),
             resize=_mlp_resizer(), width=2048),
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


def variant(workload: Workload, batch: int | None = None, width: int | None = None,
            samples: int | None = None) -> Workload:
    """``workload`` with another batch size, hidden ``width`` (workloads with ``resize``
    only) or samples per epoch (then used in quick mode too); None keeps what it has.
    The name stays, so a memory subprocess can rebuild the variant from it."""
    for arg, value in (("batch", batch), ("width", width), ("samples", samples)):
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ValueError(f"variant: {arg} must be a positive int, got {value!r}")
    changes = {}
    if batch is not None:
        changes["batch"] = batch
    if samples is not None:
        changes["samples"] = changes["quick_samples"] = samples
    if width is not None and width != workload.width:
        if workload.resize is None:
            raise ValueError(f"variant: workload {workload.name!r} has no hidden width to "
                             f"change (only MLPs do), got width={width}")
        build, shapes = workload.resize(width)
        changes.update(build=build, linear_shapes=shapes, width=width,
                       description=f"{workload.description} at hidden width {width}")
    return replace(workload, **changes) if changes else workload


# --------------------------------------------------------------------------- data
def synthetic(samples: int, shape: tuple, seed: int = 0):
    """Float32 inputs (standard normal) and int64 labels 0…9 from a fixed random linear
    teacher, so the task is learnable."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, *shape), dtype=np.float32)
    teacher = rng.standard_normal((int(np.prod(shape)), CLASSES), dtype=np.float32)
    y = (x.reshape(samples, -1) @ teacher).argmax(axis=1).astype(np.int64)
    return x, y


def tokens(samples: int, length: int, vocab: int, seed: int = 0):
    """Int64 token sequences (uniform over ``vocab``) of ``length`` and int64 labels 0…9:
    the argmax of a fixed random linear teacher applied to each sequence's character
    counts (a bag of characters), so the label is learnable from the sequence."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, vocab, size=(samples, length), dtype=np.int64)
    teacher = rng.standard_normal((vocab, CLASSES))
    counts = np.zeros((samples, vocab))
    np.add.at(counts, (np.arange(samples)[:, None], x), 1.0)
    y = (counts @ teacher).argmax(axis=1).astype(np.int64)
    return x, y


def workload_data(workload: Workload, samples: int, seed: int = 0):
    """``workload``'s synthetic (inputs, labels): `tokens` for a workload with a ``vocab``,
    `synthetic` float32 vectors otherwise."""
    if workload.vocab is not None:
        return tokens(samples, workload.input_shape[0], workload.vocab, seed)
    return synthetic(samples, workload.input_shape, seed)


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
