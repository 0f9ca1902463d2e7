r"""The vocabulary of a diagnosis: `Finding` (one problem, its evidence and ranked remedies),
`Remedy` (the notes' remedies, each with how to apply it in tidu) and `KINDS`.

The rules that produce findings live beside this module: `rules_gradients` (from a
`GradientMonitor`: vanishing, exploding, saturation, dead ReLUs, non-finite values, stale
gradients), `rules_run` (from the loss curves: learning rate too high or too low,
overfitting, underfitting) and `rules_data` (from the inputs: unscaled features); `diagnose`
(module `diagnosis`) runs them and orders the findings.

Remedies come from the notes — 000 (重新设计网络模型, 使用ReLU, LSTM, 梯度裁剪, 权重正则化),
001/002/004 (预训练加微调, 梯度剪切、正则, 激活函数 ReLU/LeakyReLU, Batchnorm, 残差结构,
Xavier/He 初始化), 003 (Leaky ReLU against dead neurons, BN against saturation, 标准化) and
the bias/variance recipe of 000/001 (高偏差: 更大的网络, 训练更久; 高方差: 更多数据, 正则化,
dropout, 提前终止).
"""
from __future__ import annotations

from dataclasses import dataclass, field


__all__ = ["Finding", "Remedy", "REMEDIES", "KINDS"]


@dataclass(frozen=True)
class Remedy:
    """A remedy: ``key``, its English ``name``, the notes' Chinese ``term``, and ``how`` to
    apply it in tidu.  In a `Finding`, ``why`` says why it ranks where it does."""

    key: str
    name: str
    term: str
    how: str
    why: str = ""

    def __str__(self) -> str:
        why = f" — {self.why}" if self.why else ""
        return f"{self.name} ({self.term}){why}. In tidu: {self.how}"


REMEDIES = {r.key: r for r in (
    Remedy("relu", "Use ReLU-family activations (ReLU, Leaky ReLU, PReLU) in the hidden layers",
           "使用ReLU、Leaky ReLU等激活函数替代sigmoid",
           "nn.ReLU() / nn.LeakyReLU() / nn.PReLU() in place of nn.Sigmoid() / nn.Tanh()"),
    Remedy("he_init", "Xavier / He initialization", "权重初始化：Xavier / He 初始化",
           "nn.init.kaiming_normal_(layer.weight, nonlinearity='relu') for ReLU layers, "
           "nn.init.xavier_normal_(layer.weight) for tanh/sigmoid layers; biases nn.init.zeros_"),
    Remedy("batchnorm", "Batch normalization", "批正则化 / Batchnorm（BN）",
           "nn.BatchNorm1d(features) between each Linear and its activation "
           "(nn.BatchNorm2d after Conv2d)"),
    Remedy("residual", "Residual connections", "残差结构（捷径 shortcut）",
           "wrap blocks as nn.Residual(nn.Sequential(...)): y = x + f(x)"),
    Remedy("pretrain", "Pre-training + fine-tuning", "预训练加微调",
           "train layer by layer or start from a pre-trained model's state_dict "
           "(tidu.load), then fine-tune the whole network"),
    Remedy("lstm", "LSTM / gated recurrent units", "使用长短期记忆网络（LSTM）",
           "nn.LSTM or nn.GRU in place of nn.RNN"),
    Remedy("clipping", "Gradient clipping", "梯度裁剪 / 梯度剪切",
           "tidu.nn.utils.clip_grad_norm_(model.parameters(), 1.0) before optimizer.step(), "
           "or the optimizer's clipnorm=1.0 / clipvalue=0.5 (the notes' Keras settings)"),
    Remedy("weight_reg", "Weight regularization (L2 or L1 penalty)", "权重正则化",
           "callbacks=[tidu.train.Regularizer('l2', lam=1e-4)] in fit, or the optimizer's "
           "weight_decay="),
    Remedy("smaller_lr", "A smaller learning rate", "较小的学习率",
           "divide lr by 10 (tidu.diagnose.lr_find suggests one), or warm up with "
           "tidu.optim.lr_scheduler"),
    Remedy("redesign", "Redesign the network: fewer layers, smaller batches, truncated "
           "backpropagation through time for RNNs", "重新设计网络模型",
           "fewer/narrower nn.Sequential layers; a smaller batch_size in fit"),
    Remedy("leaky_relu", "Leaky ReLU / PReLU / ELU, which never output a constant zero",
           "Leaky ReLU、PReLU（解决神经元“死亡”问题）",
           "nn.LeakyReLU(0.01), nn.PReLU() or nn.ELU() in place of nn.ReLU()"),
    Remedy("standardize", "Standardize the inputs", "输入数据x的标准化",
           "tidu.data.StandardScaler().fit_transform(X) (zero mean, unit variance)"),
    Remedy("larger_lr", "A larger learning rate", "增大学习率",
           "multiply lr by 10 (tidu.diagnose.lr_find shows where the loss starts to fall fastest)"),
    Remedy("early_stopping", "Early stopping", "提前终止（early stopping）",
           "callbacks=[tidu.train.EarlyStopping(patience=5, restore_best_weights=True)] in fit"),
    Remedy("dropout", "Dropout", "Dropout（随机失活）",
           "nn.Dropout(0.5) after each hidden activation"),
    Remedy("more_data", "More training data or data augmentation", "增加数据 / 数据增强",
           "collect more samples, or tidu.data augmentation (flips, crops, noise)"),
    Remedy("wider", "A bigger model: wider (or deeper) hidden layers", "增大模型容量",
           "more units per nn.Linear (e.g. ×4) or more layers"),
    Remedy("train_longer", "Train longer", "训练更长时间",
           "more epochs (with a learning-rate schedule)"),
    Remedy("zero_grad", "Clear the gradients before every backward pass", "每步清零梯度",
           "optimizer.zero_grad() before loss.backward() (fit does it for you)"),
    Remedy("fix_data", "Remove or impute non-finite inputs and targets", "清洗数据中的 NaN/Inf",
           "X = X[np.isfinite(X).all(1)] or an imputer; check the targets too"),
    Remedy("stable_ops", "Numerically stable operations", "数值稳定的实现",
           "F.cross_entropy on logits instead of log(softmax(x)); log(x + eps) or "
           "F.log_softmax; clamp before exp/log"),
)}


def remedy_for(key: str, why: str) -> Remedy:
    """`REMEDIES[key]` with the reason it ranks where it does in this case."""
    base = REMEDIES[key]
    return Remedy(base.key, base.name, base.term, base.how, why)


TITLES = {
    "stale_gradients": "Stale gradients: a missing zero_grad (梯度累加未清零)",
    "unscaled_inputs": "Unscaled inputs (输入未归一化)",
    "lr_too_high": "Learning rate too high (学习率过大)",
    "exploding_gradients": "Exploding gradients (梯度爆炸)",
    "nonfinite": "Non-finite values (NaN/Inf)",
    "dead_relu": "Dead ReLU units (神经元“死亡”)",
    "saturation": "Saturated activations (激活函数饱和)",
    "vanishing_gradients": "Vanishing gradients (梯度消失)",
    "lr_too_low": "Learning rate too low (学习率过小)",
    "underfitting": "Underfitting: high bias (欠拟合, 高偏差)",
    "overfitting": "Overfitting: high variance (过拟合, 高方差)",
}
KINDS = tuple(TITLES)
"""Every kind of finding, in the order of `rank`: a cause before the symptoms it produces."""


@dataclass
class Finding:
    """One problem: ``kind`` (one of `KINDS`), a one-line ``summary``, the ``layers``
    concerned, ``evidence`` (named numbers), ``remedies`` (`Remedy`, best first for this
    case), the training ``step`` where it was first seen — or the ``epoch``, for a finding
    read from the per-epoch curves (None: the whole run) — and a ``severity`` (how far past
    its threshold, ≥ 1; used to order findings of the same rank)."""

    kind: str
    summary: str
    layers: list
    evidence: dict
    remedies: list = field(default_factory=list)
    step: int | None = None
    severity: float = 1.0
    epoch: int | None = None

    @property
    def title(self) -> str:
        return TITLES.get(self.kind, self.kind)

    def __str__(self) -> str:
        lines = [f"{self.title}: {self.summary}"]
        if self.layers:
            lines.append(f"  layers: {', '.join(self.layers)}")
        for name, value in self.evidence.items():
            lines.append(f"  {name}: {_fmt(value)}")
        lines.append("  remedies, best first for this case:")
        for i, r in enumerate(self.remedies, 1):
            lines.append(f"    {i}. {r}")
        return "\n".join(lines)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)
