"""Our meta-analysis of controlled trials in people with ALS (the living update): every outcome domain and
follow-up window that two or more trials inform, pooled with random effects (REML tau², Hartung-Knapp-Sidik-Jonkman
interval), and the same with trials left out for a sensitivity analysis.

The few-trials rule: below FEW_TRIALS trials the between-study variance cannot be estimated and the t quantile with
k - 1 degrees of freedom is huge (12.7 for two trials), so every analysis also carries the fixed-effect
(inverse-variance) estimate and the Wald random-effects interval beside the Hartung-Knapp one. None of the three is
a finding on its own: the text says the data are too few to estimate the effect precisely and gives the range.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.favours import DIRECTION_UNKNOWN, favours
from .contrasts import MEAN_DIFFERENCE, trial_contrasts
from .pooling import pool, random_effects

FEW_TRIALS = 5  # below this many trials, the fixed-effect and Wald intervals are shown beside Hartung-Knapp


def _standardised(group: pd.DataFrame) -> pd.DataFrame | None:
    """Hedges' g per trial (statsmodels' effectsize_smd), signed so that positive always favours exercise."""
    from statsmodels.stats.meta_analysis import effectsize_smd

    if group[["n_exercise", "mean_exercise", "sd_exercise"]].isna().any(axis=None) or (group["better"] == "").any():
        return None
    smd, variance = effectsize_smd(group["mean_exercise"].to_numpy(float), group["sd_exercise"].to_numpy(float),
                                   group["n_exercise"].to_numpy(float), group["mean_control"].to_numpy(float),
                                   group["sd_control"].to_numpy(float), group["n_control"].to_numpy(float))
    sign = np.where(group["better"] == "lower", -1.0, 1.0)
    return group.assign(effect=smd * sign, variance=variance, better="higher")


def pooled_trials(contrasts: pd.DataFrame, tau2_method: str = "reml", interval: str = "hksj") -> pd.DataFrame:
    """Pool every domain and follow-up window that two or more trials inform.

    One scale: mean difference in its units. Several scales: standardised mean difference (Hedges' g, positive =
    favours exercise), which needs arm-level data and a known better direction for every trial. A trial contributes
    one contrast per analysis (its first outcome row; the others are listed as not used).
    """
    columns = ["pool_id", "label", "domain", "window", "effect_measure", "scales", "k", "participants", "trials",
               "re_estimate", "re_ci_lower", "re_ci_upper", "pi_lower", "pi_upper", "tau2", "i2", "q", "method",
               "favours", "fe_estimate", "fe_ci_lower", "fe_ci_upper", "wald_ci_lower", "wald_ci_upper", "few_trials",
               "not_used"]
    rows = []
    for (domain, window), group in contrasts.groupby(["domain", "window"], sort=True):
        # One contrast per trial: on the scale most trials share (so like is pooled with like), then the first row.
        shared = group.groupby("scale")["study_id"].nunique()
        group = group.assign(_rank=group["scale"].map(-shared)).sort_values("_rank", kind="stable").drop(columns="_rank")
        first = group.drop_duplicates("study_id", keep="first")
        not_used = sorted(set(group["outcome_id"]) - set(first["outcome_id"]))
        if first["study_id"].nunique() < 2:
            continue
        if first["scale"].nunique() == 1:
            measure, estimates, better = MEAN_DIFFERENCE, first, first["better"].iloc[0]
        else:
            measure, estimates, better = "standardised mean difference", _standardised(first), "higher"
            if estimates is None:
                continue
        result = pool(estimates, tau2_method=tau2_method, interval=interval)
        wald = random_effects(estimates["effect"].to_numpy(float), estimates["variance"].to_numpy(float), result["tau2"])
        participants = (estimates["n_exercise"].fillna(0) + estimates["n_control"].fillna(0)).sum()
        rows.append({
            "pool_id": f"{domain}-{window.replace(' ', '_')}", "label": f"{domain.replace('_', ' ')}, {window}",
            "domain": domain, "window": window, "effect_measure": measure, "scales": "; ".join(sorted(first["scale"].unique())),
            "k": result["k"], "participants": int(participants) or None, "trials": "; ".join(estimates["study_id"]),
            **{c: result[c] for c in ("re_estimate", "re_ci_lower", "re_ci_upper", "pi_lower", "pi_upper", "tau2", "q", "method")},
            "i2": 100 * result["i2"],  # percent, as published meta-analyses print it
            "favours": favours(measure, result["re_ci_lower"], result["re_ci_upper"], better) if better else DIRECTION_UNKNOWN,
            **{c: result[c] for c in ("fe_estimate", "fe_ci_lower", "fe_ci_upper")},
            "wald_ci_lower": wald["re_ci_lower"], "wald_ci_upper": wald["re_ci_upper"], "few_trials": result["k"] < FEW_TRIALS,
            "not_used": "; ".join(not_used),
        })
    return pd.DataFrame(rows, columns=columns)


def sensitivity_without(contrasts: pd.DataFrame, excluded: set[str]) -> pd.DataFrame:
    """The same pooling with some trials left out (e.g. high risk of bias or baseline imbalance)."""
    return pooled_trials(contrasts.loc[~contrasts["study_id"].isin(excluded)])


def our_meta_analysis(tables: dict[str, pd.DataFrame], assumptions: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trial contrasts that qualify and what pooling them gives (REML tau², HKSJ CI): one call for the
    notebook, the values and the release snapshot alike. `assumptions` adds the rows usable only under their
    recorded assumptions (the secondary analysis)."""
    contrasts = trial_contrasts(tables["outcomes"], tables["interventions"], tables.get("scales"), assumptions)
    return contrasts, pooled_trials(contrasts)
