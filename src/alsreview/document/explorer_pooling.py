"""The explorer's pooling panel: the trial contrasts the review can pool, and the review's own pooled analyses.

The page pools in the browser (report/pooling.js), so everything that decides *what* is pooled is made here by
the review's own code and shipped with the page: each usable contrast as contrasts.trial_candidates forms it
(with its assumption, if any), its standardised mean difference as trial_pooling.standardised computes it, the
trial's overall risk of bias and comparator kind, and the settings of the pooling engine (Z95, the REML
tolerance, the primary model). The review's primary and secondary analyses (pooled_trials) come along so the
page can say what a reader's choice changed.
"""
from __future__ import annotations

import pandas as pd

from ..data import protocol
from ..data.favours import (
    DIRECTION_UNKNOWN,
    FAVOURS_CONTROL,
    FAVOURS_EXERCISE,
    NO_CLEAR_DIFFERENCE,
    side_labels,
)
from ..data.labels import short_citation
from ..synthesis.bias import JUDGEMENT_STYLE, overall_by_study
from ..synthesis.contrasts import COMPARATOR_KINDS, MEAN_DIFFERENCE, candidates_of, usable_contrasts
from ..synthesis.pooling import INTERVALS, SETTINGS, TAU2_METHODS, Z95
from ..synthesis.trial_pooling import FEW_TRIALS, PRIMARY_INTERVAL, PRIMARY_TAU2, pooled_trials, standardised
from .explorer import label

STANDARDISED = "standardised mean difference"
# The models the panel offers: (code, tau² method, interval, short name), the review's primary model among them.
MODELS = [("fe", "fe", "wald", "fixed effect"), ("reml-wald", "reml", "wald", "REML, Wald"),
          ("reml-hksj", "reml", "hksj", "REML, HKSJ"), ("reml-knha", "reml", "knha", "REML, HK")]
REVIEW_COLUMNS = ["pool_id", "domain", "window", "effect_measure", "k", "trials", "re_estimate", "re_ci_lower",
                  "re_ci_upper", "pi_lower", "pi_upper", "tau2", "i2", "favours", "method"]


def _number(value):
    return None if value is None or pd.isna(value) else float(value)


def _smd(row: pd.Series) -> tuple[float | None, float | None]:
    """The contrast's Hedges' g (positive favours exercise) and its variance, when arm data and a better
    direction allow it; what the review uses when a pooling mixes scales."""
    g = standardised(row.to_frame().T.astype({c: float for c in ("n_exercise", "mean_exercise", "sd_exercise",
                                                                   "n_control", "mean_control", "sd_control")}))
    if g is None:
        return None, None
    return float(g["effect"].iloc[0]), float(g["variance"].iloc[0])


def contrast_records(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Every usable trial contrast (assumption-based ones included and flagged), in the review's row order."""
    candidates = candidates_of(tables)
    usable = candidates.loc[candidates["usable"]]
    studies = tables["studies"].set_index("study_id")
    scales = tables.get("scales")
    scale_names = dict(zip(scales["scale_id"], scales["name"])) if scales is not None and len(scales) else {}
    rob = overall_by_study(tables["risk_of_bias"]) if "risk_of_bias" in tables else {}
    records = []
    for _, row in usable.iterrows():
        smd, smd_variance = _smd(row) if row["better"] in ("higher", "lower") else (None, None)
        judgement = rob.get(row["study_id"], "")
        records.append({
            "study_id": row["study_id"], "outcome_id": row["outcome_id"],
            "citation": short_citation(studies.at[row["study_id"], "authors"], studies.at[row["study_id"], "year"]),
            "domain": row["domain"], "domain_label": label("domain", row["domain"]), "window": row["window"],
            "time_point": row["time_point"], "scale": row["scale"], "scale_label": scale_names.get(row["scale"], row["scale"]),
            "effect_measure": MEAN_DIFFERENCE, "better": row["better"] or "",
            "effect": float(row["effect"]), "variance": float(row["variance"]), "smd": smd, "smd_variance": smd_variance,
            "n_exercise": _number(row["n_exercise"]), "n_control": _number(row["n_control"]),
            "assumption": row["assumption"] or "", "basis": row["basis"],
            "comparator_kind": row["comparator_kind"], "comparator_label": COMPARATOR_KINDS.get(row["comparator_kind"], ""),
            "rob": judgement, "rob_label": JUDGEMENT_STYLE[judgement][2] if judgement in JUDGEMENT_STYLE else "not assessed",
        })
    return records


def review_analyses(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """The review's own pooled analyses: primary (rows usable as stated) and secondary (recorded assumptions
    allowed), each with the primary model, as the review reports them."""
    candidates = candidates_of(tables)
    out = []
    for analysis, assumptions in (("primary", False), ("secondary", True)):
        pooled = pooled_trials(usable_contrasts(candidates, assumptions))
        for _, row in pooled[REVIEW_COLUMNS].iterrows():
            record = {c: (_number(row[c]) if c in ("re_estimate", "re_ci_lower", "re_ci_upper", "pi_lower", "pi_upper",
                                                   "tau2", "i2") else row[c]) for c in REVIEW_COLUMNS}
            record.update(analysis=analysis, assumptions=assumptions, k=int(row["k"]), trials=row["trials"].split("; "),
                          i2=record["i2"] / 100, model=f"{PRIMARY_TAU2}-{PRIMARY_INTERVAL}")
            out.append(record)
    return out


def settings() -> dict:
    """The engine's constants and the words the page uses for models, findings and sides of the forest plot."""
    models = {code: f"Random effects, {TAU2_METHODS[tau2]} tau², {INTERVALS[interval]} CI" if tau2 != "fe"
              else "Fixed effect (inverse variance), Wald CI" for code, tau2, interval, _ in MODELS}
    return {
        "z95": Z95, "tau2_xtol": SETTINGS["tau2_xtol"], "few_trials": FEW_TRIALS,
        "primary_model": f"{PRIMARY_TAU2}-{PRIMARY_INTERVAL}",
        "models": [{"code": code, "tau2": tau2, "interval": interval, "label": models[code], "short": short}
                   for code, tau2, interval, short in MODELS],
        "favours": {"exercise": FAVOURS_EXERCISE, "control": FAVOURS_CONTROL, "none": NO_CLEAR_DIFFERENCE,
                    "unknown": DIRECTION_UNKNOWN},
        "sides": {better: list(side_labels(better)) for better in ("higher", "lower", "")},
        "mean_difference": MEAN_DIFFERENCE, "standardised": STANDARDISED,
        "windows": [w.label for w in protocol.load().windows],
    }


def pooling_data(tables: dict[str, pd.DataFrame]) -> dict:
    """The panel's block of the page data."""
    return {"contrasts": contrast_records(tables), "review": review_analyses(tables), "settings": settings()}
