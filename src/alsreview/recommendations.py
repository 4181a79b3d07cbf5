"""Recommendations against evidence: what each approach the 2017 review recommends actually rests on."""
from __future__ import annotations

import pandas as pd

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
    """One row per recommendation: linked references by kind, and the primary studies of its modalities with their directions."""
    recs, support, studies = tables["recommendations"], tables["recommendation_support"], tables["studies"]
    kind = studies.set_index("study_id")["evidence_type"].map(SUPPORT_KINDS)
    per_study = study_directions(tables["outcomes"], tables["interventions"], ["modality"])
    evidence = studies.set_index("study_id")["evidence_type"]
    species = studies.set_index("study_id")["species"]
    rows = []
    for rec in recs.itertuples(index=False):
        linked = support.loc[support["recommendation_id"] == rec.recommendation_id, "study_id"]
        counts = kind.reindex(linked).value_counts()
        modalities = (rec.modalities or "").split(";")
        tested = per_study.loc[per_study["modality"].isin(modalities)]
        by_study = tested.groupby("study_id")["direction"].agg(
            lambda d: d.iloc[0] if d.nunique() == 1 else "mixed")
        row = {"recommendation": rec.approach, "references_linked": int(linked.nunique())}
        row.update({k: int(counts.get(k, 0)) for k in KIND_COLUMNS})
        animal_ids = [s for s in by_study.index if species.get(s) in ("mouse", "rat")]
        row["animal_studies_of_modality"] = len(animal_ids)
        row["trials_of_modality"] = int(sum(evidence.get(s) == "human_rct" for s in by_study.index))
        row["directions_of_modality_studies"] = format_direction_counts(by_study) or "none studied"
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["recommendation", "references_linked", *KIND_COLUMNS, "animal_studies_of_modality",
                                     "trials_of_modality", "directions_of_modality_studies", "rests_on"])
    frame["rests_on"] = frame.apply(_basis, axis=1)
    return frame
