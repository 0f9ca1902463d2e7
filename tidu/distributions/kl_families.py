"""Closed-form KL(p ‖ q) for same-family pairs of the added distributions, registered
with `register_kl` (importing this module registers them)."""
from __future__ import annotations

import math

import numpy as np

from .. import linalg
from ..ops.elementwise import where
from .beta import Beta
from .binomial import Binomial
from .cauchy import Cauchy
from .dirichlet import Dirichlet
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .gumbel import Gumbel, _EULER
from .half_normal import HalfNormal
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal, _batch_mahalanobis
from .one_hot_categorical import OneHotCategorical
from .poisson import Poisson


@register_kl(Exponential, Exponential)
def _kl_exponential(p, q):
    """r − log r − 1 with r = λq/λp."""
    ratio = q.rate / p.rate
    return ratio - ratio.log() - 1


@register_kl(Gamma, Gamma)
def _kl_gamma(p, q):
    """αq·log(βp/βq) + log Γ(αq) − log Γ(αp) + (αp − αq)ψ(αp) + (βq − βp)·αp/βp."""
    ap, bp, aq, bq = p.concentration, p.rate, q.concentration, q.rate
    return (aq * (bp / bq).log() + aq.lgamma() - ap.lgamma() + (ap - aq) * ap.digamma()
            + (bq - bp) * (ap / bp))


def _kl_dirichlet_terms(ap, aq, dim_sum):
    """KL of Dirichlets with concentrations ap, aq; ``dim_sum`` sums over the last axis."""
    sp, sq = dim_sum(ap), dim_sum(aq)
    return (sp.lgamma() - sq.lgamma() - dim_sum(ap.lgamma() - aq.lgamma())
            + dim_sum((ap - aq) * (ap.digamma() - sp.digamma().unsqueeze(-1))))


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet(p, q):
    """log Γ(Σαp) − log Γ(Σαq) − Σ(log Γ(αp) − log Γ(αq)) + Σ(αp − αq)(ψ(αp) − ψ(Σαp))."""
    return _kl_dirichlet_terms(p.concentration, q.concentration, lambda t: t.sum(-1))


@register_kl(Beta, Beta)
def _kl_beta(p, q):
    """The Dirichlet KL over the two concentrations (α, β)."""
    ap, bp, aq, bq = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    sp, sq = ap + bp, aq + bq
    return (sp.lgamma() - sq.lgamma() - (ap.lgamma() + bp.lgamma() - aq.lgamma() - bq.lgamma())
            + (ap - aq) * (ap.digamma() - sp.digamma()) + (bp - bq) * (bp.digamma() - sp.digamma()))


@register_kl(Laplace, Laplace)
def _kl_laplace(p, q):
    """−log(bp/bq) + |μp − μq|/bq + (bp/bq)·e^(−|μp − μq|/bp) − 1."""
    ratio = p.scale / q.scale
    gap = (p.loc - q.loc).abs()
    return -ratio.log() + gap / q.scale + ratio * (-gap / p.scale).exp() - 1


@register_kl(Poisson, Poisson)
def _kl_poisson(p, q):
    """λp·(log λp − log λq) − (λp − λq); +inf where λq = 0 < λp, and λq where λp = 0 (PyTorch
    gives NaN there, from 0·log 0)."""
    result = p.rate.xlogy(p.rate) - p.rate.xlogy(q.rate) - (p.rate - q.rate)
    return where((q.rate._data == 0) & (p.rate._data > 0), math.inf, result)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn(p, q):
    """½(tr(Σq⁻¹Σp) + (μq − μp)ᵀΣq⁻¹(μq − μp) − n) + log|Lq| − log|Lp|."""
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different "
                         "event shapes cannot be computed")
    n = p.event_shape[0]
    lp, lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    shape = tuple(np.broadcast_shapes(lp.shape, lq.shape))
    trace = linalg.solve_triangular(lq.expand(*shape), lp.expand(*shape), upper=False)
    trace = trace.pow(2).sum((-2, -1))
    maha = _batch_mahalanobis(lq, q.loc - p.loc)
    half_log_det = q._half_log_det() - p._half_log_det()
    return half_log_det + 0.5 * (trace + maha - n)


@register_kl(LogNormal, LogNormal)
def _kl_lognormal(p, q):
    """The KL of the underlying normals."""
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal(p, q):
    """½(σp²/σq² − 1 − log(σp²/σq²))."""
    ratio = (p.scale / q.scale).pow(2)
    return 0.5 * (ratio - 1 - ratio.log())


@register_kl(Cauchy, Cauchy)
def _kl_cauchy(p, q):
    """log(((γp + γq)² + (x₀p − x₀q)²) / (4γpγq))."""
    return (((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log()
            - (4 * p.scale * q.scale).log())


@register_kl(Gumbel, Gumbel)
def _kl_gumbel(p, q):
    """log(βq/βp) + (μp − μq)/βq + γ(βp/βq − 1) + e^((μq − μp)/βq)·Γ(βp/βq + 1) − 1."""
    ct1 = p.scale / q.scale
    ct2 = q.loc / q.scale
    ct3 = p.loc / q.scale
    t1 = -ct1.log() - ct2 + ct3
    t2 = ct1 * _EULER
    t3 = (ct2 + (1 + ct1).lgamma() - ct3).exp()
    return t1 + t2 + t3 - (1 + _EULER)


@register_kl(Geometric, Geometric)
def _kl_geometric(p, q):
    """−H(p) − log(1 − q)/p − logit(q)."""
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(Binomial, Binomial)
def _kl_binomial(p, q):
    """n·(p·(log p − log q) + (1 − p)·(log(1 − p) − log(1 − q))), same n only."""
    if (p.total_count._data != q.total_count._data).any():
        raise NotImplementedError("KL between Binomials where q.total_count > p.total_count "
                                  "is not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits)
                          + (-p.probs).log1p() - (-q.probs).log1p())
    return kl


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot(p, q):
    """The KL of the underlying categoricals."""
    return kl_divergence(p._categorical, q._categorical)
