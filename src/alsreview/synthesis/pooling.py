"""The pooling engine: inverse-variance fixed effect and random effects, with the tau² estimator and the interval
method named by the caller.

statsmodels supplies the fixed effect, Q, I², and the DerSimonian-Laird and Paule-Mandel estimators; REML and the
Hartung-Knapp-Sidik-Jonkman interval are written here. The engine knows nothing of trials or scales: it takes
effects with their variances and returns numbers, so it can be golden-tested against published meta-analyses.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
TAU2_METHODS = {"dl": "DerSimonian-Laird", "pm": "Paule-Mandel", "reml": "REML"}
INTERVALS = {"wald": "Wald (normal)", "hksj": "Hartung-Knapp-Sidik-Jonkman"}


def reml_tau2(effects: np.ndarray, variances: np.ndarray) -> float:
    """Restricted maximum-likelihood between-study variance; statsmodels' combine_effects offers only DL and PM.

    The restricted log-likelihood is maximised over tau² >= 0 with scipy's bounded scalar optimiser (golden-tested
    against the REML result published by Normand 1999, Table IX).
    """
    from scipy.optimize import minimize_scalar

    def negative_restricted_loglik(tau2: float) -> float:
        weights = 1.0 / (variances + tau2)
        mean = np.sum(weights * effects) / np.sum(weights)
        return 0.5 * (np.sum(np.log(variances + tau2)) + np.log(np.sum(weights))
                      + np.sum(weights * (effects - mean) ** 2))

    upper = max(10.0 * float(np.var(effects, ddof=1)) + float(np.max(variances)), 1e-8)
    best = minimize_scalar(negative_restricted_loglik, bounds=(0.0, upper), method="bounded",
                           options={"xatol": 1e-10 * max(upper, 1.0)})
    return float(best.x) if negative_restricted_loglik(best.x) < negative_restricted_loglik(0.0) else 0.0


def random_effects(effects: np.ndarray, variances: np.ndarray, tau2: float, interval: str = "wald") -> dict:
    """Random-effects mean for a given tau², with a Wald or Hartung-Knapp-Sidik-Jonkman 95% CI and prediction interval.

    HKSJ rescales the variance by the weighted residual spread (never below the Wald variance) and uses t with k-1
    degrees of freedom (the Cochrane Handbook's advice for few studies). The prediction interval follows metafor's predict(): the same t quantile
    (normal for Wald) applied to sqrt(tau² + SE²); it is left empty below three studies, where it says nothing useful.
    """
    from scipy import stats

    k = len(effects)
    weights = 1.0 / (variances + tau2)
    mean = float(np.sum(weights * effects) / np.sum(weights))
    wald_se = float(np.sqrt(1.0 / np.sum(weights)))
    if interval == "hksj":
        # Floored at the Wald SE (Roever, Knapp & Friede 2015): with trials that agree closely, plain HKSJ can give
        # an interval narrower than the fixed-effect one, which is not a credible answer from two or three trials.
        se = max(wald_se, float(np.sqrt(np.sum(weights * (effects - mean) ** 2) / ((k - 1) * np.sum(weights)))))
        quantile = float(stats.t.ppf(0.975, k - 1))
    else:
        se, quantile = wald_se, Z95
    half_pi = quantile * np.sqrt(tau2 + se ** 2)
    return {
        "re_estimate": mean, "re_se": se, "re_ci_lower": mean - quantile * se, "re_ci_upper": mean + quantile * se,
        "pi_lower": mean - half_pi if k >= 3 else None, "pi_upper": mean + half_pi if k >= 3 else None,
    }


def pool(estimates: pd.DataFrame, tau2_method: str = "dl", interval: str = "wald") -> dict:
    """Inverse-variance fixed effect, and random effects with the chosen tau² estimator and CI method.

    statsmodels supplies the fixed effect, Q, I² and the DL or PM tau²; REML comes from `reml_tau2`.
    """
    if tau2_method not in TAU2_METHODS or interval not in INTERVALS:
        raise ValueError(f"unknown pooling method {tau2_method!r} / {interval!r}")
    from statsmodels.stats.meta_analysis import combine_effects  # 1-4 s of imports (scipy.stats): only when pooling

    effects = estimates["effect"].to_numpy(float)
    variances = estimates["variance"].to_numpy(float)
    with warnings.catch_warnings():
        # statsmodels also computes Hartung-Knapp variants we do not read here; with tau² = 0 their square roots warn.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = combine_effects(effects, variances, method_re="pm" if tau2_method == "pm" else "dl",
                                 row_names=list(estimates["study_id"]))
        frame = result.summary_frame()
    fe = frame.loc["fixed effect"]
    # statsmodels' moment estimate can fall below zero when Q < df (seen with two studies); tau² is a variance.
    tau2 = reml_tau2(effects, variances) if tau2_method == "reml" else max(0.0, float(result.tau2))
    return {
        "k": int(result.k),
        "fe_estimate": float(fe["eff"]), "fe_se": float(fe["sd_eff"]), "fe_ci_lower": float(fe["ci_low"]), "fe_ci_upper": float(fe["ci_upp"]),
        **random_effects(effects, variances, tau2, interval),
        # I² = (Q - df) / Q is a share of variation: negative values (Q below df) mean none, as in metafor.
        "q": float(result.q), "df": int(result.df_resid), "i2": max(0.0, float(result.i2)), "tau2": tau2,
        "method": f"random effects, {TAU2_METHODS[tau2_method]} tau², {INTERVALS[interval]} CI",
        "summary_frame": frame,
    }
