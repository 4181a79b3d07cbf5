"""Quantitative synthesis: the pooled results a systematic review reports, and our own pooling where data allow.

Reported results (pooled_results.csv) are shown as they were published, never recomputed. Our pooling uses
statsmodels' inverse-variance fixed effect and DerSimonian-Laird random effects, and only on per-study
estimates the curated rows actually hold: a mean difference with its 95% CI, or n/mean/SD in both groups.
Nothing is back-calculated to make a pooling possible.
"""
from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

Z95 = 1.959963984540054
MEAN_DIFFERENCE = "mean difference"
POOL_KEY = ["domain", "measure", "time_point"]


def summary_of_findings(pooled: pd.DataFrame) -> pd.DataFrame:
    """The review's summary-of-findings rows (those with a GRADE rating), as a plain table."""
    sof = pooled.loc[pooled["analysis"] == "SoF"] if len(pooled) else pooled
    rows = [{
        "outcome": r.outcome,
        "time_point": r.time_point or "",
        "effect_measure": r.effect_measure,
        "estimate": r.effect,
        "ci_lower": r.ci_lower,
        "ci_upper": r.ci_upper,
        "studies": r.n_studies,
        "participants": r.n_participants,
        "certainty": (r.certainty or "").replace("_", " "),
        "favours": r.favours or "",
        "reported_by": r.study_id,
    } for r in sof.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["outcome", "time_point", "effect_measure", "estimate", "ci_lower", "ci_upper",
                                       "studies", "participants", "certainty", "favours", "reported_by"])


def reported_analyses(pooled: pd.DataFrame) -> pd.DataFrame:
    """Every analysis the review reports (without the summary-of-findings duplicates), ordered by analysis number."""
    rows = pooled.loc[pooled["analysis"] != "SoF"].copy() if len(pooled) else pooled.copy()
    if rows.empty:
        return rows
    number = rows["analysis"].str.split(".", expand=True).astype(float)
    rows = rows.assign(_a=number[0], _b=number[1]).sort_values(["_a", "_b"]).drop(columns=["_a", "_b"])
    return rows.reset_index(drop=True)


def plot_reported_forest(rows: pd.DataFrame, title: str, label_column: str = "outcome"):
    """Forest-style chart of reported estimates with their 95% CIs (as published; no pooling here)."""
    height = max(2.2, 0.42 * len(rows) + 1.3)
    fig, ax = plt.subplots(figsize=(9, height))
    if rows.empty:
        ax.text(0.5, 0.5, "No reported results in this selection", ha="center", va="center")
        ax.set_axis_off()
        return fig
    y = np.arange(len(rows))[::-1]
    ax.hlines(y, rows["ci_lower"], rows["ci_upper"], color="#0072B2", linewidth=1.6)
    ax.plot(rows["effect"], y, "s", color="#0072B2", markersize=6)
    ax.axvline(0, color="black", linewidth=0.8, linestyle="--")
    labels = [f"{r[label_column]}" + (f" [{r['analysis']}]" if r.get("analysis", "SoF") != "SoF" else "")
              for _, r in rows.iterrows()]
    ax.set_yticks(y, labels, fontsize=7)
    for yi, (_, r) in zip(y, rows.iterrows()):
        ax.annotate(f"{r['effect']:.2f} [{r['ci_lower']:.2f}, {r['ci_upper']:.2f}]", (1.01, yi),
                    xycoords=("axes fraction", "data"), fontsize=7, va="center")
    ax.set_xlabel("Mean difference, exercise minus control (95% CI), as reported")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def study_estimates(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per-study mean differences the curated rows support, with their variances and where they came from."""
    rows = []
    for r in outcomes.itertuples(index=False):
        groups = (r.n_exercise, r.mean_exercise, r.sd_exercise, r.n_control, r.mean_control, r.sd_control)
        if all(pd.notna(v) for v in groups) and r.n_exercise > 0 and r.n_control > 0:
            effect = r.mean_exercise - r.mean_control
            variance = r.sd_exercise ** 2 / r.n_exercise + r.sd_control ** 2 / r.n_control
            basis = "group means and SDs"
        elif isinstance(r.effect_measure, str) and r.effect_measure.lower() == MEAN_DIFFERENCE and pd.notna(r.ci_lower) and pd.notna(r.ci_upper):
            effect = r.effect
            variance = ((r.ci_upper - r.ci_lower) / (2 * Z95)) ** 2
            basis = "mean difference and 95% CI"
        else:
            continue
        rows.append({"study_id": r.study_id, "outcome_id": r.outcome_id, "domain": r.domain, "measure": r.measure,
                     "time_point": r.time_point or "", "effect": effect, "variance": variance, "basis": basis})
    return pd.DataFrame(rows, columns=["study_id", "outcome_id", *POOL_KEY, "effect", "variance", "basis"])


def pool(estimates: pd.DataFrame) -> dict:
    """Inverse-variance fixed effect and DerSimonian-Laird random effects over one set of study estimates."""
    from statsmodels.stats.meta_analysis import combine_effects  # 1-4 s of imports (scipy.stats): only when pooling

    with warnings.catch_warnings():
        # statsmodels also computes Hartung-Knapp variants we do not report; with tau² = 0 their square roots warn.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = combine_effects(estimates["effect"].to_numpy(float), estimates["variance"].to_numpy(float),
                                 method_re="dl", row_names=list(estimates["study_id"]))
        frame = result.summary_frame()  # where those square roots are taken
    fe, re = frame.loc["fixed effect"], frame.loc["random effect"]
    return {
        "k": int(result.k),
        "fe_estimate": float(fe["eff"]), "fe_se": float(fe["sd_eff"]), "fe_ci_lower": float(fe["ci_low"]), "fe_ci_upper": float(fe["ci_upp"]),
        "re_estimate": float(re["eff"]), "re_se": float(re["sd_eff"]), "re_ci_lower": float(re["ci_low"]), "re_ci_upper": float(re["ci_upp"]),
        "q": float(result.q), "df": int(result.df_resid), "i2": float(result.i2), "tau2": float(result.tau2),
        "summary_frame": frame,
    }


def pooling_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per outcome domain: the pooled result for each measure two or more studies estimate, or why there is none."""
    estimates = study_estimates(outcomes)
    columns = ["domain", "measure", "time_point", "studies_reporting", "studies_with_estimates", "status",
               "fe_estimate", "fe_ci_lower", "fe_ci_upper", "re_estimate", "re_ci_lower", "re_ci_upper", "q", "i2", "tau2"]
    rows = []
    for domain, reported in outcomes.groupby("domain", sort=True):
        in_domain = estimates.loc[estimates["domain"] == domain]
        base = {"domain": domain, "studies_reporting": reported["study_id"].nunique(),
                "studies_with_estimates": in_domain["study_id"].nunique()}
        poolable = [(key, g) for key, g in in_domain.groupby(POOL_KEY, sort=True)
                    if g["study_id"].nunique() >= 2 and g["study_id"].is_unique]
        for (_, measure, time_point), group in poolable:
            result = pool(group)
            rows.append({**base, "measure": measure, "time_point": time_point, "status": f"pooled ({result['k']} studies)",
                         **{c: result[c] for c in columns if c in result}})
        if poolable:
            continue
        if in_domain.empty:
            status = "not pooled: no study gives an estimate with its uncertainty (mean difference with CI, or n/mean/SD per group)"
        else:
            status = "not pooled: fewer than two studies estimate the same measure at the same time point"
        rows.append({**base, "measure": "", "time_point": "", "status": status})
    return pd.DataFrame(rows, columns=columns)


MAX_FOREST_ROWS = 40  # beyond this, study rows are left out and only the pooled diamonds are drawn


def plot_forest(estimates: pd.DataFrame, result: dict, title: str):
    """Forest plot of study estimates with the fixed- and random-effects diamonds."""
    if len(estimates) > MAX_FOREST_ROWS:
        title = f"{title} ({len(estimates)} studies; study rows omitted)"
        estimates = estimates.iloc[0:0]
    k = len(estimates)
    fig, ax = plt.subplots(figsize=(8, 0.45 * (k + 3) + 1.2))
    se = np.sqrt(estimates["variance"].to_numpy(float))
    eff = estimates["effect"].to_numpy(float)
    y = np.arange(k)[::-1] + 2
    ax.hlines(y, eff - Z95 * se, eff + Z95 * se, color="black", linewidth=1.2)
    ax.plot(eff, y, "s", color="black", markersize=5)
    for yi, prefix, colour in ((1, "fe", "#0072B2"), (0, "re", "#D55E00")):
        lo, est, hi = result[f"{prefix}_ci_lower"], result[f"{prefix}_estimate"], result[f"{prefix}_ci_upper"]
        ax.fill([lo, est, hi, est], [yi, yi + 0.25, yi, yi - 0.25], color=colour)
    ax.axvline(0, color="black", linewidth=0.8, linestyle="--")
    ax.set_yticks([*y, 1, 0], [*estimates["study_id"], "Fixed effect", "Random effects (DL)"], fontsize=8)
    ax.set_xlabel("Mean difference (95% CI)")
    ax.set_title(f"{title}\nQ = {result['q']:.2f}, I² = {100 * result['i2']:.0f}%, tau² = {result['tau2']:.3f}", fontsize=9)
    fig.tight_layout()
    return fig
