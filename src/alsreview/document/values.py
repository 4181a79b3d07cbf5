"""Numbers the report's prose quotes, computed from the data so that no count is typed by hand."""
from __future__ import annotations

import pandas as pd

from ..data.subset import exercise_outcomes, is_exercise_study
from ..synthesis.recommendations import recommendations_vs_evidence


def _fmt(x: float) -> str:
    return f"{x:.2f}"


from ..data.labels import SEED_STUDY_ID
NOT_IN_SELECTION = "n/a"  # a subset without these rows still renders every value the report quotes


def _year_of(studies: pd.DataFrame, study_id: str):
    years = studies.loc[studies["study_id"] == study_id, "year"]
    return int(years.iloc[0]) if len(years) else ""


def overview_values(tables: dict[str, pd.DataFrame], corpus: dict[str, pd.DataFrame] | None = None) -> dict:
    """Counts of the selection; facts about the corpus (the seed's reference list and year) come from the
    whole dataset, so a subset report does not shrink them."""
    studies, arms, outcomes = tables["studies"], tables["interventions"], tables["outcomes"]
    whole = (corpus or tables)["studies"]
    primary = studies.loc[is_exercise_study(studies)]
    count = lambda col, value, frame=studies: int((frame[col] == value).sum())
    reviews = studies["evidence_type"].isin(["systematic_review", "narrative_review"])
    return {
        "n_references": int(whole["ref_no"].notna().sum()),
        "n_works_added": int(whole["ref_no"].isna().sum()),
        "seed_year": _year_of(whole, SEED_STUDY_ID),
        "n_works": len(studies),
        "year_first": int(studies["year"].min()) if len(studies) else "",
        "year_last": int(studies["year"].max()) if len(studies) else "",
        "n_exercise_studies": len(primary),
        "n_animal_experiments": count("evidence_type", "animal_experiment"),
        "n_animal_exercise_studies": int((primary["evidence_type"] == "animal_experiment").sum()),
        "n_human_exercise_studies": int((primary["species"] == "human").sum()),
        "n_exercise_tests": count("exercise_role", "single_session_test"),
        "n_mouse_studies": count("species", "mouse"),
        "n_rat_studies": count("species", "rat"),
        "n_als_model_studies": count("population", "als_model_animal"),
        "n_healthy_animal_studies": count("population", "healthy_animal"),
        "n_other_disease_studies": count("population", "other_disease_model_animal"),
        "n_human_studies": count("species", "human"),
        "n_human_rcts": count("evidence_type", "human_rct"),
        "n_reviews": int(reviews.sum()),
        "n_books_and_other": int(studies["evidence_type"].isin(["book_or_chapter", "other", "hypothesis"]).sum()),
        "n_arms": len(arms),
        "n_outcomes": len(outcomes),
        "n_outcomes_beneficial": count("direction", "beneficial", outcomes),
        "n_outcomes_harmful": count("direction", "harmful", outcomes),
        "n_outcomes_no_effect": count("direction", "no_effect", outcomes),
        "n_outcomes_mixed": count("direction", "mixed", outcomes),
        "n_outcomes_unclear": count("direction", "unclear", outcomes),
        "n_studies_with_harm": int(outcomes.loc[outcomes["direction"] == "harmful", "study_id"].nunique()),
        "n_title_only": count("extraction", "title_only"),
        "n_abstract": int(studies["extraction"].isin(["abstract", "full_text"]).sum()),
        "n_with_pmid": int(studies["pmid"].notna().sum()),
        "n_with_doi": int(studies["doi"].notna().sum()),
        "n_discrepancies": int(studies["discrepancy"].notna().sum()),
    }


def evidence_map_values(tables: dict[str, pd.DataFrame]) -> dict:
    """Counts for the evidence-map section; like the map itself, only studies of exercise training count."""
    recs = recommendations_vs_evidence(tables)
    trained = exercise_outcomes(tables)
    on_trials = recs.loc[recs["rests_on"] == "randomised trial evidence", "recommendation"] if len(recs) else []
    without = recs.loc[recs["rests_on"] == "expert opinion and textbooks only", "recommendation"] if len(recs) else []
    return {
        "n_modalities": int(tables["interventions"].loc[tables["interventions"]["arm_id"].isin(trained["arm_id"]), "modality"].nunique()),
        "n_domains": int(trained["domain"].nunique()),
        "n_recommendations": len(recs),
        "n_recommendations_on_trials": len(on_trials),
        "recommendations_on_trials": ", ".join(x.lower() for x in on_trials) or "none",
        "n_recommendations_opinion_only": len(without),
        "recommendations_opinion_only": ", ".join(without) or "none",
    }


def synthesis_values(tables: dict[str, pd.DataFrame]) -> dict:
    from ..data.favours import FAVOURS_EXERCISE
    from ..synthesis.reported import reported_analyses, summary_of_findings

    pooled = tables["pooled_results"]
    sof = summary_of_findings(pooled, tables.get("scales"))
    analyses = reported_analyses(pooled, tables.get("scales"))
    out = {
        "n_reported_analyses": len(analyses),
        "n_reported_multi_trial": int((analyses["n_studies"].fillna(0) >= 2).sum()) if len(analyses) else 0,
        "n_reported_single_trial": int((analyses["n_studies"].fillna(0) == 1).sum()) if len(analyses) else 0,
        "n_reported_ci_excludes_zero": int(((analyses["ci_lower"] > 0) | (analyses["ci_upper"] < 0)).sum()) if len(analyses) else 0,
    }
    for key, domain in (("alsfrs", "functional_rating"), ("fss", "fatigue"), ("sf36", "quality_of_life")):
        rows = pooled.loc[(pooled["analysis"] == "SoF") & (pooled["domain"] == domain)]
        out.update({f"{key}_{part}": NOT_IN_SELECTION for part in ("md", "ci_lower", "ci_upper", "studies", "participants",
                                                                   "certainty")})
        if len(rows):
            r = rows.iloc[0]
            out.update({f"{key}_md": _fmt(r["effect"]), f"{key}_ci_lower": _fmt(r["ci_lower"]),
                        f"{key}_ci_upper": _fmt(r["ci_upper"]), f"{key}_studies": int(r["n_studies"]),
                        f"{key}_participants": int(r["n_participants"]),
                        f"{key}_certainty": (r["certainty"] or "not rated").replace("_", " ")})
    out["n_sof_rows"] = len(sof)
    out["n_sof_favours_exercise"] = int((sof["finding"] == FAVOURS_EXERCISE).sum())
    out["n_reported_favours_exercise"] = int((analyses["finding"] == FAVOURS_EXERCISE).sum()) if len(analyses) else 0
    out.update(appraisal_values(tables))
    return out


def appraisal_values(tables: dict[str, pd.DataFrame]) -> dict:
    """The counts the appraisal paragraphs quote: our risk-of-bias judgements, published ones beside them, and
    how harms were reported."""
    from ..data.labels import study_names
    from ..synthesis.appraisal import harms_reporting_counts
    from ..data.appraisal import OURS
    from ..synthesis.bias import overall_by_study, published_beside_ours

    rob = tables["risk_of_bias"]
    overall = pd.Series(overall_by_study(rob), dtype=object)
    compared = published_beside_ours(rob, study_names(tables["studies"]))
    animals = rob.loc[(rob["assessed_by"] == OURS) & (rob["tool"] == "syrcle")] if "tool" in rob else rob.iloc[0:0]
    harms = harms_reporting_counts(tables)
    return {
        "n_rob_ours": len(overall),
        "n_rob_low": int(overall.isin(["low"]).sum()),
        "n_rob_middle": int(overall.isin(["some_concerns", "moderate", "no_information"]).sum()),
        "n_rob_high": int(overall.isin(["high", "serious", "critical"]).sum()),
        "n_rob_published": int(compared["study"].nunique()),
        "n_rob_disagree": int((compared["agree"] == "no").sum()),
        "n_syrcle_studies": int(animals["study_id"].nunique()),
        "n_syrcle_unclear": int((animals["judgement"] == "unclear").sum()),
        "n_syrcle_judgements": len(animals),
        "n_appraised": harms["studies"],
        "n_harms_counted": harms["counted"],
        "harms_counted_words": str(harms["counted"]) if harms["counted"] else "none",  # "none counted", not "0"
        "n_harms_none_stated": harms["none_occurred"],
        "n_harms_mentioned": harms["described_without_counts"],
        "n_harms_not_reported": harms["not_reported"],
    }
