"""Evidence-summary tables: characteristics of included studies, evidence by model, animal versus human.

The one rule for combining directions, used by every summary (evidence map, evidence by model, animal
versus human, recommendations):

- Outcome rows keep the direction their source reports; nothing is re-coded when rows are combined.
- Within a cell (a domain, a modality, ...), a study counts once under EACH direction its outcomes there
  show. Harm found in one sex, arm or time point therefore stays visible next to benefit or no difference found
  in another, and the direction columns can add up to more than the number of studies.
- 'unclear' counts a study only when none of its outcomes in the cell states a direction.
- 'mixed' appears only where an outcome row itself is coded mixed; combining never creates it.
- Only studies of exercise training programmes are summarised (subset.exercise_outcomes).
"""
from __future__ import annotations

import pandas as pd

from ..data.labels import (DIRECTIONS, DIRECTNESS, DIRECTNESS_LABELS, EVIDENCE_TYPE, EXERCISE_ROLE, POPULATION,
                           direction_words, pretty)
from ..data.subset import exercise_outcomes, has_exercise_arms, split_arms

UNCLEAR = "unclear"


def directions_shown(directions) -> list[str]:
    """The combining rule for one study in one cell: every stated direction, in DIRECTIONS order;
    'unclear' only when no outcome states a direction."""
    present = set(directions)
    stated = [d for d in DIRECTIONS if d in present and d != UNCLEAR]
    if stated:
        return stated
    return [UNCLEAR] if UNCLEAR in present else []


def study_directions(outcomes: pd.DataFrame, arms: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per study, grouping (e.g. domain, modality) and direction its outcomes show there."""
    columns = ["study_id", *by, "direction"]
    merged = outcomes.merge(arms[["arm_id", "modality"]], on="arm_id", how="left")
    if merged.empty:
        return pd.DataFrame(columns=columns)
    shown = merged.groupby(["study_id", *by], sort=True)["direction"].agg(directions_shown)
    return shown.explode().dropna().reset_index()[columns]


def count_directions(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Studies per group, and how many of them show each direction (a study may count under several)."""
    if frame.empty:
        return pd.DataFrame(columns=[*by, "studies", *DIRECTIONS])
    counts = pd.crosstab([frame[b] for b in by], frame["direction"]).reindex(columns=DIRECTIONS, fill_value=0)
    counts.columns.name = None
    counts.insert(0, "studies", frame.groupby(by)["study_id"].nunique())
    return counts.reset_index()


def _join_unique(values) -> str:
    return "; ".join(dict.fromkeys(pretty(v) for v in values if v is not None and v == v))


def format_direction_counts(directions: pd.Series) -> str:
    """'beneficial 2, no difference found 1' in the fixed order of DIRECTIONS; empty when there are none."""
    counts = directions.value_counts()
    return ", ".join(f"{direction_words(d)} {int(counts[d])}" for d in DIRECTIONS if d in counts)


def _filled(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as text with missing cells empty; an absent optional column counts as empty."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].fillna("").astype(str)


def finding_levels(outcomes: pd.DataFrame, arms: pd.DataFrame) -> pd.Series:
    """The level each outcome's finding applies to, as the source reports it: the subgroup (or, for studies
    with several arms, the arm) and, where a study reports the same measure more than once, the time point."""
    if outcomes.empty:
        return pd.Series(dtype=object)
    label = outcomes["arm_id"].map(arms.set_index("arm_id")["arm_label"]).fillna(outcomes["arm_id"])
    subgroup = _filled(outcomes, "subgroup")
    time_point = _filled(outcomes, "time_point")
    several_arms = outcomes.groupby("study_id")["arm_id"].transform("nunique") > 1
    who = subgroup.where(subgroup != "", label.map(pretty).where(several_arms, ""))
    repeated_measure = outcomes.assign(_who=who).groupby(["study_id", "arm_id", "_who", "measure"])["measure"].transform("size") > 1
    repeated_study = repeated_measure.groupby(outcomes["study_id"]).transform("any")
    when = time_point.where(repeated_study, "")
    return pd.Series([", ".join(p for p in parts if p) for parts in zip(who, when)], index=outcomes.index)


def findings_by_level(outcomes: pd.DataFrame, arms: pd.DataFrame) -> pd.Series:
    """Per study, the outcome directions at each level the source reports them, e.g.
    'males: no difference found 1, harmful 2; females: no difference found 3' (levels in the order of the rows)."""
    if outcomes.empty:
        return pd.Series(dtype=object)
    rows = pd.DataFrame({"study_id": outcomes["study_id"], "level": finding_levels(outcomes, arms),
                         "direction": outcomes["direction"]})
    keys = rows[["study_id", "level"]].drop_duplicates()
    counts = pd.crosstab([rows["study_id"], rows["level"]], rows["direction"]).reindex(columns=DIRECTIONS, fill_value=0)
    counts = counts.reindex(pd.MultiIndex.from_frame(keys))
    parts = [counts[d].map(lambda n, d=d: f"{direction_words(d)} {n}" if n else "") for d in DIRECTIONS]
    text = pd.concat(parts, axis=1).apply(lambda r: ", ".join(p for p in r if p), axis=1)
    level = counts.index.get_level_values("level")
    text = pd.Series([f"{lv}: {tx}" if lv else tx for lv, tx in zip(level, text)], index=counts.index)
    return text.groupby(level="study_id", sort=False).agg("; ".join)


def _total_n(n: pd.Series):
    """Sum of arm sizes, or NA when any arm's size is unknown (no partial totals)."""
    return int(n.sum()) if n.notna().all() else pd.NA


def characteristics(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Table of the primary studies with exercise arms: design, model, interventions, the outcome directions
    at the level the source reports them, and beside them the authors' own conclusion."""
    studies, arms, outcomes = tables["studies"], tables["interventions"], tables["outcomes"]
    primary = studies.loc[has_exercise_arms(studies)].sort_values(["year", "study_id"])
    by_arm = split_arms(arms)[0].groupby("study_id", sort=False).agg(interventions=("modality", _join_unique),
                                                                   n_exercise=("n", _total_n))
    by_outcome = outcomes.groupby("study_id", sort=False).agg(outcome_domains=("domain", _join_unique))
    by_outcome["outcome_directions"] = findings_by_level(outcomes, arms)
    frame = pd.DataFrame({
        "study": primary["study_id"].to_numpy(),
        "year": primary["year"].astype(int).to_numpy(),
        "design": primary["evidence_type"].map(EVIDENCE_TYPE).to_numpy(),
        "exercise": primary["exercise_role"].map(EXERCISE_ROLE).to_numpy(),
        "species": primary["species"].to_numpy(),
        "model": primary["model"].fillna("").to_numpy(),
        "authors_conclusion": primary["authors_conclusion"].map(
            lambda c: pretty(c) if isinstance(c, str) else "not applicable").to_numpy(),
    })
    frame = frame.join(by_arm, on="study").join(by_outcome, on="study")
    for column in ("interventions", "outcome_domains", "outcome_directions"):
        frame[column] = frame[column].fillna("")
    frame["n_exercise"] = frame["n_exercise"].astype("Int64")
    return frame[["study", "year", "design", "exercise", "species", "model", "interventions", "n_exercise",
                  "outcome_domains", "outcome_directions", "authors_conclusion"]]


def evidence_by_model(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Studies per model category and outcome domain, with how many show benefit, no difference, harm, mixed or
    unclear results, and whether the evidence is direct (ALS models, people with ALS) or indirect."""
    per_study = study_directions(exercise_outcomes(tables), tables["interventions"], ["domain"])
    population = per_study["study_id"].map(tables["studies"].set_index("study_id")["population"])
    per_study["evidence"] = population.map(DIRECTNESS).map(DIRECTNESS_LABELS)
    per_study["model"] = population.map(POPULATION)
    table = count_directions(per_study, ["evidence", "model", "domain"])
    order = {label: i for i, label in enumerate([*DIRECTNESS_LABELS.values(), *POPULATION.values()])}
    return table.sort_values(["evidence", "model", "domain"],
                             key=lambda c: c.map(order) if c.name != "domain" else c).reset_index(drop=True)


ANIMAL_VS_HUMAN_SIDES = {
    "als_animal": ("als_model_animal",),
    "people_with_als": ("people_with_als",),
    "indirect": ("healthy_animal", "other_disease_model_animal", "other_people"),
}


def animal_vs_human(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The translational view: per modality group (data/modality_groups.csv, so treadmill running in mice and
    cycling in people both count as aerobic exercise), what experiments in ALS-model animals, studies in people
    with ALS, and indirect studies (healthy or other-disease models) found. A study counts under each direction
    it shows; the fine modalities of each group are listed beside it."""
    group_of = tables["modality_groups"].set_index("modality")["modality_group"]
    arms = tables["interventions"].assign(modality=lambda a: a["modality"].map(group_of))
    outcomes = exercise_outcomes(tables)
    per_study = study_directions(outcomes, arms, ["modality"]).rename(columns={"modality": "modality_group"})
    fine = outcomes.merge(tables["interventions"][["arm_id", "modality"]], on="arm_id").assign(
        modality_group=lambda f: f["modality"].map(group_of))
    studies = tables["studies"].set_index("study_id")
    population = per_study["study_id"].map(studies["population"])
    species = per_study["study_id"].map(studies["species"])
    columns = (["modality_group", "modalities"] + [f"{side}_{what}" for side in ANIMAL_VS_HUMAN_SIDES
                                                   for what in ("studies", "findings")] + ["gap"])
    rows = []
    for group_code, group in per_study.groupby("modality_group", sort=True):
        modalities = sorted(fine.loc[fine["modality_group"] == group_code, "modality"].unique())
        row = {"modality_group": group_code, "modalities": "; ".join(modalities)}
        for side, populations in ANIMAL_VS_HUMAN_SIDES.items():
            part = group.loc[population.loc[group.index].isin(populations)]
            row[f"{side}_studies"] = int(part["study_id"].nunique())
            row[f"{side}_findings"] = format_direction_counts(part["direction"]) or "no studies"
        in_animals = species.loc[group.index].isin(["mouse", "rat"]).any()
        in_people = (species.loc[group.index] == "human").any()
        row["gap"] = "both" if in_animals and in_people else "animal evidence only" if in_animals else "human evidence only"
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def outcome_findings(tables: dict[str, pd.DataFrame], species: list[str] | None = None) -> pd.DataFrame:
    """Every extracted outcome with the curator's one-line finding, optionally for some species only."""
    studies = tables["studies"][["study_id", "year", "species"]]
    rows = tables["outcomes"].merge(tables["interventions"][["arm_id", "modality"]], on="arm_id", how="left")
    rows = rows.merge(studies, on="study_id", how="left")
    if species:
        rows = rows.loc[rows["species"].isin(species)]
    rows = rows.sort_values(["year", "study_id", "outcome_id"]).assign(subgroup=_filled(rows, "subgroup"))
    return rows[["study_id", "year", "modality", "domain", "measure", "time_point", "subgroup", "direction", "finding"]].rename(
        columns={"study_id": "study"}).reset_index(drop=True)
