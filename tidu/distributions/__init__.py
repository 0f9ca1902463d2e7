"""Probability distributions (as torch.distributions): parameters as tensors or numbers,
``sample``/``rsample``, ``log_prob``, ``entropy``, moments, and `kl_divergence`, with
gradients to the parameters through every differentiable quantity."""
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .independent import Independent
from .kl import kl_divergence, register_kl
from .normal import Normal
from .uniform import Uniform

__all__ = ["Distribution", "Normal", "Categorical", "Bernoulli", "Uniform", "Independent",
           "kl_divergence", "register_kl", "constraints"]
