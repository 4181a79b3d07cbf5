"""Quantitative synthesis: the pooled results systematic reviews report, and our own pooling of trials.

Reported results (pooled_results.csv) are shown as they were published, never recomputed. Our pooling takes
controlled trials of exercise against no added exercise (usual care, sham, no intervention) and only the
estimates the curated rows hold: a mean difference with its 95% CI, or n, mean and SD per arm. It uses random
effects with a REML between-study variance and the Hartung-Knapp-Sidik-Jonkman interval (statsmodels supplies
the fixed effect, Q, I², and the DL and Paule-Mandel estimators). Nothing is back-calculated to make a pooling
possible; a secondary analysis may use a row's recorded assumptions, and says so.
"""
from __future__ import annotations

import re
import textwrap
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .favours import favours_column, null_value, side_labels
from .export import PRINT_WIDTH_IN

Z95 = 1.959963984540054
MEAN_DIFFERENCE = "mean difference"


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
    """Every numbered analysis a review reports (Cochrane style, e.g. 1.2; without the summary-of-findings
    duplicates), ordered by review and analysis number, with the finding each supports (from scale direction and
    CI). Results that other reviews name in words are listed by the living update's table of meta-analyses."""
    numbered = pooled["analysis"].astype(str).str.fullmatch(r"\d+(\.\d+)+") if len(pooled) else pd.Series(dtype=bool)
    rows = pooled.loc[numbered].copy() if len(pooled) else pooled.copy()
    if rows.empty:
        return rows.assign(finding=pd.Series(dtype=object))
    number = rows["analysis"].str.split(".", expand=True).astype(float)
    rows = rows.assign(_a=number[0], _b=number[1]).sort_values(["study_id", "_a", "_b"]).drop(columns=["_a", "_b"])
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
    ax.text(0.0, 1.02, left, transform=ax.transAxes, ha="left", va="bottom", fontsize=6, style="italic")
    ax.text(1.0, 1.02, right, transform=ax.transAxes, ha="right", va="bottom", fontsize=6, style="italic")


def plot_reported_forest(rows: pd.DataFrame, title: str, scales: pd.DataFrame | None = None,
                         label_column: str = "outcome"):
    """Forest-style chart of reported estimates with their 95% CIs (as published; no pooling here): one panel
    per scale, each centred on no difference and labelled with the side that favours exercise, and a
    per-row note of what the CI supports."""
    if rows.empty:
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, 1.2))
        ax.text(0.5, 0.5, "No reported results in this selection", ha="center", va="center")
        ax.set_axis_off()
        return fig
    info = _scale_info(scales)
    panels = _scale_panels(rows, info)
    heights = [len(p) + 2.2 for _, p in panels]
    # Row height chosen so the whole chart and its caption fit one A4 text block.
    fig, axes = plt.subplots(len(panels), 1, figsize=(PRINT_WIDTH_IN, 0.25 * sum(heights) + 0.9), squeeze=False,
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
        ax.set_yticks(y, labels, fontsize=6)
        ax.set_ylim(-0.7, len(part) - 0.3)
        findings = favours_column(part, scales)
        for yi, (_, r), finding in zip(y, part.iterrows(), findings):
            ax.annotate(f"{r['effect']:.2f} [{r['ci_lower']:.2f}, {r['ci_upper']:.2f}] {finding}", (1.02, yi),
                        xycoords=("axes fraction", "data"), fontsize=6, va="center")
        name = scale.get("name", NOT_RECORDED)
        direction = f"{better} is better" if better else "direction not recorded"
        ax.set_xlabel(textwrap.fill(f"{name} ({direction}): {part['effect_measure'].iloc[0]}, exercise minus control", 95),
                      fontsize=6.5)
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(title, fontsize=10)
    height, top, bottom, gap = fig.get_figheight(), 0.55, 0.5, 0.8  # inches
    mean_axes = (height - top - bottom - gap * (len(panels) - 1)) / len(panels)
    fig.subplots_adjust(left=0.42, right=0.70, top=1 - top / height, bottom=bottom / height, hspace=gap / mean_axes)
    return fig


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


# --- Our meta-analysis of controlled trials in people with ALS (the living update) ---------------------------------

NO_ADDED_EXERCISE = ("usual_care", "sham", "no_intervention")
COMPARATOR_KINDS = {
    "usual_care": "usual care",
    "sham": "sham training",
    "stretching_rom": "stretching or range of motion",
    "other_dose": "another dose of the same exercise",
    "other_exercise": "another exercise",
    "no_intervention": "no intervention",
}
WINDOWS = ((0, 13.5, "up to 3 months"), (13.5, 27.5, "4 to 6 months"), (27.5, 1e9, "over 6 months"))
_UNIT_WEEKS = {"day": 1 / 7, "week": 1.0, "month": 52 / 12, "year": 52.0}


def time_window(time_point) -> str:
    """Follow-up window of a stated time point ('12 weeks', '6 months'), so that trials can be pooled by time."""
    match = re.search(r"(\d+(?:\.\d+)?)\s*(day|week|month|year)s?", str(time_point or ""), flags=re.IGNORECASE)
    if not match:
        return ""
    weeks = float(match.group(1)) * _UNIT_WEEKS[match.group(2).lower()]
    return next(label for low, high, label in WINDOWS if low < weeks <= high)


CONTRAST_COLUMNS = ["study_id", "outcome_id", "domain", "scale", "better", "time_point", "window", "n_exercise",
                    "mean_exercise", "sd_exercise", "n_control", "mean_control", "sd_control", "effect", "variance",
                    "basis", "assumption"]


def _reason_given(row, field: str) -> str:
    value = getattr(row, field, None)
    return value.strip() if isinstance(value, str) else ""


def _arm_numbers(r, n_randomised: pd.Series, assumptions: bool):
    """(numbers, assumption text, reason not usable) for an arm-level contrast."""
    notes = []
    n_e, n_c = r.n_exercise, r.n_control
    if pd.isna(n_e) or pd.isna(n_c):
        reason = _reason_given(r, "n_from_randomised_reason")
        if not (assumptions and reason):
            return None, "", "number analysed per arm not stated"
        n_e = n_e if pd.notna(n_e) else n_randomised.get(r.arm_id)
        n_c = n_c if pd.notna(n_c) else n_randomised.get(r.comparator_arm_id)
        if pd.isna(n_e) or pd.isna(n_c):
            return None, "", "number analysed per arm not stated, nor the number randomised"
        notes.append(f"n analysed taken as n randomised ({reason})")
    if r.spread_type != "sd":
        reason = _reason_given(r, "spread_as_sd_reason")
        if not (r.spread_type == "unstated_plus_minus" and assumptions and reason):
            kind = {"unstated_plus_minus": "'±' of unstated kind", "se": "spread is an SE"}.get(r.spread_type,
                                                                                              "spread not stated as an SD")
            return None, "", kind
        notes.append(f"'±' read as SD ({reason})")
    return (n_e, r.mean_exercise, r.sd_exercise, n_c, r.mean_control, r.sd_control), "; ".join(notes), ""


def trial_candidates(outcomes: pd.DataFrame, arms: pd.DataFrame, scales: pd.DataFrame | None = None,
                     assumptions: bool = False) -> pd.DataFrame:
    """Every trial outcome against a comparator arm, with its contrast where one can be formed, or why not.

    A contrast needs a comparator with no added exercise (usual care, sham or no intervention), a time point, and
    either arm means with SDs and the numbers analysed, or a mean difference with its 95% CI. Without
    `assumptions` only what the page states counts. With them, a row may also use a '±' of unstated kind as an SD
    and the numbers randomised as the numbers analysed, but only where the row records why (spread_as_sd_reason,
    n_from_randomised_reason); the assumption column then says which was made.
    """
    columns = CONTRAST_COLUMNS + ["comparator_kind", "usable", "reason"]
    if outcomes.empty or "comparator_arm_id" not in outcomes.columns or "comparator_kind" not in arms.columns:
        return pd.DataFrame(columns=columns)
    kinds = arms.set_index("arm_id")["comparator_kind"]
    n_randomised = arms.set_index("arm_id")["n_randomised"] if "n_randomised" in arms.columns else pd.Series(dtype=float)
    rows = outcomes.loc[outcomes["comparator_arm_id"].notna()]
    better_of = scales.set_index("scale_id")["better"] if scales is not None and len(scales) else pd.Series(dtype=str)
    out = []
    for r in rows.itertuples(index=False):
        scale_id = getattr(r, "scale_id", None)
        scale = scale_id if isinstance(scale_id, str) and scale_id else r.measure
        kind = kinds.get(r.comparator_arm_id)
        row = {"study_id": r.study_id, "outcome_id": r.outcome_id, "domain": r.domain, "scale": scale,
               "better": better_of.get(scale, ""), "time_point": r.time_point or "", "window": time_window(r.time_point),
               "comparator_kind": kind, "usable": False, "reason": "", "assumption": ""}
        has_groups = all(pd.notna(v) for v in (r.mean_exercise, r.sd_exercise, r.mean_control, r.sd_control))
        has_md = (isinstance(r.effect_measure, str) and r.effect_measure.lower() == MEAN_DIFFERENCE and
                  pd.notna(r.effect) and pd.notna(r.ci_lower) and pd.notna(r.ci_upper) and r.ci_upper > r.ci_lower)
        if kind not in NO_ADDED_EXERCISE:
            row["reason"] = f"comparator is {COMPARATOR_KINDS.get(kind, 'not described')}, not 'no added exercise'"
        elif not row["window"]:
            row["reason"] = "time point not stated in weeks, months or years"
        elif has_groups:
            numbers, assumption, reason = _arm_numbers(r, n_randomised, assumptions)
            if numbers is None:
                row["reason"] = reason
            elif numbers[0] < 2 or numbers[3] < 2:
                row["reason"] = "fewer than two subjects in an arm"
            else:
                n_e, m_e, sd_e, n_c, m_c, sd_c = numbers
                row.update(dict(zip(CONTRAST_COLUMNS[7:13], numbers)), effect=m_e - m_c,
                           variance=sd_e ** 2 / n_e + sd_c ** 2 / n_c, usable=True, assumption=assumption,
                           basis="arm means and SDs")
        elif has_md:
            row.update(effect=r.effect, variance=((r.ci_upper - r.ci_lower) / (2 * Z95)) ** 2, usable=True,
                       basis="mean difference and 95% CI", n_exercise=r.n_exercise, n_control=r.n_control)
        else:
            row["reason"] = "no arm means with spread, and no mean difference with a 95% CI"
        out.append(row)
    return pd.DataFrame(out, columns=columns)


def trial_contrasts(outcomes: pd.DataFrame, arms: pd.DataFrame, scales: pd.DataFrame | None = None,
                    assumptions: bool = False) -> pd.DataFrame:
    """The usable exercise-versus-no-added-exercise contrasts (see `trial_candidates`)."""
    return usable_contrasts(trial_candidates(outcomes, arms, scales, assumptions=True), assumptions)


def usable_contrasts(candidates: pd.DataFrame, assumptions: bool) -> pd.DataFrame:
    """The contrasts of one candidates table (built with assumptions) for either analysis: a row usable as stated
    carries no assumption, so the primary analysis is the rows whose assumption column is empty."""
    keep = candidates["usable"] & (assumptions | (candidates["assumption"] == ""))
    return candidates.loc[keep, CONTRAST_COLUMNS].reset_index(drop=True)


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
    from .favours import DIRECTION_UNKNOWN, favours

    columns = ["pool_id", "label", "domain", "window", "effect_measure", "scales", "k", "participants", "trials",
               "re_estimate", "re_ci_lower", "re_ci_upper", "pi_lower", "pi_upper", "tau2", "i2", "q", "method",
               "favours", "not_used"]
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
        participants = (estimates["n_exercise"].fillna(0) + estimates["n_control"].fillna(0)).sum()
        rows.append({
            "pool_id": f"{domain}-{window.replace(' ', '_')}", "label": f"{domain.replace('_', ' ')}, {window}",
            "domain": domain, "window": window, "effect_measure": measure, "scales": "; ".join(sorted(first["scale"].unique())),
            "k": result["k"], "participants": int(participants) or None, "trials": "; ".join(estimates["study_id"]),
            **{c: result[c] for c in ("re_estimate", "re_ci_lower", "re_ci_upper", "pi_lower", "pi_upper", "tau2", "q", "method")},
            "i2": 100 * result["i2"],  # percent, as published meta-analyses print it
            "favours": favours(measure, result["re_ci_lower"], result["re_ci_upper"], better) if better else DIRECTION_UNKNOWN,
            "not_used": "; ".join(not_used),
        })
    return pd.DataFrame(rows, columns=columns)


def sensitivity_without(contrasts: pd.DataFrame, excluded: set[str]) -> pd.DataFrame:
    """The same pooling with some trials left out (e.g. high risk of bias or baseline imbalance)."""
    return pooled_trials(contrasts.loc[~contrasts["study_id"].isin(excluded)])


def beside_published(ours: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Our pooled estimates next to the published meta-analyses of the same outcome domain that print an estimate."""
    columns = ["domain", "window", "time_point", "source", "effect_measure", "trials", "participants", "estimate",
               "ci_lower", "ci_upper", "i2"]
    rows = []
    for r in ours.itertuples(index=False):
        source = f"this review, {r.analysis}" if isinstance(getattr(r, "analysis", None), str) else "this review"
        rows.append({"domain": r.domain, "window": r.window, "time_point": r.window, "source": source,
                     "effect_measure": r.effect_measure,
                     "trials": r.k, "participants": r.participants, "estimate": r.re_estimate,
                     "ci_lower": r.re_ci_lower, "ci_upper": r.re_ci_upper, "i2": r.i2})
    if len(ours) and len(published):
        # Summary-of-findings rows repeat a numbered analysis of the same review, so they are left out here.
        same = published.loc[published["domain"].isin(set(ours["domain"])) & published["effect"].notna()
                             & (published["analysis"] != "SoF")]
        for p in same.itertuples(index=False):
            rows.append({"domain": p.domain, "window": time_window(p.time_point) or "not stated",
                         "time_point": p.time_point, "source": p.study_id,
                         "effect_measure": p.effect_measure, "trials": p.n_studies, "participants": p.n_participants,
                         "estimate": p.effect, "ci_lower": p.ci_lower, "ci_upper": p.ci_upper,
                         "i2": getattr(p, "i2", None)})
    frame = pd.DataFrame(rows, columns=columns)
    order = {label: i for i, (_, _, label) in enumerate(WINDOWS)}
    frame["_w"] = frame["window"].map(order).fillna(len(order))
    frame["_s"] = (~frame["source"].str.startswith("this review")).astype(int)
    return frame.sort_values(["domain", "_w", "_s", "source"], kind="stable").drop(columns=["_w", "_s"]).reset_index(drop=True)


def _draw_trial_forest(ax, contrasts: pd.DataFrame, pooled: pd.Series, title: str) -> None:
    """One pooled analysis on one axis: trials, the random-effects diamond, its prediction interval (three or more
    trials), and which side of zero favours exercise (from the scale's better direction; Hedges' g is signed so
    that the right always favours exercise)."""
    from .favours import side_labels

    smd = pooled["effect_measure"] == "standardised mean difference"
    better = "higher" if smd else (contrasts["better"].iloc[0] if len(contrasts) else "")
    k = len(contrasts)
    se = np.sqrt(contrasts["variance"].to_numpy(float))
    effect = contrasts["effect"].to_numpy(float)
    y = np.arange(k)[::-1] + 1.5
    ax.hlines(y, effect - Z95 * se, effect + Z95 * se, color="black", linewidth=1.1)
    ax.plot(effect, y, "s", color="black", markersize=5)
    lo, est, hi = pooled["re_ci_lower"], pooled["re_estimate"], pooled["re_ci_upper"]
    ax.fill([lo, est, hi, est], [0, 0.28, 0, -0.28], color="#0072B2")
    if pd.notna(pooled.get("pi_lower")):
        ax.hlines(-0.55, pooled["pi_lower"], pooled["pi_upper"], color="#0072B2", linewidth=1.0, linestyle=":")
    ax.axvline(0, color="black", linewidth=0.8, linestyle="--")
    labels = [f"{s} (n = {int(a + b)})" if pd.notna(a) and pd.notna(b) else s
              for s, a, b in zip(contrasts["study_id"], contrasts["n_exercise"], contrasts["n_control"])]
    ax.set_yticks([*y, 0], [*labels, f"Pooled ({pooled['k']} trials)"], fontsize=8)
    for yi, e, s in zip(y, effect, se):
        ax.annotate(f"{e:.2f} [{e - Z95 * s:.2f}, {e + Z95 * s:.2f}]", (1.02, yi), xycoords=("axes fraction", "data"),
                    fontsize=7, va="center")
    ax.annotate(f"{est:.2f} [{lo:.2f}, {hi:.2f}]", (1.02, 0), xycoords=("axes fraction", "data"), fontsize=7,
                va="center", weight="bold")
    measure = "Hedges' g" if smd else f"Mean difference on the {pooled['scales']}"
    ax.set_xlabel(textwrap.fill(f"{measure} (exercise minus control, 95% CI)", 60), fontsize=8)
    left, right = side_labels(better)
    ax.annotate(left, (0.0, 1.02), xycoords="axes fraction", fontsize=7, ha="left", va="bottom", style="italic")
    ax.annotate(right, (1.0, 1.02), xycoords="axes fraction", fontsize=7, ha="right", va="bottom", style="italic")
    ax.set_ylim(-1.0, k + 1.2)
    ax.tick_params(axis="x", labelsize=8)
    pi = "" if pd.isna(pooled.get("pi_lower")) else "; dotted: 95% prediction interval"
    ax.set_title(f"{title}\nI² = {pooled['i2']:.0f}%, τ² = {pooled['tau2']:.2f}{pi}", fontsize=8, pad=14)


def plot_trial_forests(panels: list[tuple[pd.DataFrame, pd.Series, str]]):
    """All pooled analyses in one figure, one panel each (contrasts, pooled row, panel title); a figure that says
    so when nothing could be pooled."""
    if not panels:
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, 1.2))
        ax.text(0.5, 0.5, "No outcome had two or more trials with usable numbers", ha="center", va="center", fontsize=8)
        ax.set_axis_off()
        return fig
    heights = [len(c) + 3.5 for c, _, _ in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(PRINT_WIDTH_IN, 0.36 * sum(heights) + 0.6), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, (contrasts, pooled, title) in zip(axes[:, 0], panels):
        _draw_trial_forest(ax, contrasts, pooled, title)
    fig.subplots_adjust(left=0.3, right=0.72)
    fig.tight_layout(rect=(0, 0, 0.78, 1))
    return fig


def our_meta_analysis(tables: dict[str, pd.DataFrame], assumptions: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trial contrasts that qualify and what pooling them gives (REML tau², HKSJ CI): one call for the
    notebook, the values and the release snapshot alike. `assumptions` adds the rows usable only under their
    recorded assumptions (the secondary analysis)."""
    contrasts = trial_contrasts(tables["outcomes"], tables["interventions"], tables.get("scales"), assumptions)
    return contrasts, pooled_trials(contrasts)
