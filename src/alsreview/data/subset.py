"""Selecting a subset of the evidence (the notebooks' parameters): species, years, evidence types; and which
works count as studies testing exercise."""
from __future__ import annotations

import pandas as pd

PRIMARY_EVIDENCE = ("animal_experiment", "human_rct", "human_nonrandomised", "human_observational")
TRAINING = "training_programme"


def has_exercise_arms(studies: pd.DataFrame) -> pd.Series:
    """Primary studies with exercise arms: training programmes and single exercise tests (both need arms and outcomes)."""
    return studies["evidence_type"].isin(PRIMARY_EVIDENCE) & (studies["exercise_tested"] == "yes")


def is_exercise_study(studies: pd.DataFrame) -> pd.Series:
    """Primary studies of an exercise training programme: the only works counted as 'studies testing exercise'.
    A single exercise test measures the subjects; it trains no one, so it is not among them."""
    return has_exercise_arms(studies) & (studies["exercise_role"] == TRAINING)


def split_arms(arms: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(exercise arms, comparator arms). Rows without an arm_role are exercise arms, as in data curated before
    comparator arms were listed; sizes and modalities of "the exercise" are read from the first frame only."""
    role = arms["arm_role"] if "arm_role" in arms.columns else pd.Series("exercise", index=arms.index)
    return arms.loc[role != "comparator"], arms.loc[role == "comparator"]


def exercise_outcomes(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The outcomes of studies testing exercise, the rows every summary of effect directions is built from."""
    studies = tables["studies"]
    trained = set(studies.loc[is_exercise_study(studies), "study_id"])
    outcomes = tables["outcomes"]
    return outcomes.loc[outcomes["study_id"].isin(trained)]


def select(tables: dict[str, pd.DataFrame], species: list[str] | None = None, year_min: int | None = None,
           year_max: int | None = None, evidence_types: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The same tables restricted to the chosen studies; rows of other tables follow their study."""
    studies = tables["studies"]
    keep = pd.Series(True, index=studies.index)
    if species:
        keep &= studies["species"].isin(species)
    if year_min is not None:
        keep &= studies["year"] >= year_min
    if year_max is not None:
        keep &= studies["year"] <= year_max
    if evidence_types:
        keep &= studies["evidence_type"].isin(evidence_types)
    chosen = set(studies.loc[keep, "study_id"])
    out = dict(tables)
    out["studies"] = studies.loc[keep].reset_index(drop=True)
    for name, frame in tables.items():
        if name in ("studies", "pooled_results") or "study_id" not in frame.columns:
            continue
        out[name] = frame.loc[frame["study_id"].isin(chosen)].reset_index(drop=True)
    if "pooled_results" in tables:
        # Pooled trial results describe people with ALS although the review reporting them has no species.
        people = not species or "human" in species
        out["pooled_results"] = tables["pooled_results"].iloc[0 if people else len(tables["pooled_results"]):]
        out["pooled_results"] = out["pooled_results"].reset_index(drop=True)
    return out
