"""Containers accept Module instances only: a class (a forgotten ``()``), a function, a
tensor or a number is refused with its position and type — never silently left out of the
model (``nn.Sequential(nn.Linear(2, 3), nn.ReLU, nn.Linear(3, 1))`` used to lose the ReLU)."""
from collections import OrderedDict

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.errors import ArgumentError

NOT_MODULES = {
    "class": (nn.ReLU, "the class ReLU (an instance is needed: ReLU())"),
    "class_linear": (nn.Linear, "the class Linear"),
    "function": (nn.functional.relu, "function"),
    "lambda": (lambda x: x, "function"),
    "tensor": (tidu.Tensor(np.ones(2)), "Tensor"),
    "array": (np.ones(2), "ndarray"),
    "number": (3, "int 3"),
    "string": ("relu", "str 'relu'"),
    "none": (None, "NoneType"),
    "list": ([nn.ReLU()], "list"),
}
BUILDERS = {
    "Sequential": (lambda bad: nn.Sequential(nn.Linear(2, 3), bad, nn.Linear(3, 1)),
                   "the layer at position 1"),
    "Sequential_dict": (lambda bad: nn.Sequential(OrderedDict(fc=nn.Linear(2, 3), act=bad)),
                        "the layer named 'act'"),
    "Sequential.append": (lambda bad: nn.Sequential(nn.Linear(2, 3)).append(bad),
                          "the layer appended at position 1"),
    "Residual": (lambda bad: nn.Residual(bad), "the wrapped block fn"),
}


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize("item", NOT_MODULES)
def test_containers_refuse_anything_but_module_instances(builder, item):
    build, where = BUILDERS[builder]
    bad, kind = NOT_MODULES[item]
    with pytest.raises(ArgumentError) as info:
        build(bad)
    message = str(info.value)
    assert where in message and kind in message, message
    assert message.startswith(builder.split("_")[0].split(".")[0])


@pytest.mark.parametrize("item", ["class", "number"])
def test_add_module_refuses_non_modules(item):
    with pytest.raises(ArgumentError, match="child 'act' must be a Module instance"):
        nn.Linear(2, 2).add_module("act", NOT_MODULES[item][0])


def test_valid_containers_keep_every_layer():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    model.append(nn.Sigmoid())
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "Sigmoid"]
    assert len(nn.Residual(nn.Sequential(nn.Linear(2, 2), nn.Tanh())).fn) == 2
