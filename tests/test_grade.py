"""GRADE certainty computed from the data: one rule per domain, a footnote for each, and wording that says no more
than the certainty allows."""
import re

import pandas as pd

from alsreview.synthesis.grade import conclusion_for_people, optimal_information_size, plain_words, rate

CONTRASTS = pd.DataFrame({"study_id": ["a2020", "b2021"], "variance": [1.0, 3.0]})
POOLED = pd.Series({"k": 2, "participants": 108, "re_ci_lower": -13.3, "re_ci_upper": 21.9, "i2": 0.0,
                    "pi_lower": None, "pi_upper": None})
DESIGNS = {"a2020": "human_rct", "b2021": "human_rct"}
STRETCHING = {"a2020": "usual_care_stretching", "b2021": "usual_care_no_exercise"}


def test_two_high_risk_imprecise_trials_are_very_low_with_a_reason_per_domain():
    graded = rate(POOLED, CONTRASTS, {"a2020": "high", "b2021": "high"}, DESIGNS, STRETCHING)
    assert graded["certainty"] == "very low" and graded["downgrades"] == 3
    assert graded["note_risk_of_bias"].endswith("down one")
    assert graded["note_inconsistency"].startswith("cannot be judged from 2 trials")
    assert graded["note_indirectness"].endswith("not downgraded")
    assert "includes no difference" in graded["note_imprecision"] and graded["note_imprecision"].endswith("down two")
    assert graded["note_publication_bias"].startswith("not assessable")


def test_low_risk_precise_randomised_evidence_stays_high_and_other_exercise_is_indirect():
    precise = POOLED.copy()
    precise[["participants", "re_ci_lower", "re_ci_upper"]] = [1000, 1.0, 3.0]
    assert rate(precise, CONTRASTS, {"a2020": "low", "b2021": "some_concerns"}, DESIGNS, STRETCHING)["certainty"] == "high"
    other = {"a2020": "other_exercise", "b2021": "sham"}
    graded = rate(precise, CONTRASTS, {"a2020": "low", "b2021": "low"}, DESIGNS, other)
    assert graded["certainty"] == "moderate" and "a2020" in graded["note_indirectness"]


def test_risk_of_bias_weighs_the_trials_and_non_randomised_evidence_starts_low():
    # b2021 (high risk) carries a quarter of the weight: not downgraded for risk of bias
    graded = rate(POOLED, CONTRASTS, {"a2020": "low", "b2021": "high"}, DESIGNS, STRETCHING)
    assert graded["note_risk_of_bias"].startswith("25%") and graded["note_risk_of_bias"].endswith("not downgraded")
    mixed = rate(POOLED, CONTRASTS, {}, {"a2020": "human_rct", "b2021": "human_nonrandomised"}, STRETCHING)
    assert mixed["note_start"].endswith("start low") and mixed["certainty"] == "very low"


def test_optimal_information_size_for_a_small_effect():
    assert optimal_information_size(0.2) == 786 and optimal_information_size(0.5) == 126


def test_words_follow_certainty_and_never_claim_no_effect():
    assert plain_words("very low", "favours exercise", "x") == "The evidence is very uncertain about the effect of exercise on x."
    assert plain_words("moderate", "favours exercise", "x") == "Exercise probably improves x."
    assert plain_words("low", "favours control", "x") == "Exercise may worsen x."
    assert plain_words("high", "favours exercise", "x") == "Exercise improves x."
    neutral = plain_words("low", "no clear difference", "x")
    assert "no evidence of a difference" in neutral and "no effect" not in neutral
    assert "very uncertain" in conclusion_for_people(pd.DataFrame({"certainty": ["very low"]}))
    assert "very uncertain" in conclusion_for_people(pd.DataFrame({"certainty": []}))
    assert "at best low" in conclusion_for_people(pd.DataFrame({"certainty": ["very low", "low"]}))


def test_shipped_summary_of_findings_rates_every_pooled_estimate(tables):
    from alsreview.living.update import update_tables

    update = update_tables(tables, tables, "0.0.0")
    sof = update["summary_of_findings"]
    pooled = sof.loc[sof["estimate"].notna()]
    assert len(pooled) == len(update["pooled"]) + len(update["assumed"])
    narrated = sof.loc[sof["estimate"].isna(), "outcome"].tolist()
    assert narrated[-1] == "adverse events (harms)"  # harms, not pooled
    # Every outcome domain trials against no added exercise measured has a row, pooled or not.
    candidates = update["candidates"]
    measured = set(candidates.loc[candidates["comparator_kind"].isin(["usual_care_no_exercise", "usual_care_stretching",
                                                                       "sham"]) & (candidates["domain"] != "other"),
                                  "domain"])
    assert {f"{d.replace('_', ' ')}, all follow-up times" for d in measured} == set(narrated[:-1])
    assert sof["certainty"].isin(["high", "moderate", "low", "very low"]).all()
    assert sof.filter(like="note_").map(lambda v: isinstance(v, str) and len(v) > 10).all(axis=None)


def test_harms_are_an_outcome_of_their_own_rated_by_the_same_rules(tables):
    """The shipped trials rarely count adverse events, so harms are very uncertain; the same studies with counted
    events and low risk of bias lose nothing but the non-randomised start."""
    from alsreview.synthesis.appraisal import harms_reporting_counts
    from alsreview.synthesis.bias import overall_by_study
    from alsreview.synthesis.grade import harms_outcome

    counts = harms_reporting_counts(tables)
    row = harms_outcome(tables, overall_by_study(tables["risk_of_bias"])).iloc[0]
    assert row["trials"] == counts["studies"] and pd.isna(row["estimate"])
    stated = [int(n) for n in re.findall(r"(\d+) (?:of \d+ studies counted|stated|mentioned|said)", row["effect_text"])]
    assert sum(stated) == counts["studies"]
    assert row["certainty"] == "very low" and row["note_imprecision"].endswith("down two")
    assert "very uncertain about the harms" in row["plain_words"]
    counted = {**tables, "harms": tables["harms"].assign(adverse_events_reporting="counted")}
    trials = harms_outcome(counted, {}).iloc[0]
    assert trials["note_risk_of_bias"].endswith("not downgraded") and trials["note_imprecision"].endswith("not downgraded")
    randomised = set(tables["studies"].loc[tables["studies"]["evidence_type"] == "human_rct", "study_id"])
    expected = "high" if randomised >= set(counted["harms"]["study_id"]) else "low"
    assert trials["certainty"] == expected


def test_the_printed_analysis_plan_follows_the_values_the_code_applies(monkeypatch):
    """The Methods print the plan from the constants the pooling and the rating use: change one and the plan
    changes with it; every comparator class is either pooled against exercise or not, never both."""
    from alsreview.synthesis import plan
    from alsreview.synthesis.contrasts import COMPARATOR_KINDS
    from alsreview.synthesis.trial_pooling import FEW_TRIALS

    rules = plan.analysis_plan().set_index("rule")["value"]
    assert f"below {FEW_TRIALS} trials" in rules["few trials"]
    assert f"optimal information size of {optimal_information_size()} participants" in rules["imprecision"]
    pooled = rules["comparators that count as no added exercise"].split("; ")
    not_pooled = rules["comparators that are not pooled against exercise"].split("; ")
    assert sorted(pooled + not_pooled) == sorted(COMPARATOR_KINDS.values()) and not set(pooled) & set(not_pooled)
    monkeypatch.setattr(plan, "FEW_TRIALS", 7)
    assert "below 7 trials" in plan.analysis_plan().set_index("rule").loc["few trials", "value"]


def test_an_outcome_without_a_pooled_estimate_is_rated_with_its_trials_disagreement_and_no_estimate():
    from alsreview.synthesis.grade import narrative_outcomes

    studies = pd.DataFrame({"study_id": ["a2020", "b2021", "c2022"], "evidence_type": ["human_rct"] * 3})
    outcomes = pd.DataFrame({"outcome_id": ["a1", "b1", "c1"], "direction": ["beneficial", "no_effect", "no_effect"]})
    candidates = pd.DataFrame({"study_id": ["a2020", "b2021", "c2022"], "outcome_id": ["a1", "b1", "c1"],
                               "domain": ["muscle_strength"] * 3, "comparator_kind": ["sham", "sham", "other_exercise"]})
    low = {"a2020": "low", "b2021": "low"}
    row = narrative_outcomes(candidates, {"studies": studies, "outcomes": outcomes}, low).iloc[0]
    assert row["trials"] == 2  # the trial against another exercise is not among them
    assert "beneficial 1; no difference found 1" in row["effect_text"]
    assert row["note_inconsistency"].endswith("down one") and row["note_imprecision"].endswith("down two")
    assert row["certainty"] == "very low" and "very uncertain" in row["plain_words"]
    agreeing = outcomes.assign(direction="no_effect")
    row = narrative_outcomes(candidates, {"studies": studies, "outcomes": agreeing}, low).iloc[0]
    assert row["certainty"] == "low" and "no evidence of a difference" in row["plain_words"]
