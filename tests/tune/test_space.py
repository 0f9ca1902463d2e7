"""Search spaces: sampling bounds, the log-uniform exponent, grids, narrowing."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from tidu.tune import (Choice, IntUniform, LogUniform, Uniform, choice, from_dict, loguniform,
                       randint, space_from_dict, space_to_dict, uniform)
from tidu.tune.space import sample_space


def draws(dist, n=2000, seed=0):
    rng = np.random.default_rng(seed)
    return [dist.sample(rng) for _ in range(n)]


# ---------------------------------------------------------------------- sampling
def test_uniform_samples_lie_in_bounds_and_spread_evenly():
    values = np.array(draws(uniform(-2.0, 3.0)))
    assert values.min() >= -2.0 and values.max() <= 3.0
    assert stats.kstest(values, stats.uniform(loc=-2.0, scale=5.0).cdf).pvalue > 0.01


def test_loguniform_draws_its_exponent_uniformly():
    """Each decade of [1e-4, 1] gets a quarter of the draws; U(1e-4, 1) would put 90% of them
    in the last decade."""
    values = np.array(draws(loguniform(1e-4, 1.0), n=4000))
    assert values.min() >= 1e-4 and values.max() <= 1.0
    exponents = np.log10(values)
    assert stats.kstest(exponents, stats.uniform(loc=-4, scale=4).cdf).pvalue > 0.01
    per_decade = np.histogram(exponents, bins=[-4, -3, -2, -1, 0])[0] / len(values)
    np.testing.assert_allclose(per_decade, 0.25, atol=0.03)
    plain = np.array(draws(uniform(1e-4, 1.0), n=4000))
    assert np.mean(plain >= 0.1) > 0.85


def test_randint_includes_both_ends():
    values = draws(randint(3, 7), n=1000)
    assert set(values) == {3, 4, 5, 6, 7}
    assert all(isinstance(v, int) for v in values)
    counts = np.bincount(values)[3:]
    assert counts.min() > 150  # ≈ 200 each


def test_randint_log_scale_favours_small_values_per_decade():
    values = np.array(draws(randint(1, 1000, log=True), n=4000))
    assert values.min() >= 1 and values.max() <= 1000
    assert 0.25 < np.mean(values < 32) < 0.6  # log scale: about half below √1000 ≈ 32


def test_choice_draws_every_option_and_nothing_else():
    options = ["relu", "tanh", ("a", 1)]
    values = draws(choice(options), n=600)
    assert set(map(repr, values)) == set(map(repr, options))


def test_sample_space_keeps_constants_and_order():
    space = {"lr": loguniform(1e-3, 1e-1), "epochs": 7, "act": choice(["relu"])}
    point = sample_space(space, np.random.default_rng(0))
    assert list(point) == ["lr", "epochs", "act"]
    assert point["epochs"] == 7 and point["act"] == "relu" and 1e-3 <= point["lr"] <= 1e-1


# ---------------------------------------------------------------------- grids
def test_grid_values():
    assert uniform(0, 1).grid(5) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert uniform(0, 1).grid(1) == [0.5]
    assert loguniform(1e-4, 1).grid(5) == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    grid = loguniform(1e-4, 1).grid(5)
    assert grid[0] == 1e-4 and grid[-1] == 1.0  # exact ends
    assert loguniform(1e-4, 1).grid(1) == pytest.approx([1e-2])
    assert randint(1, 10).grid(4) == [1, 4, 7, 10]
    assert randint(1, 3).grid(10) == [1, 2, 3]  # at most the distinct integers
    assert randint(1, 1000, log=True).grid(4) == [1, 10, 100, 1000]
    assert choice(["a", "b", "c"]).grid(2) == ["a", "b", "c"]


# ---------------------------------------------------------------------- narrowing
def test_narrow_uniform_centres_and_clips():
    d = uniform(0.0, 10.0)
    assert (d.narrow(5.0, 0.5).low, d.narrow(5.0, 0.5).high) == (2.5, 7.5)
    edge = d.narrow(9.0, 0.5)  # [6.5, 11.5] clipped to the original bounds
    assert (edge.low, edge.high) == (6.5, 10.0)
    again = edge.narrow(10.0, 1.0)  # the width of the current range, clipped
    assert (again.low, again.high) == (8.25, 10.0)
    assert again.bounds == (0.0, 10.0)


def test_narrow_loguniform_works_on_the_exponent():
    d = loguniform(1e-4, 1.0).narrow(1e-2, 0.5)
    assert (d.low, d.high) == pytest.approx((1e-3, 1e-1))
    assert isinstance(d, LogUniform)
    clipped = loguniform(1e-4, 1.0).narrow(0.5, 0.5)
    assert clipped.high == 1.0 and clipped.low == pytest.approx(0.5 / 10)  # 2 decades wide


def test_narrow_randint_keeps_integers_around_the_centre():
    d = randint(1, 10)
    assert (d.narrow(5, 0.5).low, d.narrow(5, 0.5).high) == (3, 7)
    assert (d.narrow(1, 0.5).low, d.narrow(1, 0.5).high) == (1, 3)
    tiny = d.narrow(5, 0.05)
    assert (tiny.low, tiny.high) == (5, 5) and tiny.sample(np.random.default_rng(0)) == 5


@given(low=st.floats(-100, 100), width=st.floats(1e-3, 100), where=st.floats(0, 1),
       factors=st.lists(st.floats(0.05, 1.0), min_size=1, max_size=6))
def test_repeated_narrowing_stays_inside_the_original_bounds(low, width, where, factors):
    high = low + width
    for d in (Uniform(low, high), LogUniform(math.exp(low / 50), math.exp(high / 50))):
        lo, hi = d.low, d.high
        center = lo + where * (hi - lo)
        current = d
        for factor in factors:
            current = current.narrow(min(max(center, current.bounds[0]), current.bounds[1]),
                                     factor)
            assert lo <= current.low <= current.high <= hi
            assert current.bounds == (lo, hi)
            samples = draws(current, n=20)
            assert all(lo <= s <= hi for s in samples)


@given(low=st.integers(-50, 50), size=st.integers(1, 200), where=st.floats(0, 1),
       factor=st.floats(0.01, 1.0), log=st.booleans())
def test_integer_narrowing_contains_the_centre_within_bounds(low, size, where, factor, log):
    if log:
        low = abs(low) + 1
    d = IntUniform(low, low + size, log=log)
    center = int(round(low + where * size))
    n = d.narrow(center, factor)
    assert d.low <= n.low <= center <= n.high <= d.high


def test_refine_spans_the_top_values_and_shrinks_at_least_as_asked():
    d = uniform(0.0, 1.0)
    r = d.refine([0.5], 0.5)
    assert (r.low, r.high) == (0.25, 0.75)
    spread = d.refine([0.2, 0.9], 0.5)  # hull 0.7 wide, wider than 0.5 × 1
    assert (spread.low, spread.high) == pytest.approx((0.2, 0.9))
    never_wider = d.narrow(0.5, 0.2).refine([0.3, 0.8], 0.5)  # now [0.4, 0.6]
    assert (never_wider.low, never_wider.high) == pytest.approx((0.45, 0.65))
    assert choice(["a", "b", "c"]).refine(["c", "a", "c"], 0.5).options == ["a", "c"]


# ---------------------------------------------------------------------- plain-dict form
def test_to_dict_round_trips():
    space = {"lr": loguniform(1e-4, 0.1), "m": uniform(0.8, 0.99), "h": randint(8, 64, log=True),
             "act": choice(["relu", "tanh"]), "epochs": 5}
    plain = space_to_dict(space)
    assert plain["lr"] == {"type": "loguniform", "low": 1e-4, "high": 0.1}
    assert plain["epochs"] == {"type": "constant", "value": 5}
    assert space_from_dict(plain) == space
    assert isinstance(from_dict({"type": "choice", "options": [1, 2]}), Choice)


@pytest.mark.parametrize("make, message", [
    (lambda: uniform(1.0, 1.0), "uniform: low must be < high"),
    (lambda: uniform(0.0, float("nan")), "uniform: high must be a finite number"),
    (lambda: loguniform(0.0, 1.0), "loguniform: low must be > 0"),
    (lambda: choice([]), "choice: options must not be empty"),
    (lambda: uniform(0, 1).narrow(2.0, 0.5), "center must lie in the original bounds"),
    (lambda: uniform(0, 1).narrow(0.5, 0.0), "factor must be in (0, 1]"),
    (lambda: uniform(0, 1).grid(0), "n must be a positive int"),
    (lambda: from_dict({"type": "normal"}), "unknown type 'normal'"),
    (lambda: from_dict({"type": "uniform", "low": 0}), "missing ['high']"),
])
def test_bad_arguments_name_what_is_wrong(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert message in str(info.value)


def test_bad_types_name_what_is_wrong():
    with pytest.raises(TypeError, match=r"randint: low must be an int, got low=1.5"):
        randint(1.5, 3)
    with pytest.raises(TypeError, match="choice: options must be a list"):
        choice("abc")
