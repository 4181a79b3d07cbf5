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

from ..data import protocol
from ..data.favours import DIRECTION_UNKNOWN, favours
from .contrasts import MEAN_DIFFERENCE, candidates_of, usable_contrasts
from .pooling import Z95, pool, random_effects

FEW_TRIALS = protocol.load().few_trials  # below this many trials, fixed effect and Wald are shown beside Hartung-Knapp
PRIMARY_TAU2, PRIMARY_INTERVAL = protocol.load().tau2, protocol.load().interval  # the primary random-effects model


def standardised(group: pd.DataFrame) -> pd.DataFrame | None:
    """Hedges' g per trial (statsmodels' effectsize_smd), signed so that positive always favours exercise."""
    from statsmodels.stats.meta_analysis import effectsize_smd

    if group[["n_exercise", "mean_exercise", "sd_exercise"]].isna().any(axis=None) or (group["better"] == "").any():
        return None
    smd, variance = effectsize_smd(group["mean_exercise"].to_numpy(float), group["sd_exercise"].to_numpy(float),
                                   group["n_exercise"].to_numpy(float), group["mean_control"].to_numpy(float),
                                   group["sd_control"].to_numpy(float), group["n_control"].to_numpy(float))
    sign = np.where(group["better"] == "lower", -1.0, 1.0)
    return group.assign(effect=smd * sign, variance=variance, better="higher")


def pooled_trials(contrasts: pd.DataFrame, tau2_method: str = PRIMARY_TAU2, interval: str = PRIMARY_INTERVAL) -> pd.DataFrame:
    """Pool every domain and follow-up window that two or more trials inform.

    One scale: mean difference in its units. Several scales: standardised mean difference (Hedges' g, positive =
    favours exercise), which needs arm-level data and a known better direction for every trial. A trial contributes
    one contrast per analysis (its first outcome row; the others are listed as not used).
    """
    columns = ["pool_id", "label", "domain", "window", "effect_measure", "scales", "k", "participants", "trials",
               "re_estimate", "re_ci_lower", "re_ci_upper", "pi_lower", "pi_upper", "tau2", "i2", "q", "method",
               "favours", "fe_estimate", "fe_ci_lower", "fe_ci_upper", "wald_ci_lower", "wald_ci_upper", "few_trials",
               "not_used", "values_used"]
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
            measure, estimates, better = "standardised mean difference", standardised(first), "higher"
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
            "not_used": "; ".join(not_used), "values_used": values_used(first),
        })
    return pd.DataFrame(rows, columns=columns)


VALUE_WORDS = {"final_value": "final values", "change_from_baseline": "change from baseline"}


def values_used(chosen: pd.DataFrame) -> str:
    """Which values each pooled trial contributed (final values or change from baseline), and where a trial whose
    arms differed at baseline could only give final values: the record the protocol's imbalance rule asks for."""
    parts = []
    for row in chosen.itertuples(index=False):
        kind = getattr(row, "change_or_final", "") or ""
        words = VALUE_WORDS.get(kind, "values of unstated kind")
        if getattr(row, "baseline_imbalance", "") == "yes" and kind != "change_from_baseline":
            words += " despite a baseline imbalance (no change from baseline on this scale)"
        parts.append(f"{row.study_id}: {words}")
    return "; ".join(parts)


def sensitivity_without(contrasts: pd.DataFrame, excluded: set[str]) -> pd.DataFrame:
    """The same pooling with some trials left out (e.g. high risk of bias or baseline imbalance)."""
    return pooled_trials(contrasts.loc[~contrasts["study_id"].isin(excluded)])


SENSITIVITY_COLUMNS = ["pool_id", "label", "analysis", "left_out", "k", "trials", "effect_measure", "re_estimate",
                       "re_ci_lower", "re_ci_upper", "fe_estimate", "fe_ci_lower", "fe_ci_upper", "favours"]


def _analysis_row(pooled_row: pd.Series, analysis: str, left_out: str) -> dict:
    return {**{c: pooled_row[c] for c in ("pool_id", "label", "k", "trials", "effect_measure", "re_estimate",
                                          "re_ci_lower", "re_ci_upper", "fe_estimate", "fe_ci_lower", "fe_ci_upper",
                                          "favours")},
            "analysis": analysis, "left_out": left_out}


def _single_trial_row(primary_row: pd.Series, contrasts: pd.DataFrame, study_id: str, left_out: str) -> dict:
    """What is left when one of two trials is left out: that trial's own estimate and 95% CI, on the measure of
    the primary pooling (its standardised mean difference when the primary pooling was standardised)."""
    rows = contrasts.loc[(contrasts["study_id"] == study_id) & (contrasts["domain"] == primary_row["domain"])
                         & (contrasts["window"] == primary_row["window"])]
    row = rows.loc[rows["outcome_id"].isin(set(rows["outcome_id"]) - set(str(primary_row["not_used"]).split("; ")))].head(1)
    if primary_row["effect_measure"] != MEAN_DIFFERENCE:
        row = standardised(row)
    effect, se = float(row["effect"].iloc[0]), float(np.sqrt(row["variance"].iloc[0]))
    better = "higher" if primary_row["effect_measure"] != MEAN_DIFFERENCE else row["better"].iloc[0]
    lower, upper = effect - Z95 * se, effect + Z95 * se
    return {"pool_id": primary_row["pool_id"], "label": primary_row["label"], "analysis": "leave one out: one trial remains",
            "left_out": left_out, "k": 1, "trials": study_id, "effect_measure": primary_row["effect_measure"],
            "re_estimate": effect, "re_ci_lower": lower, "re_ci_upper": upper, "fe_estimate": effect,
            "fe_ci_lower": lower, "fe_ci_upper": upper,
            "favours": favours(primary_row["effect_measure"], lower, upper, better) if better else DIRECTION_UNKNOWN}


def sensitivity_table(contrasts: pd.DataFrame, variants: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every sensitivity analysis of every pooled outcome in one table: the pooling of all eligible trials, each
    trial left out in turn, and each pre-specified variant ({name: the contrasts it keeps}), with the trials of
    the outcome that the variant leaves out. A variant that leaves fewer than two trials says so instead of
    giving an estimate."""
    primary = pooled_trials(contrasts)
    without = {trial: pooled_trials(contrasts.loc[contrasts["study_id"] != trial])  # each trial left out, once
               for trial in dict.fromkeys(t for trials in primary["trials"] for t in trials.split("; "))}
    pooled_variants = {name: pooled_trials(variant) for name, variant in variants.items()}
    rows = []
    for _, row in primary.iterrows():
        rows.append(_analysis_row(row, "all eligible trials", "none"))
        trials = row["trials"].split("; ")
        for trial in trials:
            rest = without[trial]
            match = rest.loc[rest["pool_id"] == row["pool_id"]]
            if len(match):
                rows.append(_analysis_row(match.iloc[0], "leave one out", trial))
            elif len(trials) == 2:
                rows.append(_single_trial_row(row, contrasts, next(t for t in trials if t != trial), trial))
        for name, variant in variants.items():
            kept = set(variant.loc[(variant["domain"] == row["domain"]) & (variant["window"] == row["window"]), "study_id"])
            left_out = "; ".join(t for t in trials if t not in kept) or "none"
            match = pooled_variants[name].pipe(lambda f: f.loc[f["pool_id"] == row["pool_id"]])
            if len(match):
                rows.append(_analysis_row(match.iloc[0], name, left_out))
            else:
                rows.append({"pool_id": row["pool_id"], "label": row["label"], "analysis": name, "left_out": left_out,
                             "k": len(kept), "favours": "not estimable: fewer than two trials remain"})
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def our_meta_analysis(tables: dict[str, pd.DataFrame], assumptions: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trial contrasts that qualify and what pooling them gives (REML tau², HKSJ CI): one call for the
    notebook, the values and the release snapshot alike. `assumptions` adds the rows usable only under their
    recorded assumptions (the secondary analysis)."""
    contrasts = usable_contrasts(candidates_of(tables), assumptions)
    return contrasts, pooled_trials(contrasts)
