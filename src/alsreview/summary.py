"""Evidence-summary tables: characteristics of included studies, evidence by model, animal versus human.

Directions are summarised per study: a study counts once per domain (or modality), as 'mixed' when its
outcomes there point different ways, and as 'unclear' when no outcome there states a direction.
"""
from __future__ import annotations

import pandas as pd

from .labels import DIRECTIONS, EVIDENCE_TYPE, POPULATION, pretty

PRIMARY = ["animal_experiment", "human_rct", "human_nonrandomised", "human_observational"]


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


def characteristics(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Table of included primary studies: design, model, interventions, outcomes and direction counts."""
    studies, arms, outcomes = tables["studies"], tables["interventions"], tables["outcomes"]
    primary = studies.loc[studies["evidence_type"].isin(PRIMARY)].sort_values(["year", "study_id"])
    rows = []
    for s in primary.itertuples(index=False):
        s_arms = arms.loc[arms["study_id"] == s.study_id]
        s_out = outcomes.loc[outcomes["study_id"] == s.study_id]
        n_total = s_arms["n"].dropna()
        directions = s_out["direction"].value_counts()
        rows.append({
            "study": s.study_id,
            "year": int(s.year),
            "design": EVIDENCE_TYPE[s.evidence_type],
            "species": s.species,
            "model": s.model or "",
            "interventions": _join_unique(s_arms["modality"]),
            "n_exercise": int(n_total.sum()) if len(n_total) == len(s_arms) and len(s_arms) else None,
            "outcome_domains": _join_unique(s_out["domain"]),
            "direction": ", ".join(f"{pretty(d)} {int(directions[d])}" for d in DIRECTIONS if d in directions),
        })
    frame = pd.DataFrame(rows, columns=["study", "year", "design", "species", "model", "interventions", "n_exercise",
                                        "outcome_domains", "direction"])
    frame["n_exercise"] = frame["n_exercise"].astype("Int64")
    return frame


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
            counts = part["direction"].value_counts()
            row[f"{side}_studies"] = int(part["study_id"].nunique())
            row[f"{side}_findings"] = ", ".join(f"{pretty(d)} {int(counts[d])}" for d in DIRECTIONS if d in counts) or "no studies"
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
