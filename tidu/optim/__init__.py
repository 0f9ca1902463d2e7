"""Optimizers (as torch.optim), learning-rate schedules (``tidu.optim.lr_scheduler``) and weight
averaging (``tidu.optim.swa_utils``)."""
from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW, NAdam
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "NAdam",
           "LBFGS", "Adamax", "RAdam", "Rprop", "ASGD", "lr_scheduler", "swa_utils"]
