"""The pooling engine: inverse-variance fixed effect and random effects, with the tau² estimator and the interval
method named by the caller.

The estimators are metafor's: FE (tau² = 0), DerSimonian-Laird and Hedges (closed form), Paule-Mandel (from
statsmodels), maximum likelihood and REML (maximised here); the intervals are Wald (normal), Hartung-Knapp (t with
k - 1 degrees of freedom and the rescaled variance) and Hartung-Knapp with the ad hoc floor at the Wald variance
(metafor's test = "adhoc"). I² and H² follow metafor: they are computed from the model's tau² and the typical
within-study variance. The engine knows nothing of trials or scales: it takes effects with their variances and
returns numbers, so it is checked against metafor on a grid of designs (tests/test_meta_metafor_grid.py) and
against two published meta-analyses.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
TAU2_METHODS = {"fe": "fixed-effect (tau² = 0)", "dl": "DerSimonian-Laird", "he": "Hedges", "pm": "Paule-Mandel",
                "ml": "maximum-likelihood", "reml": "REML"}
INTERVALS = {"wald": "Wald (normal)", "knha": "Hartung-Knapp",
             "hksj": "Hartung-Knapp-Sidik-Jonkman (ad hoc floor at the Wald interval)"}
# The iterative estimators (ML, REML) maximise their likelihood over tau² >= 0 with a bounded search to this
# absolute tolerance on tau², then find the root of the score equation beside where it stopped (see _refine);
# metafor stops its own iterations at a convergence threshold, so its printed tau² agree with ours to about 1e-5.
SETTINGS = {"tau2_xtol": 1e-10, "refine_bracket": 1e-4}


def _fixed(effects: np.ndarray, variances: np.ndarray, tau2: float) -> tuple[float, np.ndarray]:
    weights = 1.0 / (variances + tau2)
    return float(np.sum(weights * effects) / np.sum(weights)), weights


def cochran_q(effects: np.ndarray, variances: np.ndarray) -> float:
    mean, weights = _fixed(effects, variances, 0.0)
    return float(np.sum(weights * (effects - mean) ** 2))


def dl_tau2(effects: np.ndarray, variances: np.ndarray) -> float:
    """DerSimonian-Laird moment estimator, truncated at zero."""
    weights = 1.0 / variances
    excess = cochran_q(effects, variances) - (len(effects) - 1)
    return max(0.0, float(excess / (np.sum(weights) - np.sum(weights ** 2) / np.sum(weights))))


def he_tau2(effects: np.ndarray, variances: np.ndarray) -> float:
    """Hedges' (Cochran's ANOVA) estimator: unweighted spread of the effects less their mean sampling variance."""
    return max(0.0, float(np.var(effects, ddof=1) - np.mean(variances)))


def _refine(score, start: float, upper: float) -> float:
    """The root of the score equation (the likelihood's derivative in tau²) next to where the bounded search
    stopped, by bisection. The search compares likelihood values, whose rounding hides the last digits where
    the likelihood is flat, so it stops up to about 1e-6 of tau² (relative) from the maximum; the score's sign
    is exact far closer. Left as it was when the score does not fall through zero within refine_bracket of it
    (Fisher scoring, the other usual route, overshoots and diverges on some of those flat likelihoods)."""
    half = max(SETTINGS["refine_bracket"] * start, SETTINGS["tau2_xtol"] * max(upper, 1.0))
    low, high = max(0.0, start - half), min(upper, start + half)
    if not score(low) > 0 > score(high):
        return start
    while True:
        middle = 0.5 * (low + high)
        if middle in (low, high):
            return middle
        if score(middle) > 0:
            low = middle
        else:
            high = middle


def _maximise(negative_loglik, score, effects: np.ndarray, variances: np.ndarray) -> float:
    from scipy.optimize import minimize_scalar

    upper = max(10.0 * float(np.var(effects, ddof=1)) + float(np.max(variances)), 1e-8)
    best = minimize_scalar(negative_loglik, bounds=(0.0, upper), method="bounded",
                           options={"xatol": SETTINGS["tau2_xtol"] * max(upper, 1.0)})
    if not negative_loglik(best.x) < negative_loglik(0.0):
        return 0.0
    return _refine(score, float(best.x), upper)


def ml_tau2(effects: np.ndarray, variances: np.ndarray) -> float:
    """Maximum-likelihood between-study variance."""
    def negative_loglik(tau2: float) -> float:
        mean, weights = _fixed(effects, variances, tau2)
        return 0.5 * (np.sum(np.log(variances + tau2)) + np.sum(weights * (effects - mean) ** 2))

    def score(tau2: float) -> float:
        mean, weights = _fixed(effects, variances, tau2)
        return float(np.sum(weights ** 2 * (effects - mean) ** 2) - np.sum(weights))
    return _maximise(negative_loglik, score, effects, variances)


def reml_tau2(effects: np.ndarray, variances: np.ndarray) -> float:
    """Restricted maximum-likelihood between-study variance (statsmodels' combine_effects offers only DL and PM)."""
    def negative_restricted_loglik(tau2: float) -> float:
        mean, weights = _fixed(effects, variances, tau2)
        return 0.5 * (np.sum(np.log(variances + tau2)) + np.log(np.sum(weights))
                      + np.sum(weights * (effects - mean) ** 2))

    def score(tau2: float) -> float:
        """Twice the derivative of the restricted log-likelihood: sum(w² (y - mean)²) - tr P, where
        P = W - W11'W / sum(W)."""
        mean, weights = _fixed(effects, variances, tau2)
        total = np.sum(weights)
        return float(np.sum(weights ** 2 * (effects - mean) ** 2) - (total - np.sum(weights ** 2) / total))
    return _maximise(negative_restricted_loglik, score, effects, variances)


def heterogeneity(effects: np.ndarray, variances: np.ndarray, tau2: float, fixed_effect: bool = False) -> dict:
    """Q with its degrees of freedom, and I² (a share, 0 to 1) and H² as metafor computes them: from the model's tau²
    and the typical within-study variance, or from Q for the fixed-effect model."""
    k = len(effects)
    q = cochran_q(effects, variances)
    if k < 2:
        return {"q": q, "df": 0, "i2": 0.0, "h2": 1.0}
    if fixed_effect:
        return {"q": q, "df": k - 1, "i2": max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0, "h2": q / (k - 1)}
    weights = 1.0 / variances
    typical = (k - 1) * np.sum(weights) / (np.sum(weights) ** 2 - np.sum(weights ** 2))
    return {"q": q, "df": k - 1, "i2": float(tau2 / (tau2 + typical)), "h2": float((tau2 + typical) / typical)}


def random_effects(effects: np.ndarray, variances: np.ndarray, tau2: float, interval: str = "wald") -> dict:
    """Mean for a given tau², with a Wald, Hartung-Knapp or HKSJ-with-floor 95% CI and the prediction interval.

    Hartung-Knapp rescales the variance by the weighted residual spread and uses t with k - 1 degrees of freedom;
    the HKSJ variant used for our primary analyses floors it at the Wald variance (metafor's "adhoc"; Roever, Knapp
    & Friede 2015), because with two or three trials that agree closely plain Hartung-Knapp can be narrower than the
    fixed-effect interval. The prediction interval follows metafor's predict(): the same quantile applied to
    sqrt(tau² + SE²); it is left empty below three studies, where it says nothing useful.
    """
    from scipy import stats

    k = len(effects)
    mean, weights = _fixed(effects, variances, tau2)
    wald_se = float(np.sqrt(1.0 / np.sum(weights)))
    if interval in ("knha", "hksj") and k >= 2:
        se = float(np.sqrt(np.sum(weights * (effects - mean) ** 2) / ((k - 1) * np.sum(weights))))
        se = max(se, wald_se) if interval == "hksj" else se
        quantile = float(stats.t.ppf(0.975, k - 1))
    else:
        se, quantile = wald_se, Z95
    half_pi = quantile * np.sqrt(tau2 + se ** 2)
    return {
        "re_estimate": mean, "re_se": se, "re_ci_lower": mean - quantile * se, "re_ci_upper": mean + quantile * se,
        "pi_lower": mean - half_pi if k >= 3 else None, "pi_upper": mean + half_pi if k >= 3 else None,
    }


def estimate_tau2(effects: np.ndarray, variances: np.ndarray, method: str) -> float:
    if method == "pm":
        from statsmodels.stats.meta_analysis import combine_effects  # 1-4 s of imports: only when asked for

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return max(0.0, float(combine_effects(effects, variances, method_re="pm").tau2))
    return {"fe": lambda: 0.0, "dl": dl_tau2, "he": he_tau2, "ml": ml_tau2, "reml": reml_tau2}[method](
        *(() if method == "fe" else (effects, variances)))


def pool(estimates: pd.DataFrame, tau2_method: str = "dl", interval: str = "wald") -> dict:
    """Inverse-variance fixed effect, and random effects with the chosen tau² estimator and CI method."""
    if tau2_method not in TAU2_METHODS or interval not in INTERVALS:
        raise ValueError(f"unknown pooling method {tau2_method!r} / {interval!r}")
    effects = estimates["effect"].to_numpy(float)
    variances = estimates["variance"].to_numpy(float)
    fe_mean, fe_weights = _fixed(effects, variances, 0.0)
    fe_se = float(np.sqrt(1.0 / np.sum(fe_weights)))
    tau2 = estimate_tau2(effects, variances, tau2_method)
    return {
        "k": len(effects),
        "fe_estimate": fe_mean, "fe_se": fe_se, "fe_ci_lower": fe_mean - Z95 * fe_se, "fe_ci_upper": fe_mean + Z95 * fe_se,
        **random_effects(effects, variances, tau2, interval),
        **heterogeneity(effects, variances, tau2, fixed_effect=tau2_method == "fe"), "tau2": tau2,
        "method": f"random effects, {TAU2_METHODS[tau2_method]} tau², {INTERVALS[interval]} CI",
    }
