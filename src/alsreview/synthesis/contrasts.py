"""Trial contrasts: which outcome rows of controlled trials in people with ALS can enter our pooling, and why not.

A contrast compares an exercise arm with a comparator arm that adds no exercise (usual care with or without
stretching, or sham) at a stated follow-up window, from the numbers the curated rows hold: arm means with SDs and the
numbers analysed, or a mean difference with its 95% CI. Nothing is back-calculated; a secondary analysis may use
a row's recorded assumptions, and says so.
"""
from __future__ import annotations

import re

import pandas as pd

from ..data import protocol
from ..data.flags import held_back
from .pooling import Z95

MEAN_DIFFERENCE = "mean difference"
# The comparator classes that add no exercise to what the exercise arm's people would otherwise do are the primary
# analysis's comparators; the protocol (analysis.comparators) names them, the data dictionary defines each code.
NO_ADDED_EXERCISE = protocol.load().no_added_exercise
COMPARATOR_KINDS = {
    "usual_care_no_exercise": "usual care without exercise",
    "usual_care_stretching": "usual care with stretching",
    "sham": "sham training",
    "other_exercise": "another exercise",
    "other_dose": "another dose of the same exercise",
}
WINDOWS = tuple((w.from_weeks, w.to_weeks, w.label) for w in protocol.load().windows)
_UNIT_WEEKS = {"day": 1 / 7, "week": 1.0, "month": 52 / 12, "year": 52.0}


SPANS_WINDOWS = "spans several windows"
_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*(day|week|month|year)s?", flags=re.IGNORECASE)


def time_window(time_point) -> str:
    """Follow-up window of a stated time point ('12 weeks', '6 months'), so that trials can be pooled by time. A
    range ('0-4 months', as reviews state pooled follow-up) has a window only when it lies inside one; otherwise it
    is SPANS_WINDOWS, and is never set beside an estimate of a single window."""
    text = str(time_point or "")
    span = _RANGE.search(text)
    if span:
        unit = _UNIT_WEEKS[span.group(3).lower()]
        start, end = float(span.group(1)) * unit, float(span.group(2)) * unit
        first = next((label for low, high, label in WINDOWS if low <= start < high), "")
        last = next((label for low, high, label in WINDOWS if low < end <= high), "")
        return first if first == last else SPANS_WINDOWS
    match = re.search(r"(\d+(?:\.\d+)?)\s*(day|week|month|year)s?", text, flags=re.IGNORECASE)
    if not match:
        return ""
    weeks = float(match.group(1)) * _UNIT_WEEKS[match.group(2).lower()]
    return next(label for low, high, label in WINDOWS if low < weeks <= high)


def _one_window(time_point) -> str:
    """A trial's window for pooling: none when its time point is missing or spans windows."""
    window = time_window(time_point)
    return "" if window == SPANS_WINDOWS else window


CONTRAST_COLUMNS = ["study_id", "outcome_id", "domain", "scale", "better", "time_point", "window", "n_exercise",
                    "mean_exercise", "sd_exercise", "n_control", "mean_control", "sd_control", "effect", "variance",
                    "basis", "assumption", "change_or_final", "baseline_imbalance"]


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
                     assumptions: bool = False, held_back: dict[str, str] | None = None) -> pd.DataFrame:
    """Every trial outcome against a comparator arm, with its contrast where one can be formed, or why not.

    A contrast needs a comparator with no added exercise (usual care with or without stretching, or sham), a time point, and
    either arm means with SDs and the numbers analysed, or a mean difference with its 95% CI. Without
    `assumptions` only what the page states counts. With them, a row may also use a '±' of unstated kind as an SD
    and the numbers randomised as the numbers analysed, but only where the row records why (spread_as_sd_reason,
    n_from_randomised_reason); the assumption column then says which was made. A study in `held_back` (a PubMed
    retraction or concern flag nobody has cleared, see living/retractions.py) is never usable, and says why.
    """
    held_back = held_back or {}
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
               "better": better_of.get(scale, ""), "time_point": r.time_point or "", "window": _one_window(r.time_point),
               "comparator_kind": kind, "usable": False, "reason": "", "assumption": "",
               "change_or_final": getattr(r, "change_or_final", "") or "", "baseline_imbalance": ""}
        has_groups = all(pd.notna(v) for v in (r.mean_exercise, r.sd_exercise, r.mean_control, r.sd_control))
        has_md = (isinstance(r.effect_measure, str) and r.effect_measure.lower() == MEAN_DIFFERENCE and
                  pd.notna(r.effect) and pd.notna(r.ci_lower) and pd.notna(r.ci_upper) and r.ci_upper > r.ci_lower)
        if r.study_id in held_back:
            row["reason"] = held_back[r.study_id]
        elif kind not in NO_ADDED_EXERCISE:
            row["reason"] = f"comparator is {COMPARATOR_KINDS.get(kind, 'not described')}, not 'no added exercise'"
        elif not row["window"]:
            row["reason"] = ("time range spans several follow-up windows" if time_window(r.time_point) == SPANS_WINDOWS
                             else "time point not stated in weeks, months or years")
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


def candidates_of(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """`trial_candidates` of a whole set of tables, with assumptions marked, flagged publications held back and
    designs the protocol does not pool (analysis.pooling.designs) left out with the reason: the one call the
    pooling, the update and the explorer share."""
    kept_out = held_back(tables.get("publication_flags"))
    studies = tables.get("studies")
    if studies is not None and "evidence_type" in studies:
        pooled = protocol.load().pooled_designs
        for sid, design in zip(studies["study_id"], studies["evidence_type"]):
            if design not in pooled and sid not in kept_out:
                kept_out[sid] = (f"design is {str(design).replace('_', ' ')}: the protocol pools "
                                 f"{', '.join(d.replace('_', ' ') for d in pooled)} only")
    candidates = trial_candidates(tables["outcomes"], tables["interventions"], tables.get("scales"), assumptions=True,
                                  held_back=kept_out)
    if studies is None or "baseline_imbalance" not in studies or candidates.empty:
        return candidates
    imbalance = studies.set_index("study_id")["baseline_imbalance"].fillna("")
    return prefer_change_when_imbalanced(candidates.assign(baseline_imbalance=candidates["study_id"].map(imbalance)
                                                           .fillna("")))


def prefer_change_when_imbalanced(candidates: pd.DataFrame) -> pd.DataFrame:
    """The protocol's rule for a trial whose arms differed at baseline (studies.baseline_imbalance 'yes'): where it
    reports both, its change-from-baseline rows come before its final values, so the pooling's 'first row of the
    trial' (here and in the explorer's engine) is the change. Other trials, and the order of the trials, are kept."""
    if protocol.load().imbalanced_baseline != "change_from_baseline":
        return candidates
    first_row = candidates.groupby("study_id", sort=False).cumcount() == 0
    trial_order = candidates["study_id"].map(dict(zip(candidates.loc[first_row, "study_id"], range(first_row.sum()))))
    preferred = (candidates["baseline_imbalance"] == "yes") & (candidates["change_or_final"] == "change_from_baseline")
    order = pd.DataFrame({"trial": trial_order, "preferred": ~preferred, "row": range(len(candidates))},
                         index=candidates.index)
    return candidates.loc[order.sort_values(["trial", "preferred", "row"]).index].reset_index(drop=True)


def trial_contrasts(outcomes: pd.DataFrame, arms: pd.DataFrame, scales: pd.DataFrame | None = None,
                    assumptions: bool = False) -> pd.DataFrame:
    """The usable exercise-versus-no-added-exercise contrasts (see `trial_candidates`)."""
    return usable_contrasts(trial_candidates(outcomes, arms, scales, assumptions=True), assumptions)


def usable_contrasts(candidates: pd.DataFrame, assumptions: bool) -> pd.DataFrame:
    """The contrasts of one candidates table (built with assumptions) for either analysis: a row usable as stated
    carries no assumption, so the primary analysis is the rows whose assumption column is empty."""
    keep = candidates["usable"] & (assumptions | (candidates["assumption"] == ""))
    return candidates.loc[keep, CONTRAST_COLUMNS].reset_index(drop=True)
