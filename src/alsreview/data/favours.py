"""Which arm a result favours, computed from the scale's better direction and the 95% CI, never curated.

Estimates are exercise minus control (differences) or exercise over control (ratios). A result favours
exercise only when its whole confidence interval lies on the side of no difference that the scale calls
better; a CI that includes no difference is 'no clear difference', whatever the point estimate.
"""
from __future__ import annotations

import pandas as pd

FAVOURS_EXERCISE = "favours exercise"
FAVOURS_CONTROL = "favours control"
NO_CLEAR_DIFFERENCE = "no clear difference"
DIRECTION_UNKNOWN = "not known: scale direction not recorded"
NO_INTERVAL = "not known: no confidence interval"
# The outcome direction each CI-based finding allows (validate.py checks outcome rows against it).
DIRECTIONS_ALLOWED = {
    FAVOURS_EXERCISE: ("beneficial",),
    FAVOURS_CONTROL: ("harmful",),
    NO_CLEAR_DIFFERENCE: ("no_effect", "unclear"),
}


def null_value(effect_measure) -> float:
    """No difference: 1 for ratio measures, 0 for differences."""
    return 1.0 if isinstance(effect_measure, str) and "ratio" in effect_measure.lower() else 0.0


def favours(effect_measure, ci_lower, ci_upper, better) -> str:
    """The finding one estimate supports, given whether higher or lower scores are better."""
    if better not in ("higher", "lower"):
        return DIRECTION_UNKNOWN
    if pd.isna(ci_lower) or pd.isna(ci_upper):
        return NO_INTERVAL
    null = null_value(effect_measure)
    if ci_lower > null:
        above = True
    elif ci_upper < null:
        above = False
    else:
        return NO_CLEAR_DIFFERENCE
    return FAVOURS_EXERCISE if above == (better == "higher") else FAVOURS_CONTROL


def better_of(frame: pd.DataFrame, scales: pd.DataFrame | None) -> pd.Series:
    """Each row's scale direction ('higher', 'lower' or None): through its scale_id, else the row's own `better`
    (a pooled result on several scales, such as a standardised mean difference, has no single scale)."""
    own = frame["better"] if "better" in frame else pd.Series(None, index=frame.index, dtype=object)
    if scales is None or scales.empty or "scale_id" not in frame:
        looked_up = pd.Series(None, index=frame.index, dtype=object)
    else:
        looked_up = frame["scale_id"].map(scales.set_index("scale_id")["better"])
    combined = looked_up.where(looked_up.notna(), own)
    return combined.astype(object).where(combined.notna() & (combined != ""), None)


def favours_column(frame: pd.DataFrame, scales: pd.DataFrame | None) -> pd.Series:
    """favours() for every row of a table with effect_measure, ci_lower, ci_upper and scale_id."""
    better = better_of(frame, scales)
    return pd.Series([favours(m, lo, hi, b) for m, lo, hi, b in
                      zip(frame["effect_measure"], frame["ci_lower"], frame["ci_upper"], better)],
                     index=frame.index, dtype=object)


def side_labels(better) -> tuple[str, str]:
    """What the left and right of a forest plot's axis favour (estimates as exercise minus control)."""
    if better == "higher":
        return "\u2190 favours control", "favours exercise \u2192"
    if better == "lower":
        return "\u2190 favours exercise", "favours control \u2192"
    return "scale direction not recorded:", "which side favours exercise is unknown"
