from .activation import *  # noqa: F401,F403
from .container import (ModuleDict, ModuleList, ParameterDict, ParameterList, Residual,
                        Sequential)
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
from .linear import Flatten, Identity, Linear, Unflatten
from .loss import *  # noqa: F401,F403
from .module import Module
from .normalization import *  # noqa: F401,F403
from .group_norm import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .conv_transpose import *  # noqa: F401,F403
from .multilabel_soft_margin import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .shuffle import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .shrink import *  # noqa: F401,F403
from .bilinear import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .hinge_embedding import *  # noqa: F401,F403
from .norm_extra import *  # noqa: F401,F403
from .unpool_lp import *  # noqa: F401,F403
from .dropout_extra import *  # noqa: F401,F403
from .margin_losses import *  # noqa: F401,F403
from .transformer_decoder import *  # noqa: F401,F403
