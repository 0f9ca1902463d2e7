"""KL divergence between distributions, dispatched on the pair of types."""
from __future__ import annotations

import math

from ..tensor import Tensor
from ..ops.elementwise import where
from .bernoulli import Bernoulli, _softplus
from .categorical import Categorical
from .distribution import Distribution
from .independent import Independent, _sum_rightmost
from .normal import Normal
from .uniform import Uniform

_KL_REGISTRY: dict = {}


def register_kl(type_p, type_q):
    """Decorator registering ``fn(p, q)`` as KL(p ‖ q) for ``p`` of ``type_p`` and ``q`` of
    ``type_q`` (subclasses included; the most specific registered pair wins)::

        @register_kl(Normal, Normal)
        def kl_normal_normal(p, q): ...
    """
    for name, cls in (("type_p", type_p), ("type_q", type_q)):
        if not (isinstance(cls, type) and issubclass(cls, Distribution)):
            raise TypeError(f"Expected {name} to be a Distribution subclass but got {cls}")

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        return fn

    return decorator


def _dispatch(type_p, type_q):
    matches = [(tp, tq) for tp, tq in _KL_REGISTRY
               if issubclass(type_p, tp) and issubclass(type_q, tq)]
    if not matches:
        return None
    # nearest ancestors first: position in each type's method resolution order
    best = min(matches, key=lambda pair: (type_p.__mro__.index(pair[0]),
                                          type_q.__mro__.index(pair[1])))
    return _KL_REGISTRY[best]


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p ‖ q) = E_p[log p(X) − log q(X)], one entry per element of the broadcast batch,
    by the closed form registered for the pair; NotImplementedError when none is."""
    fn = _dispatch(type(p), type(q))
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p of type "
                                  f"{type(p).__name__} and q of type {type(q).__name__}")
    return fn(p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    """½·(σp²/σq² + (μp − μq)²/σq² − 1 − log(σp²/σq²))."""
    var_ratio = (p.scale / q.scale).pow(2)
    mean_term = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + mean_term - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    """Σ_k p_k·(log p_k − log q_k); +inf where q_k = 0 < p_k, terms with p_k = 0 are 0."""
    terms = p.probs * (p.logits - q.logits)
    terms = where(q.probs._data == 0, math.inf, terms)
    terms = where(p.probs._data == 0, 0.0, terms)
    return terms.sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    """p·log(p/q) + (1 − p)·log((1 − p)/(1 − q)), in logits via softplus."""
    ones = p.probs * (_softplus(-q.logits) - _softplus(-p.logits))
    ones = where(q.probs._data == 0, math.inf, ones)
    ones = where(p.probs._data == 0, 0.0, ones)
    zeros = (1 - p.probs) * (_softplus(q.logits) - _softplus(p.logits))
    zeros = where(q.probs._data == 1, math.inf, zeros)
    zeros = where(p.probs._data == 1, 0.0, zeros)
    return ones + zeros


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    """log((high_q − low_q)/(high_p − low_p)), +inf unless [low_p, high_p) ⊆ [low_q, high_q)."""
    result = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (q.low._data > p.low._data) | (q.high._data < p.high._data)
    return where(outside, math.inf, result)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    """Σ over the reinterpreted dims of KL(p.base ‖ q.base)."""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("KL(Independent || Independent) needs the same "
                                  "reinterpreted_batch_ndims, got "
                                  f"{p.reinterpreted_batch_ndims} and {q.reinterpreted_batch_ndims}")
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)
