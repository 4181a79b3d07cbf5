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
from statsmodels.stats.meta_analysis import combine_effects

from .favours import favours_column, null_value, side_labels

Z95 = 1.959963984540054
MEAN_DIFFERENCE = "mean difference"
POOL_KEY = ["domain", "measure", "time_point"]


def _scale_info(scales: pd.DataFrame | None) -> dict[str, dict]:
    if scales is None or scales.empty:
        return {}
    return {r.scale_id: {"name": r.name, "better": r.better} for r in scales.itertuples(index=False)}


def summary_of_findings(pooled: pd.DataFrame, scales: pd.DataFrame | None = None) -> pd.DataFrame:
    """The review's summary-of-findings rows (those with a GRADE rating), as a plain table. The finding is
    computed from the scale's direction and the CI: 'favours exercise' only where the CI excludes no difference."""
    columns = ["outcome", "better", "time_point", "effect_measure", "estimate", "ci_lower", "ci_upper",
               "studies", "participants", "certainty", "finding", "reported_by"]
    sof = pooled.loc[pooled["analysis"] == "SoF"] if len(pooled) else pooled
    if sof.empty:
        return pd.DataFrame(columns=columns)
    info = _scale_info(scales)
    scale = sof["scale_id"].map(lambda s: info.get(s, {}))
    frame = pd.DataFrame({
        "outcome": sof["outcome"],
        "better": scale.map(lambda s: s.get("better", "not recorded")),
        "time_point": sof["time_point"].fillna(""),
        "effect_measure": sof["effect_measure"],
        "estimate": sof["effect"],
        "ci_lower": sof["ci_lower"],
        "ci_upper": sof["ci_upper"],
        "studies": sof["n_studies"],
        "participants": sof["n_participants"],
        "certainty": sof["certainty"].fillna("").str.replace("_", " "),
        "finding": favours_column(sof, scales),
        "reported_by": sof["study_id"],
    })
    return frame[columns].reset_index(drop=True)


def reported_analyses(pooled: pd.DataFrame, scales: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every analysis the review reports (without the summary-of-findings duplicates), ordered by analysis
    number, with the finding each supports (computed from scale direction and CI)."""
    rows = pooled.loc[pooled["analysis"] != "SoF"].copy() if len(pooled) else pooled.copy()
    if rows.empty:
        return rows.assign(finding=pd.Series(dtype=object))
    number = rows["analysis"].str.split(".", expand=True).astype(float)
    rows = rows.assign(_a=number[0], _b=number[1]).sort_values(["_a", "_b"]).drop(columns=["_a", "_b"])
    rows["finding"] = favours_column(rows, scales)
    return rows.reset_index(drop=True)


NOT_RECORDED = "scale not recorded"


def _scale_panels(rows: pd.DataFrame, info: dict) -> list[tuple[str, pd.DataFrame]]:
    """Rows grouped by scale in order of first appearance; rows without a known scale share one panel."""
    key = rows["scale_id"].where(rows["scale_id"].isin(list(info)), NOT_RECORDED) if "scale_id" in rows else \
        pd.Series(NOT_RECORDED, index=rows.index)
    return [(k, rows.loc[key == k]) for k in dict.fromkeys(key)]


def _favours_axis(ax, better, null: float, lows, highs) -> None:
    """Centre the axis on no difference and say over each half which arm it favours."""
    reach = max(np.max(np.abs(np.asarray(highs, float) - null)), np.max(np.abs(np.asarray(lows, float) - null)))
    reach = reach * 1.15 if reach > 0 else 1.0
    ax.set_xlim(null - reach, null + reach)
    ax.axvline(null, color="black", linewidth=0.8, linestyle="--")
    left, right = side_labels(better)
    ax.text(0.0, 1.02, left, transform=ax.transAxes, ha="left", va="bottom", fontsize=7, style="italic")
    ax.text(1.0, 1.02, right, transform=ax.transAxes, ha="right", va="bottom", fontsize=7, style="italic")


def plot_reported_forest(rows: pd.DataFrame, title: str, scales: pd.DataFrame | None = None,
                         label_column: str = "outcome"):
    """Forest-style chart of reported estimates with their 95% CIs (as published; no pooling here): one panel
    per scale, each centred on no difference and labelled with the side that favours exercise, and a
    per-row note of what the CI supports."""
    if rows.empty:
        fig, ax = plt.subplots(figsize=(9, 2.2))
        ax.text(0.5, 0.5, "No reported results in this selection", ha="center", va="center")
        ax.set_axis_off()
        return fig
    info = _scale_info(scales)
    panels = _scale_panels(rows, info)
    heights = [len(p) + 2.2 for _, p in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 0.36 * sum(heights) + 0.9), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, (scale_id, part) in zip(axes[:, 0], panels):
        scale = info.get(scale_id, {})
        better = scale.get("better")
        y = np.arange(len(part))[::-1]
        ax.hlines(y, part["ci_lower"], part["ci_upper"], color="#0072B2", linewidth=1.6)
        ax.plot(part["effect"], y, "s", color="#0072B2", markersize=5)
        _favours_axis(ax, better, null_value(part["effect_measure"].iloc[0]), part["ci_lower"], part["ci_upper"])
        labels = [f"{r[label_column]}" + (f" [{r['analysis']}]" if r.get("analysis", "SoF") != "SoF" else "")
                  for _, r in part.iterrows()]
        ax.set_yticks(y, labels, fontsize=7)
        ax.set_ylim(-0.7, len(part) - 0.3)
        findings = favours_column(part, scales)
        for yi, (_, r), finding in zip(y, part.iterrows(), findings):
            ax.annotate(f"{r['effect']:.2f} [{r['ci_lower']:.2f}, {r['ci_upper']:.2f}]  {finding}", (1.02, yi),
                        xycoords=("axes fraction", "data"), fontsize=7, va="center")
        name = scale.get("name", NOT_RECORDED)
        direction = f"{better} is better" if better else "direction not recorded"
        ax.set_xlabel(f"{name} ({direction}): {part['effect_measure'].iloc[0]}, exercise minus control", fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(title, fontsize=10)
    height, top, bottom, gap = fig.get_figheight(), 0.55, 0.5, 0.85  # inches
    mean_axes = (height - top - bottom - gap * (len(panels) - 1)) / len(panels)
    fig.subplots_adjust(left=0.36, right=0.66, top=1 - top / height, bottom=bottom / height, hspace=gap / mean_axes)
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
                     "time_point": r.time_point or "", "scale_id": getattr(r, "scale_id", None), "effect": effect,
                     "variance": variance, "basis": basis})
    return pd.DataFrame(rows, columns=["study_id", "outcome_id", *POOL_KEY, "scale_id", "effect", "variance", "basis"])


def pool(estimates: pd.DataFrame) -> dict:
    """Inverse-variance fixed effect and DerSimonian-Laird random effects over one set of study estimates."""
    with warnings.catch_warnings():
        # statsmodels also computes Hartung-Knapp variants we do not report; with tau² = 0 their square roots warn.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = combine_effects(estimates["effect"].to_numpy(float), estimates["variance"].to_numpy(float),
                                 method_re="dl", row_names=list(estimates["study_id"]))
    frame = result.summary_frame()
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


def plot_forest(estimates: pd.DataFrame, result: dict, title: str, scales: pd.DataFrame | None = None):
    """Forest plot of study estimates with the fixed- and random-effects diamonds, centred on no difference and
    labelled with the side that favours exercise (from the scale the estimates share; unknown when they do not)."""
    if len(estimates) > MAX_FOREST_ROWS:
        title = f"{title} ({len(estimates)} studies; study rows omitted)"
        estimates = estimates.iloc[0:0]
    info = _scale_info(scales)
    shared = estimates["scale_id"].dropna().unique() if "scale_id" in estimates else []
    scale = info.get(shared[0], {}) if len(shared) == 1 and estimates["scale_id"].notna().all() else {}
    k = len(estimates)
    fig, ax = plt.subplots(figsize=(8, 0.45 * (k + 3) + 1.4))
    se = np.sqrt(estimates["variance"].to_numpy(float))
    eff = estimates["effect"].to_numpy(float)
    y = np.arange(k)[::-1] + 2
    ax.hlines(y, eff - Z95 * se, eff + Z95 * se, color="black", linewidth=1.2)
    ax.plot(eff, y, "s", color="black", markersize=5)
    for yi, prefix, colour in ((1, "fe", "#0072B2"), (0, "re", "#D55E00")):
        lo, est, hi = result[f"{prefix}_ci_lower"], result[f"{prefix}_estimate"], result[f"{prefix}_ci_upper"]
        ax.fill([lo, est, hi, est], [yi, yi + 0.25, yi, yi - 0.25], color=colour)
    lows = [*(eff - Z95 * se), result["fe_ci_lower"], result["re_ci_lower"]]
    highs = [*(eff + Z95 * se), result["fe_ci_upper"], result["re_ci_upper"]]
    _favours_axis(ax, scale.get("better"), 0.0, lows, highs)
    ax.set_yticks([*y, 1, 0], [*estimates["study_id"], "Fixed effect", "Random effects (DL)"], fontsize=8)
    direction = f"{scale['name']}, {scale['better']} is better" if scale else "scale direction not recorded"
    ax.set_xlabel(f"Mean difference, exercise minus control (95% CI); {direction}")
    ax.set_title(f"{title}\nQ = {result['q']:.2f}, I² = {100 * result['i2']:.0f}%, tau² = {result['tau2']:.3f}",
                 fontsize=9, pad=16)
    fig.tight_layout()
    return fig
