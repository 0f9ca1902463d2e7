"""Probability distributions (as torch.distributions): parameters as tensors or numbers,
``sample``/``rsample``, ``log_prob``, ``entropy``, moments, and `kl_divergence`, with
gradients to the parameters through every differentiable quantity."""
from . import constraints, constraints_extra
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .cauchy import Cauchy
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .poisson import Poisson
from .student_t import StudentT
from .uniform import Uniform
from . import kl_families  # importing registers the closed-form KLs of the families above

# torch.distributions.constraints names for the families above, until constraints.py holds them
del kl_families
for _name in constraints_extra.__all__:
    if not hasattr(constraints, _name):
        setattr(constraints, _name, getattr(constraints_extra, _name))

__all__ = ["Distribution", "Normal", "Categorical", "Bernoulli", "Uniform", "Independent",
           "Exponential", "Laplace", "Gamma", "Beta", "Poisson", "LogNormal", "HalfNormal",
           "StudentT", "Dirichlet", "MultivariateNormal", "Binomial", "Geometric",
           "OneHotCategorical", "Cauchy", "Gumbel", "kl_divergence", "register_kl",
           "constraints"]
