"""Recommendations against evidence: what each approach the 2017 review recommends actually rests on."""
from __future__ import annotations

import pandas as pd

from ..data.subset import exercise_outcomes
from .summary import format_direction_counts, study_directions

SUPPORT_KINDS = {
    "animal_experiment": "animal experiments",
    "human_rct": "human trials",
    "human_nonrandomised": "human trials",
    "human_observational": "human observational",
    "systematic_review": "reviews",
    "narrative_review": "reviews",
    "book_or_chapter": "textbooks and practitioner articles",
    "other": "textbooks and practitioner articles",
    "hypothesis": "reviews",
}
KIND_COLUMNS = ["animal experiments", "human trials", "human observational", "reviews", "textbooks and practitioner articles"]


def _basis(row) -> str:
    if row["trials_of_modality"]:
        return "randomised trial evidence"
    if row["human trials"]:
        return "linked trials, but none tests this modality as such"
    if row["human observational"]:
        return "human observational studies only"
    if row["animal_studies_of_modality"] or row["animal experiments"]:
        return "animal experiments only"
    return "expert opinion and textbooks only"


def recommendations_vs_evidence(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per recommendation: linked references by kind, and the studies testing its modalities with the
    directions they show (the combining rule of summary.py: a study counts under each direction it shows)."""
    recs, support, studies = tables["recommendations"], tables["recommendation_support"], tables["studies"]
    kind = studies.set_index("study_id")["evidence_type"].map(SUPPORT_KINDS)
    arms = tables["interventions"]
    outcomes = exercise_outcomes(tables)
    modality_of = outcomes["arm_id"].map(arms.set_index("arm_id")["modality"])
    evidence = studies.set_index("study_id")["evidence_type"]
    population = studies.set_index("study_id")["population"]
    rows = []
    for rec in recs.itertuples(index=False):
        linked = support.loc[support["recommendation_id"] == rec.recommendation_id, "study_id"]
        counts = kind.reindex(linked).value_counts()
        modalities = (rec.modalities or "").split(";")
        shown = study_directions(outcomes.loc[modality_of.isin(modalities)], arms, [])
        tested = shown["study_id"].unique()
        row = {"recommendation": rec.approach, "references_linked": int(linked.nunique())}
        row.update({k: int(counts.get(k, 0)) for k in KIND_COLUMNS})
        row["animal_studies_of_modality"] = int(sum(evidence.get(s) == "animal_experiment" for s in tested))
        row["of_which_als_models"] = int(sum(population.get(s) == "als_model_animal" for s in tested))
        row["trials_of_modality"] = int(sum(evidence.get(s) == "human_rct" for s in tested))
        row["directions_of_modality_studies"] = format_direction_counts(shown["direction"]) or "none studied"
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["recommendation", "references_linked", *KIND_COLUMNS, "animal_studies_of_modality",
                                     "of_which_als_models", "trials_of_modality", "directions_of_modality_studies",
                                     "rests_on"])
    frame["rests_on"] = frame.apply(_basis, axis=1)
    return frame
