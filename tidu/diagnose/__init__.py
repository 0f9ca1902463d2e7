"""Diagnosis of a model and its training: gradient checks, gradient flow, a whole-run
checkup with findings and verified remedies, bias/variance, stationary points, sharpness,
learning-rate finder and learning curves (the notes' C4)."""
from .bias_variance import *  # noqa: F401,F403
from .checkup import *  # noqa: F401,F403
from .curves import *  # noqa: F401,F403
from .diagnosis import *  # noqa: F401,F403
from .findings import *  # noqa: F401,F403
from .gradcheck import *  # noqa: F401,F403
from .hessian import *  # noqa: F401,F403
from .lr_find import *  # noqa: F401,F403
from .monitor import *  # noqa: F401,F403
from .plots import *  # noqa: F401,F403
from .sharpness import *  # noqa: F401,F403
from .verify import *  # noqa: F401,F403
