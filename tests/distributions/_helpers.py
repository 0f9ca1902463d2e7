"""Shared inputs for the distribution-family tests."""
import numpy as np


def rng(seed=0):
    return np.random.default_rng(seed)


def positive(shape, seed=0, low=0.5, high=2.0):
    return rng(seed).uniform(low, high, shape)


def within_se(samples, mean, var, k=5.0):
    """Sample mean within k standard errors of ``mean`` (per batch element)."""
    n = samples.shape[0]
    se = np.sqrt(var / n)
    assert np.all(np.abs(samples.mean(0) - mean) < k * se + 1e-12), (samples.mean(0), mean)
