"""nn.utils.fusion: the folded layer equals conv/linear followed by eval-mode batch norm,
and its weights equal torch's fuse_*_bn_eval."""
import numpy as np
import pytest
import torch
from torch.nn.utils import fusion as tfusion

import tidu
import tidu.nn as nn
from tidu.nn.utils import fusion
from tests.oracle import assert_close, copy_torch_weights

rng = np.random.default_rng(2)


def _trained_bn(lib_bn, x):
    lib_bn.train()
    lib_bn(x)  # running statistics that are not the defaults
    lib_bn.eval()


@pytest.mark.parametrize("bias", [True, False])
def test_conv_bn(bias):
    x = rng.normal(1.0, 2.0, (4, 3, 6, 6))
    tconv, tbn = torch.nn.Conv2d(3, 5, 3, bias=bias), torch.nn.BatchNorm2d(5)
    with torch.no_grad():
        tbn.weight.uniform_(0.5, 2.0)
        tbn.bias.uniform_(-1.0, 1.0)
    conv, bn = nn.Conv2d(3, 5, 3, bias=bias), nn.BatchNorm2d(5)
    copy_torch_weights(conv, tconv)
    copy_torch_weights(bn, tbn)
    _trained_bn(tbn, tconv(torch.tensor(x)))
    _trained_bn(bn, conv(tidu.tensor(x)))
    conv.eval(), tconv.eval()
    fused, tfused = fusion.fuse_conv_bn_eval(conv, bn), tfusion.fuse_conv_bn_eval(tconv, tbn)
    assert_close(fused.weight, tfused.weight, "weight", rtol=1e-12)
    assert_close(fused.bias, tfused.bias, "bias", rtol=1e-12)
    assert_close(fused(tidu.tensor(x)), bn(conv(tidu.tensor(x))), "fused forward", rtol=1e-10)


def test_linear_bn_and_refusals():
    x = rng.normal(size=(8, 4))
    lin, bn = nn.Linear(4, 3).double(), nn.BatchNorm1d(3).double()
    _trained_bn(bn, lin(tidu.tensor(x)))
    lin.eval()
    fused = fusion.fuse_linear_bn_eval(lin, bn)
    assert_close(fused(tidu.tensor(x)), bn(lin(tidu.tensor(x))), "fused forward", rtol=1e-10)
    with pytest.raises(ValueError, match="fusion only for eval"):
        fusion.fuse_conv_bn_eval(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
