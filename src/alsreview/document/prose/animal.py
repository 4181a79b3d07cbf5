"""The animal-evidence passage: which experiments tested exercise, in which models, and what they found, with
harmful results traced to their arms."""
from __future__ import annotations

import pandas as pd

from ...data.labels import POPULATION
from .citing import cite, escape_text
from .wording import (
    ANIMAL_SPECIES,
    POPULATION_PHRASE,
    arm_label,
    counted,
    direction_sentences,
    outcome_rows,
    primary_studies,
    species_counts,
    text_column,
    words,
)


def _harm_detail(rows: pd.DataFrame, arms: pd.DataFrame) -> str:
    """Which arms the harmful findings came from, with their coded sex and stated intensity."""
    harmful = rows.loc[rows["direction"] == "harmful"]
    if harmful.empty:
        return ""
    details = []
    for (study_id, arm_id), _ in harmful.groupby(["study_id", "arm_id"], sort=True):
        arm = arms.loc[arms["arm_id"] == arm_id]
        bits = []
        if len(arm) and arm["sex"].iloc[0] in ("male", "female"):
            bits.append(f"{arm['sex'].iloc[0]}s")
        intensity = text_column(arm, "intensity")
        if len(arm) and intensity.iloc[0]:
            bits.append(f"intensity: {escape_text(intensity.iloc[0])}")
        detail = f" ({'; '.join(bits)})" if bits else ""
        details.append(f"the {arm_label(arm_id)} arm{detail} {cite([study_id])}")
    return f"The harmful results came from {words(details)}."


def animal_evidence(tables: dict[str, pd.DataFrame]) -> str:
    """The animal-evidence passage: which experiments tested exercise, in which models, and what they found."""
    primary = primary_studies(tables)
    animal = primary.loc[primary["species"].isin(ANIMAL_SPECIES)]
    if animal.empty:
        return "No animal experiment testing exercise is in this selection.\n"
    groups = [(pop, animal.loc[animal["population"] == pop]) for pop in POPULATION if pop in set(animal["population"])]
    listing = [f"{len(g)} in {POPULATION_PHRASE[pop]} {cite(g['study_id'])}" for pop, g in groups]
    paragraphs = [f"{counted(len(animal), 'animal experiment')} tested exercise ({species_counts(animal)}): "
                  f"{words(listing)}."]
    rows = outcome_rows(tables)
    for pop, group in groups:
        part = rows.loc[rows["study_id"].isin(group["study_id"])]
        sentences = direction_sentences(part)
        harm = _harm_detail(part, tables["interventions"])
        missing = sorted(set(group["study_id"]) - set(part["study_id"]))
        if missing:
            sentences.append(f"No outcome was extracted from {cite(missing)}.")
        paragraphs.append(f"**{POPULATION[pop]}.** " + " ".join([*sentences, harm]).strip())
    return "\n\n".join(paragraphs) + "\n"
