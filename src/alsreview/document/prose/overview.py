"""Passages that describe the whole selection: the years and models covered, the outcome domains per model, the
evidence map's single-study cells, and which modalities were tested in animals, in people or in both."""
from __future__ import annotations

import pandas as pd

from ...data.labels import POPULATION
from .citing import cite
from .wording import (
    ANIMAL_SPECIES,
    POPULATION_PHRASE,
    counted,
    domain_words,
    modality_words,
    outcome_rows,
    primary_studies,
    species_counts,
    words,
)


def coverage(tables: dict[str, pd.DataFrame]) -> str:
    """Years covered, the newest primary study and the newest trial, and the species and models of animal work."""
    studies = tables["studies"]
    if studies.empty:
        return "No work is in this selection.\n"
    primary = primary_studies(tables)
    sentences = [f"The works span {int(studies['year'].min())} to {int(studies['year'].max())}."]
    if len(primary):
        newest = primary.loc[primary["year"] == primary["year"].max()]
        sentences.append(f"The newest primary study testing exercise dates from {int(newest['year'].iloc[0])} {cite(newest['study_id'])}.")
    animal = primary.loc[primary["species"].isin(ANIMAL_SPECIES)]
    if len(animal):
        models = words([f"{int((animal['population'] == p).sum())} in {POPULATION_PHRASE[p]}"
                        for p in POPULATION if (animal["population"] == p).any()])
        sentences.append(f"Animal experiments testing exercise: {species_counts(animal)}; by model, {models}.")
    return " ".join(sentences) + "\n"


def model_domains(tables: dict[str, pd.DataFrame]) -> str:
    """Which outcome domains each model category covers, with the number of studies of a training programme in
    each (the studies the evidence tables count; a single exercise test is listed elsewhere, not counted here)."""
    rows = outcome_rows(tables)
    rows = rows.loc[rows["study_id"].isin(set(primary_studies(tables)["study_id"]))]
    if rows.empty:
        return "No outcome is in this selection.\n"
    sentences = []
    for pop in POPULATION:
        part = rows.loc[rows["population"] == pop]
        if part.empty:
            continue
        per_domain = part.groupby("domain")["study_id"].nunique().sort_values(ascending=False, kind="stable")
        listing = words([f"{domain_words(d)} ({counted(int(n), 'study', 'studies')})" for d, n in per_domain.items()])
        sentences.append(f"In {POPULATION_PHRASE[pop]} the outcomes fall in {listing}.")
    return " ".join(sentences) + "\n"


def map_cells(evidence_map: pd.DataFrame) -> str:
    """How many cells of the evidence map hold a single study."""
    if evidence_map.empty or "studies" not in evidence_map.columns:
        return "The evidence map is empty in this selection.\n"
    filled = evidence_map.loc[evidence_map["studies"] > 0]
    single = int((filled["studies"] == 1).sum())
    return f"Of the {counted(len(filled), 'filled cell')}, {single} hold a single study.\n"


def translation(animal_vs_human: pd.DataFrame) -> str:
    """Which modalities were tested only in animals, only in people, or in both."""
    if animal_vs_human.empty:
        return "No exercise modality is in this selection.\n"
    out = []
    for gap, phrase in (("animal evidence only", "Tested only in animals"), ("human evidence only", "tested only in people"),
                        ("both", "tested in both")):
        modalities = [modality_words(m) for m in animal_vs_human.loc[animal_vs_human["gap"] == gap, "modality_group"]]
        if modalities:
            out.append(f"{phrase}: {words(modalities)}")
    text = "; ".join(out)
    return text[0].upper() + text[1:] + ".\n"
