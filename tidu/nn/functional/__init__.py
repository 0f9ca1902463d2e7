"""Stateless functions behind the layers and losses (as torch.nn.functional)."""
from .activation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .embedding_bag import *  # noqa: F401,F403
from .encoding import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .group_norm import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .conv_transpose import *  # noqa: F401,F403
from .multilabel_soft_margin import *  # noqa: F401,F403
