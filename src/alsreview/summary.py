"""Evidence-summary tables: characteristics of included studies, evidence by model, animal versus human.

Directions are summarised per study: a study counts once per domain (or modality), as 'mixed' when its
outcomes there point different ways, and as 'unclear' when no outcome there states a direction.
"""
from __future__ import annotations

import pandas as pd

from .labels import DIRECTIONS, EVIDENCE_TYPE, POPULATION, pretty
from .subset import is_exercise_study



def combine_directions(directions: pd.Series) -> str:
    """One direction for a set of outcomes: the shared one, 'mixed' if they disagree, 'unclear' if none is stated."""
    stated = sorted(set(directions) - {"unclear"})
    if not stated:
        return "unclear"
    return stated[0] if len(stated) == 1 else "mixed"


def study_directions(outcomes: pd.DataFrame, arms: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per study and grouping (e.g. domain, modality) with the study's combined direction."""
    merged = outcomes.merge(arms[["arm_id", "modality"]], on="arm_id", how="left")
    if merged.empty:
        return pd.DataFrame(columns=["study_id", *by, "direction"])
    grouped = merged.groupby(["study_id", *by], sort=True)["direction"].agg(combine_directions)
    return grouped.reset_index()


def count_directions(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Studies per group and how many of them point each way."""
    if frame.empty:
        return pd.DataFrame(columns=[*by, "studies", *DIRECTIONS])
    counts = pd.crosstab([frame[b] for b in by], frame["direction"]).reindex(columns=DIRECTIONS, fill_value=0)
    counts.columns.name = None
    counts.insert(0, "studies", frame.groupby(by)["study_id"].nunique())
    return counts.reset_index()


def _join_unique(values) -> str:
    return "; ".join(dict.fromkeys(pretty(v) for v in values if v is not None and v == v))


def format_direction_counts(directions: pd.Series) -> str:
    """'beneficial 2, no effect 1' in the fixed order of DIRECTIONS; empty when there are none."""
    counts = directions.value_counts()
    return ", ".join(f"{pretty(d)} {int(counts[d])}" for d in DIRECTIONS if d in counts)


def _total_n(n: pd.Series):
    """Sum of arm sizes, or NA when any arm's size is unknown (no partial totals)."""
    return int(n.sum()) if n.notna().all() else pd.NA


def characteristics(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Table of the primary studies that test exercise: design, model, interventions, outcomes, directions."""
    studies, arms, outcomes = tables["studies"], tables["interventions"], tables["outcomes"]
    primary = studies.loc[is_exercise_study(studies)].sort_values(["year", "study_id"])
    by_arm = arms.groupby("study_id", sort=False).agg(interventions=("modality", _join_unique), n_exercise=("n", _total_n))
    by_outcome = outcomes.groupby("study_id", sort=False).agg(outcome_domains=("domain", _join_unique),
                                                              direction=("direction", format_direction_counts))
    frame = pd.DataFrame({
        "study": primary["study_id"].to_numpy(),
        "year": primary["year"].astype(int).to_numpy(),
        "design": primary["evidence_type"].map(EVIDENCE_TYPE).to_numpy(),
        "species": primary["species"].to_numpy(),
        "model": primary["model"].fillna("").to_numpy(),
    })
    frame = frame.join(by_arm, on="study").join(by_outcome, on="study")
    for column in ("interventions", "outcome_domains", "direction"):
        frame[column] = frame[column].fillna("")
    frame["n_exercise"] = frame["n_exercise"].astype("Int64")
    return frame[["study", "year", "design", "species", "model", "interventions", "n_exercise", "outcome_domains", "direction"]]


def evidence_by_model(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Studies per model category and outcome domain, with how many found benefit, no effect, harm or mixed."""
    per_study = study_directions(tables["outcomes"], tables["interventions"], ["domain"])
    population = tables["studies"].set_index("study_id")["population"]
    per_study["model"] = per_study["study_id"].map(population).map(POPULATION)
    table = count_directions(per_study, ["model", "domain"])
    order = {label: i for i, label in enumerate(POPULATION.values())}
    return table.sort_values(["model", "domain"], key=lambda c: c.map(order) if c.name == "model" else c).reset_index(drop=True)


def animal_vs_human(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The translational view: per modality, what the animal experiments and the human studies found."""
    per_study = study_directions(tables["outcomes"], tables["interventions"], ["modality"])
    species = tables["studies"].set_index("study_id")["species"]
    per_study["side"] = per_study["study_id"].map(species).map(lambda s: "human" if s == "human" else "animal")
    rows = []
    for modality, group in per_study.groupby("modality", sort=True):
        row = {"modality": modality}
        for side in ("animal", "human"):
            part = group.loc[group["side"] == side]
            row[f"{side}_studies"] = int(part["study_id"].nunique())
            row[f"{side}_findings"] = format_direction_counts(part["direction"]) or "no studies"
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["modality", "animal_studies", "animal_findings", "human_studies", "human_findings"])
    frame["gap"] = frame.apply(_gap, axis=1)
    return frame


def _gap(row) -> str:
    if row["animal_studies"] and not row["human_studies"]:
        return "animal evidence only"
    if row["human_studies"] and not row["animal_studies"]:
        return "human evidence only"
    return "both"


def outcome_findings(tables: dict[str, pd.DataFrame], species: list[str] | None = None) -> pd.DataFrame:
    """Every extracted outcome with the curator's one-line finding, optionally for some species only."""
    studies = tables["studies"][["study_id", "year", "species"]]
    rows = tables["outcomes"].merge(tables["interventions"][["arm_id", "modality"]], on="arm_id", how="left")
    rows = rows.merge(studies, on="study_id", how="left")
    if species:
        rows = rows.loc[rows["species"].isin(species)]
    rows = rows.sort_values(["year", "study_id", "outcome_id"])
    return rows[["study_id", "year", "modality", "domain", "measure", "time_point", "direction", "finding"]].rename(
        columns={"study_id": "study"}).reset_index(drop=True)
