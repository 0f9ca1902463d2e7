"""Layers refuse impossible sizes when they are built, with one `ArgumentError` naming the
layer, the argument and the value (never NumPy's "negative dimensions are not allowed");
`load_state_dict` refuses what is not a mapping of numeric arrays."""
import numpy as np
import pytest

from tidu import nn
from tidu.errors import ArgumentError, StateDictError

BAD_LAYERS = {
    # layer(args): (builder, argument named)
    "Linear(-1, 5)": (lambda: nn.Linear(-1, 5), "in_features"),
    "Linear(2, -3)": (lambda: nn.Linear(2, -3), "out_features"),
    "Linear(2.5, 3)": (lambda: nn.Linear(2.5, 3), "in_features"),
    "Linear('4', 3)": (lambda: nn.Linear("4", 3), "in_features"),
    "Conv2d(3, 0, 3)": (lambda: nn.Conv2d(3, 0, 3), "out_channels"),
    "Conv2d(-1, 4, 3)": (lambda: nn.Conv2d(-1, 4, 3), "in_channels"),
    "Conv2d(3, 4, 0)": (lambda: nn.Conv2d(3, 4, 0), "kernel_size"),
    "Conv2d stride 0": (lambda: nn.Conv2d(3, 4, 3, stride=0), "stride"),
    "Conv2d padding -1": (lambda: nn.Conv2d(3, 4, 3, padding=-1), "padding"),
    "BatchNorm1d(0)": (lambda: nn.BatchNorm1d(0), "num_features"),
    "BatchNorm2d(-4)": (lambda: nn.BatchNorm2d(-4), "num_features"),
    "BatchNorm1d eps nan": (lambda: nn.BatchNorm1d(4, eps=float("nan")), "eps"),
    "BatchNorm1d momentum 2": (lambda: nn.BatchNorm1d(4, momentum=2.0), "momentum"),
    "LayerNorm(-3)": (lambda: nn.LayerNorm(-3), "normalized_shape"),
    "LayerNorm((4, 0))": (lambda: nn.LayerNorm((4, 0)), "normalized_shape"),
    "Embedding(0, 3)": (lambda: nn.Embedding(0, 3), "num_embeddings"),
    "Embedding(5, -1)": (lambda: nn.Embedding(5, -1), "embedding_dim"),
    "MaxPool2d(0)": (lambda: nn.MaxPool2d(0), "kernel_size"),
    "MaxPool2d stride -1": (lambda: nn.MaxPool2d(2, stride=-1), "stride"),
    "AvgPool2d(2, padding=2)": (lambda: nn.AvgPool2d(2, padding=2), "padding"),
    "RNN(0, 3)": (lambda: nn.RNN(0, 3), "input_size"),
    "LSTM(3, -2)": (lambda: nn.LSTM(3, -2), "hidden_size"),
    "GRU num_layers 0": (lambda: nn.GRU(3, 3, num_layers=0), "num_layers"),
    "RNN dropout 1.5": (lambda: nn.RNN(3, 3, dropout=1.5), "dropout"),
    "PReLU(0)": (lambda: nn.PReLU(0), "num_parameters"),
    "Maxout pool 0": (lambda: nn.Maxout(3, 2, 0), "pool_size"),
    "Maxout(3, -2, 2)": (lambda: nn.Maxout(3, -2, 2), "out_features"),
    "Dropout(1.5)": (lambda: nn.Dropout(1.5), "p=1.5"),
    "Dropout(nan)": (lambda: nn.Dropout(float("nan")), "p=nan"),
}


@pytest.mark.parametrize("case", BAD_LAYERS)
def test_impossible_layer_arguments_are_refused_when_built(case):
    build, argument = BAD_LAYERS[case]
    layer = case.split("(")[0].split(" ")[0]
    with pytest.raises(ArgumentError) as info:
        build()
    message = str(info.value)
    assert message.startswith(layer) and argument in message, message


def test_zero_sized_linear_is_allowed_as_in_pytorch():
    assert nn.Linear(0, 3).weight.shape == (3, 0)


NOT_STATE_DICTS = {
    "list": [1, 2],
    "array": np.ones(3),
    "string": "model.npz",
    "none": None,
    "tuple of pairs": (("weight", np.ones((3, 2))),),
}


@pytest.mark.parametrize("case", NOT_STATE_DICTS)
def test_load_state_dict_refuses_a_non_mapping(case):
    with pytest.raises(StateDictError, match=r"load_state_dict into Linear: expected a mapping"):
        nn.Linear(2, 3).load_state_dict(NOT_STATE_DICTS[case])


def test_load_state_dict_refuses_non_numeric_values_by_key():
    model = nn.Linear(2, 3)
    state = {"weight": np.full((3, 2), "x"), "bias": np.zeros(3)}
    with pytest.raises(StateDictError, match=r"weight: model float32 values, given dtype <U1"):
        model.load_state_dict(state)
