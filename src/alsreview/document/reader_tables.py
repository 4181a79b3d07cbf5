"""Tables as the reader of the review sees them: labels instead of codes, estimates with their confidence
intervals in one cell, no plotting internals and no columns that are empty throughout.

The CSVs keep the data's codes and columns; only the Markdown the report includes goes through here."""
from __future__ import annotations

import re

import pandas as pd

from ..data.labels import label, pretty

# Columns whose values are data codes (or '; '-separated lists of them, as summary tables write them).
CODE_COLUMNS = {"modality", "domain", "direction", "species", "extraction", "certainty", "favours", "data",
                "interventions", "outcome_domains", "evidence_type", "population", "judgement", "modality_group",
                "modalities"}
# Columns that exist to draw a figure and mean nothing to a reader.
INTERNAL_COLUMNS = {"node", "box", "lane", "offset", "y", "pool_id"}
HEADINGS = {
    "study_id": "Study", "data": "Stage", "n": "n", "n_exercise": "Exercised (n)", "ref_no": "Ref. no.",
    "source_url": "Source", "no_effect": "No difference found", "q": "Q", "i2": "I² (%)", "tau2": "τ²",
    "estimate": "Estimate (95% CI)", "effect": "Effect (95% CI)", "fe_estimate": "Fixed effect (95% CI)",
    "re_estimate": "Random effects, Hartung–Knapp (95% CI)", "wald_estimate": "Random effects, Wald (95% CI)",
    "references_linked": "Linked references",
    "animal_studies_of_modality": "Animal studies of the modality", "trials_of_modality": "Trials of the modality",
    "directions_of_modality_studies": "Findings of those studies", "studies_reporting": "Studies reporting",
    "studies_with_estimates": "Studies with estimates",
}


def label_cell(value):
    if not isinstance(value, str) or not value.strip():
        return value
    return "; ".join(label(part) for part in value.split("; "))


def number(value) -> str:
    """Three significant digits, with a true minus sign (a hyphen would read as a range dash)."""
    text = f"{value:.3g}" if isinstance(value, float) else str(value)
    return text.replace("-", "−")


def merge_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """'x', 'x_ci_lower', 'x_ci_upper' (or 'estimate'/'effect' with 'ci_lower', 'ci_upper') become 'x (lo to hi)'."""
    frame = frame.copy()
    for lower in [c for c in frame.columns if str(c).endswith("ci_lower")]:
        prefix = str(lower)[: -len("ci_lower")]
        upper = prefix + "ci_upper"
        estimate = next((c for c in (prefix + "estimate", prefix + "effect") if c in frame.columns), None)
        if estimate is None or upper not in frame.columns:
            continue
        merged = [
            "" if pd.isna(e) else number(e) if pd.isna(lo) or pd.isna(hi) else f"{number(e)} ({number(lo)} to {number(hi)})"
            for e, lo, hi in zip(frame[estimate], frame[lower], frame[upper])
        ]
        frame[estimate] = pd.Series(merged, index=frame.index, dtype=object)
        frame = frame.drop(columns=[lower, upper])
    return frame


def heading(column) -> str:
    if column in HEADINGS:
        return HEADINGS[column]
    text = re.sub(r"\bals\b", "ALS", pretty(column))  # 'als_animal_studies' reads 'ALS animal studies'
    return text[:1].upper() + text[1:]


def for_reader(frame: pd.DataFrame) -> pd.DataFrame:
    """The printed form of an analysis table (the argument is not changed)."""
    shown = merge_intervals(frame.drop(columns=[c for c in frame.columns if c in INTERNAL_COLUMNS]))
    empty = [c for c in shown.columns if shown[c].map(lambda v: pd.isna(v) or str(v).strip() == "").all()]
    if len(shown):
        shown = shown.drop(columns=empty)
    for column in shown.columns:
        if column in CODE_COLUMNS:
            shown[column] = shown[column].map(label_cell)
    return shown.rename(columns={c: heading(c) for c in shown.columns})
