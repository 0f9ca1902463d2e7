"""Layers, losses and initializers, shaped like torch.nn."""
from . import functional, init, utils
from .modules import *  # noqa: F401,F403
from .modules import (Flatten, Identity, Linear, Module, ModuleDict, ModuleList, ParameterDict,
                      ParameterList, Residual, Sequential)
from .parameter import Parameter
