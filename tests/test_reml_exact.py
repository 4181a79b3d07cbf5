"""REML and ML tau² solve their score equations to rounding, not only to where the bounded search stopped: the
search compares likelihood values, so on a flat likelihood it stopped about 1e-6 (relative) from the root, too far
for the explorer's page to agree with the review to 1e-6 (tests/test_pooling_js.py)."""
import numpy as np
import pytest

from alsreview.synthesis.pooling import _fixed, ml_tau2, reml_tau2


def reml_score(effects, variances, tau2):
    mean, weights = _fixed(effects, variances, tau2)
    return np.sum(weights ** 2 * (effects - mean) ** 2) - (np.sum(weights) - np.sum(weights ** 2) / np.sum(weights))


def ml_score(effects, variances, tau2):
    mean, weights = _fixed(effects, variances, tau2)
    return np.sum(weights ** 2 * (effects - mean) ** 2) - np.sum(weights)


# A flat restricted likelihood: six trials, four of them with huge variances (the search alone stopped 2e-6 away).
FLAT = (np.array([-39.01715594906642, -83.19529874936661, -26.032176119048, -31.166632859158646, 7.6827989116631645,
                  -5.1593224497273065]),
        np.array([1385.7323879474945, 2555.230017572374, 1384.0276499050904, 1764.1100721793814, 85.99640366444338,
                  10.910210400389172]))


@pytest.mark.parametrize("estimator, score", [(reml_tau2, reml_score), (ml_tau2, ml_score)], ids=["reml", "ml"])
def test_tau2_is_the_root_of_the_score_equation(estimator, score):
    rng = np.random.default_rng(7)
    cases = [FLAT] + [(rng.normal(0, 2, k), rng.uniform(0.2, 4, k) ** 2) for k in (3, 5, 8, 12) for _ in range(5)]
    for effects, variances in cases:
        tau2 = estimator(effects, variances)
        if tau2 == 0:
            assert score(effects, variances, 0.0) <= 0  # the likelihood falls from zero: zero is the maximum
            continue
        mean, weights = _fixed(effects, variances, tau2)
        assert abs(score(effects, variances, tau2)) <= 1e-9 * np.sum(weights), (effects, variances)


def test_reml_on_the_flat_likelihood_is_the_fixed_point():
    assert reml_tau2(*FLAT) == pytest.approx(1.50507353256634, rel=1e-11)
