"""The vocabulary of the generated passages: phrases for the data's codes, lists in words, and the outcome rows
with what tells one part of a study from another. Each direction code has one sentence, saying exactly what the
data dictionary means by it."""
from __future__ import annotations

import re

import pandas as pd

from ...data.labels import pretty
from ...data.subset import is_exercise_study
from .citing import ARM_KEY, cite, escape_text

ANIMAL_SPECIES = ("mouse", "rat")
HUMAN_DESIGNS = ("human_rct", "human_nonrandomised", "human_observational")
DESIGN_PLURAL = {
    "human_rct": ("randomised trial", "randomised trials"),
    "human_nonrandomised": ("non-randomised study", "non-randomised studies"),
    "human_observational": ("observational study", "observational studies"),
    "animal_experiment": ("animal experiment", "animal experiments"),
}
POPULATION_PHRASE = {
    "als_model_animal": "animals carrying an ALS-causing mutation",
    "healthy_animal": "healthy animals",
    "other_disease_model_animal": "animals modelling another disease",
    "people_with_als": "people with ALS",
    "other_people": "other people",
    "not_applicable": "works without subjects",
}
DOMAIN_PHRASE = {"cellular_mechanistic": "cellular and mechanistic measures", "other": "other outcomes",
                 "motoneuron_survival": "motor neuron survival"}
MODALITY_PHRASE = {"unspecified_exercise": "exercise of an unstated kind", "running_unspecified": "running of an unstated kind",
                   "endurance_aerobic": "endurance (aerobic) exercise", "resistance": "resistance exercise",
                   "combined": "combined exercise", "other": "another kind of exercise",
                   "aerobic_endurance": "aerobic or endurance exercise",
                   "stretching_range_of_motion": "stretching or range-of-motion exercise",
                   "other_or_unstated": "other exercise, or exercise of an unstated kind"}
SPECIES_PLURAL = {"mouse": "mice", "rat": "rats", "human": "people"}
# One sentence per direction code, each saying exactly what the data dictionary means by it.
DIRECTION_SENTENCE = {
    "beneficial": "Results favoured exercise on {}.",
    "harmful": "Results pointed to harm on {}.",
    "mixed": "Results were mixed on {}.",
    "no_effect": "No significant difference was found on {}.",
    "unclear": "No direction was stated for {}.",
}
DIRECTION_ORDER = ("beneficial", "harmful", "mixed", "no_effect", "unclear")


def words(items, conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def counted(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column that may not exist yet (added by a later schema), as text with '' for missing."""
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))


def arm_label(arm_id: str) -> str:
    """The arm's short label from its pattern-checked key (safe to put inside a citation)."""
    match = ARM_KEY.match(arm_id)
    return pretty(match.group(1)) if match else ""


def domain_words(domain: str) -> str:
    return DOMAIN_PHRASE.get(domain, pretty(domain))


def modality_words(modality: str) -> str:
    return MODALITY_PHRASE.get(modality, pretty(modality))


def primary_studies(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    studies = tables["studies"]
    return studies.loc[is_exercise_study(studies)].sort_values(["year", "study_id"])


def outcome_rows(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Outcomes with their arm's sex and the study's population; subgroup '' when the column is absent."""
    outcomes = tables["outcomes"].copy()
    outcomes["subgroup"] = text_column(outcomes, "subgroup")
    arms = tables["interventions"][["arm_id", "sex"]]
    rows = outcomes.merge(arms, on="arm_id", how="left")
    population = tables["studies"].set_index("study_id")["population"]
    rows["population"] = rows["study_id"].map(population)
    return rows


def _unit_label(rows: pd.DataFrame) -> str:
    """What tells one part of a study from another in a citation: subgroup, else sex, else the arm label."""
    subgroup = rows["subgroup"].iloc[0]
    if subgroup:
        return re.sub(r"[^A-Za-z0-9 ]", " ", subgroup).strip()
    return arm_label(rows["arm_id"].iloc[0])


def topic_words(rows: pd.DataFrame) -> pd.Series:
    """What an outcome is about in words: its domain, or for the 'other' domain its own measure."""
    return pd.Series([escape_text(m) if d == "other" else domain_words(d) for d, m in zip(rows["domain"], rows["measure"])],
                     index=rows.index, dtype=object)


def direction_sentences(rows: pd.DataFrame) -> list[str]:
    """For a set of outcome rows: one sentence per direction, listing topics with the studies behind each.

    A study counts once under each direction its outcomes on a topic show, as in the evidence tables, so two
    measures that point different ways are never merged into 'mixed' (which the data dictionary keeps for a single
    outcome reported both ways). When its arms or subgroups point different ways, each part is cited with its
    label (e.g. 'exercise female')."""
    if rows.empty:
        return []
    parts = rows.assign(unit=rows["arm_id"] + "|" + rows["subgroup"], topic=topic_words(rows))
    per_unit = parts[["study_id", "unit", "topic", "direction"]].drop_duplicates()
    units = per_unit.groupby(["study_id", "topic"])["unit"].nunique()
    split = per_unit.groupby(["study_id", "topic"])["direction"].nunique().where(units > 1, 1)
    sentences = []
    for direction in DIRECTION_ORDER:
        chosen = per_unit.loc[per_unit["direction"] == direction]
        if chosen.empty:
            continue
        items = []
        for topic, group in chosen.groupby("topic", sort=True):
            suffixes = {}
            for study_id, study_rows in group.groupby("study_id", sort=False):
                if split.get((study_id, topic), 1) > 1:
                    labels = [_unit_label(parts.loc[parts["unit"] == u]) for u in study_rows["unit"]]
                    suffixes[study_id] = ", ".join(l for l in labels if l)
            items.append(f"{topic} {cite(group['study_id'], suffixes)}")
        sentences.append(DIRECTION_SENTENCE[direction].format(words(items)))
    return sentences


def when_phrase(time_point: str) -> str:
    """A curated time point as a phrase: 'at 3 months', 'after 3 weeks of rest', 'in the single progressive test';
    empty or 'not stated' ones become 'at an unstated time'."""
    text = time_point.strip()
    if not text or re.match(r"(?i)not\b|unclear|unknown", text):
        return "at an unstated time"
    if re.match(r"(?i)(after|within|during|before|over|from|until|by|between)\b", text):
        return escape_text(text)
    if re.search(r"(?i)\btest\b", text):
        return f"in the {escape_text(text)}"
    return f"at {escape_text(text)}"


def in_order(time_points) -> list[str]:
    return list(dict.fromkeys(time_points))


def with_article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def species_counts(studies: pd.DataFrame) -> str:
    return words([f"{counted(int((studies['species'] == s).sum()), 'experiment')} in {SPECIES_PLURAL[s]}"
                  for s in ANIMAL_SPECIES if (studies["species"] == s).any()])
