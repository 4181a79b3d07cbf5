"""Forest plots: the reported results of published reviews (one panel per scale), and our own pooled analyses
(trials, the random-effects diamond and its prediction interval), each axis centred on no difference and labelled
with the side that favours exercise.
"""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.transforms import blended_transform_factory

from ..data.favours import favours_column, null_value, side_labels
from .bias import JUDGEMENT_STYLE
from .figure_style import PRINT_WIDTH_IN
from .pooling import Z95
from .reported import scale_info

NOT_RECORDED = "scale not recorded"
LEFT, RIGHT = 0.50, 0.64  # the reported forest's axes: labels to the left, estimates and findings to the right
LABEL_CHARS = 50  # outcome labels wrap beyond this, so at 7 pt they stay inside the left half of the figure
RISK_OF_BIAS_AT = 0.955  # figure fraction of the risk-of-bias column: right of the printed estimates


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
    # One centred line: two labels at the axis ends would print over each other on a narrow panel.
    ax.text(0.5, 1.03, f"{left}   |   {right}", transform=ax.transAxes, ha="center", va="bottom", fontsize=7,
            style="italic")


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
    info = scale_info(scales)
    panels = _scale_panels(rows, info)
    heights = [len(p) + 0.8 for _, p in panels]
    gap = 0.62  # inches between panels: the x ticks, a one-line axis label and the next panel's side labels
    height, top, bottom = 0.22 * sum(heights) + 1.05 + gap * (len(panels) - 1), 0.55, 0.5
    # Rows of 0.22 in keep a two-line 7-pt label clear of its neighbours; the chart and caption fit one A4 page.
    fig, axes = plt.subplots(len(panels), 1, figsize=(PRINT_WIDTH_IN, height), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, (scale_id, part) in zip(axes[:, 0], panels):
        scale = info.get(scale_id, {})
        better = scale.get("better")
        y = np.arange(len(part))[::-1]
        ax.hlines(y, part["ci_lower"], part["ci_upper"], color="#0072B2", linewidth=1.6)
        ax.plot(part["effect"], y, "s", color="#0072B2", markersize=5)
        _favours_axis(ax, better, null_value(part["effect_measure"].iloc[0]), part["ci_lower"], part["ci_upper"])
        labels = [textwrap.fill(f"{r[label_column]}" + (f" [{r['analysis']}]" if r.get("analysis", "SoF") != "SoF" else ""),
                                LABEL_CHARS) for _, r in part.iterrows()]
        ax.set_yticks(y, labels, fontsize=7)
        ax.set_ylim(-0.7, len(part) - 0.3)
        findings = favours_column(part, scales)
        for yi, (_, r), finding in zip(y, part.iterrows(), findings):
            ax.annotate(f"{r['effect']:.2f} [{r['ci_lower']:.2f}, {r['ci_upper']:.2f}] {finding}", (1.02, yi),
                        xycoords=("axes fraction", "data"), fontsize=7, va="center")
        name = scale.get("name", NOT_RECORDED)
        direction = f"{better} is better" if better else "direction not recorded"
        ax.set_xlabel(textwrap.fill(f"{name}, {direction}: {part['effect_measure'].iloc[0]}, exercise − control", 110),
                      fontsize=7)
        ax.xaxis.label.set_x((0.5 - LEFT) / (RIGHT - LEFT))  # centred on the figure: the whole width for the label
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(title, fontsize=10)
    mean_axes = (height - top - bottom - gap * (len(panels) - 1)) / len(panels)
    fig.subplots_adjust(left=LEFT, right=RIGHT, top=1 - top / height, bottom=bottom / height, hspace=gap / mean_axes)
    return fig


def _draw_trial_forest(ax, contrasts: pd.DataFrame, pooled: pd.Series, title: str, risk_of_bias: dict[str, str],
                       names: dict[str, str]) -> None:
    """One pooled analysis on one axis: trials, the random-effects diamond, its prediction interval (three or more
    trials), which side of zero favours exercise (from the scale's better direction; Hedges' g is signed so
    that the right always favours exercise), and each trial's overall risk of bias in the robvis colours."""
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
    shown = [names.get(s, s) for s in contrasts["study_id"]]
    labels = [f"{s} (n = {int(a + b)})" if pd.notna(a) and pd.notna(b) else s
              for s, a, b in zip(shown, contrasts["n_exercise"], contrasts["n_control"])]
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
    few = ""
    if bool(pooled.get("few_trials", False)):  # the few-trials rule: the other two intervals beside Hartung-Knapp
        few = (f"\nFew trials: fixed effect {pooled['fe_estimate']:.2f} [{pooled['fe_ci_lower']:.2f}, "
               f"{pooled['fe_ci_upper']:.2f}]; Wald [{pooled['wald_ci_lower']:.2f}, {pooled['wald_ci_upper']:.2f}]")
    ax.set_title(f"{title}\nI² = {pooled['i2']:.0f}%, τ² = {pooled['tau2']:.2f}{pi}{few}", fontsize=8, pad=14)


def _risk_of_bias_column(ax, y, judgements: list[str], k: int) -> None:
    """A circle per trial right of its numbers: our overall risk-of-bias judgement (blank circle: not judged).
    Drawn after the layout is fixed, at the same place on the page for every panel."""
    where = blended_transform_factory(ax.figure.transFigure, ax.transData)
    ax.text(RISK_OF_BIAS_AT, k + 0.9, "RoB", transform=where, ha="center", va="center", fontsize=7, weight="bold")
    for yi, judgement in zip(y, judgements):
        colour, symbol, _ = JUDGEMENT_STYLE.get(judgement, ("#ffffff", "", ""))
        ax.scatter([RISK_OF_BIAS_AT], [yi], s=70, color=colour, edgecolor="black", linewidth=0.5, transform=where,
                   clip_on=False, zorder=3)
        ax.text(RISK_OF_BIAS_AT, yi, symbol or "n/a", transform=where, ha="center", va="center",
                fontsize=7 if symbol else 5, zorder=4)


def plot_trial_forests(panels: list[tuple[pd.DataFrame, pd.Series, str]], risk_of_bias: dict[str, str] | None = None,
                       names: dict[str, str] | None = None):
    """All pooled analyses in one figure, one panel each (contrasts, pooled row, panel title), trials named as
    readers know them and each with our overall risk of bias; a figure that says so when nothing could be pooled."""
    if not panels:
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, 1.2))
        ax.text(0.5, 0.5, "No outcome had two or more trials with usable numbers", ha="center", va="center", fontsize=8)
        ax.set_axis_off()
        return fig
    heights = [len(c) + 3.5 for c, _, _ in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(PRINT_WIDTH_IN, 0.36 * sum(heights) + 0.6), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, (contrasts, pooled, title) in zip(axes[:, 0], panels):
        _draw_trial_forest(ax, contrasts, pooled, title, risk_of_bias or {}, names or {})
    fig.tight_layout(rect=(0, 0, 0.92, 1))  # the estimates printed right of each axis end before the RoB column
    for ax, (contrasts, _, _) in zip(axes[:, 0], panels):
        y = np.arange(len(contrasts))[::-1] + 1.5
        _risk_of_bias_column(ax, y, [(risk_of_bias or {}).get(s, "") for s in contrasts["study_id"]], len(contrasts))
    return fig
