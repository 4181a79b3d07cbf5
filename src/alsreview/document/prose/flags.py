"""What the report may show and cite for a selection: the booleans its conditional blocks test, and the works it
may cite (values.included.<key>, read by the report's citation filter)."""
from __future__ import annotations

import pandas as pd

from ...data.appraisal import HUMAN_TOOLS, OURS
from ...data.labels import POPULATION
from ..bibliography import methods_keys
from .citing import STUDY_KEY
from ...data.labels import SEED_STUDY_ID
from .wording import ANIMAL_SPECIES, primary_studies


def citable(tables: dict[str, pd.DataFrame], corpus: dict[str, pd.DataFrame]) -> list[str]:
    """Works the report may cite: the selected studies, the seed review (a fact about the corpus), and the
    reviews whose pooled results or risk-of-bias judgements are in the selection, and the methods papers."""
    keys = set(tables["studies"]["study_id"])
    if SEED_STUDY_ID in set(corpus["studies"]["study_id"]):
        keys.add(SEED_STUDY_ID)
    keys |= set(tables.get("pooled_results", pd.DataFrame(columns=["study_id"]))["study_id"])
    keys |= set(tables.get("risk_of_bias", pd.DataFrame(columns=["assessed_by"]))["assessed_by"])
    keys |= set(methods_keys())
    return sorted(k for k in keys if STUDY_KEY.match(k))


def nocite(keys: list[str]) -> str:
    """Pandoc's nocite value: every citable work appears in the reference list, cited in the text or not."""
    return ", ".join(f"@{k}" for k in keys if STUDY_KEY.match(k))


def risk_of_bias_flags(rob: pd.DataFrame) -> dict:
    """Which appraisal blocks have rows: ours of people (RoB 2, ROBINS-I), ours of animals (SYRCLE), published."""
    ours = rob["assessed_by"] == OURS
    return {"has_risk_of_bias": bool((ours & rob["tool"].isin(HUMAN_TOOLS)).any()),
            "has_animal_risk_of_bias": bool((ours & (rob["tool"] == "syrcle")).any()),
            "has_published_rob": bool((~ours).any())}


def section_flags(tables: dict[str, pd.DataFrame], corpus: dict[str, pd.DataFrame]) -> dict:
    """Booleans the report's conditional blocks test, and which works may be cited (values.included.<key>)."""
    primary = primary_studies(tables)
    flags = {
        "has_animal_evidence": bool(primary["species"].isin(ANIMAL_SPECIES).any()),
        "has_human_evidence": bool((primary["species"] == "human").any()),
        "has_human_trials": bool((primary["evidence_type"] == "human_rct").any()),
        "has_outcomes": bool(len(tables["outcomes"])),
        "has_reviews": bool(tables["studies"]["evidence_type"].isin(["systematic_review", "narrative_review"]).any()),
        "has_pooled_results": bool(len(tables.get("pooled_results", []))),
        **risk_of_bias_flags(tables.get("risk_of_bias", pd.DataFrame(columns=["assessed_by", "tool"]))),
        "has_recommendation_support": bool(len(tables.get("recommendation_support", []))),
        "has_update_logs": bool(len(corpus.get("screening", []))),
        # Release-to-release changes name works of the whole corpus: shown only when nothing is left out.
        "is_whole_corpus": len(tables["studies"]) == len(corpus["studies"]),
    }
    flags["has_animal_and_human_evidence"] = flags["has_animal_evidence"] and flags["has_human_evidence"]
    flags.update({f"has_{pop}": bool((primary["population"] == pop).any()) for pop in POPULATION})
    flags["included"] = {key: True for key in citable(tables, corpus)}
    return flags
