"""Property-based: whatever the rows, a harmful outcome reaches every summary that covers it, with the exact
number of studies behind it, and no summary shows harm that no row reports."""
import matplotlib
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from alsreview.data.labels import DIRECTIONS, DIRECTNESS, DIRECTNESS_LABELS, POPULATION  # noqa: E402
from alsreview.document.values import overview_values  # noqa: E402
from alsreview.synthesis.evidence_map import evidence_map, plot_evidence_map  # noqa: E402
from alsreview.synthesis.recommendations import recommendations_vs_evidence  # noqa: E402
from alsreview.synthesis.summary import animal_vs_human, characteristics, evidence_by_model, outcome_findings  # noqa: E402

POPULATIONS = {"als_model_animal": "mouse", "healthy_animal": "rat", "other_disease_model_animal": "rat",
               "people_with_als": "human"}
MODALITIES = ["swimming", "resistance", "treadmill_running"]
GROUPS = {"swimming": "aerobic_endurance", "treadmill_running": "aerobic_endurance", "resistance": "resistance"}
DOMAINS = ["survival", "fatigue", "motor_performance"]
SIDE = {"als_model_animal": "als_animal", "people_with_als": "people_with_als", "healthy_animal": "indirect",
        "other_disease_model_animal": "indirect"}

outcome = st.fixed_dictionaries({"domain": st.sampled_from(DOMAINS), "direction": st.sampled_from(DIRECTIONS),
                                 "subgroup": st.sampled_from([None, "males", "females"]),
                                 "time_point": st.sampled_from(["3 months", "6 months"]),
                                 "measure": st.sampled_from(["m1", "m2"])})
arm = st.fixed_dictionaries({"modality": st.sampled_from(MODALITIES), "outcomes": st.lists(outcome, min_size=1, max_size=4)})
study = st.fixed_dictionaries({"population": st.sampled_from(list(POPULATIONS)),
                               "role": st.sampled_from(["training_programme", "training_programme", "single_session_test"]),
                               "arms": st.lists(arm, min_size=1, max_size=3)})


def make_tables(drawn):
    studies, arms, outcomes = [], [], []
    for i, s in enumerate(drawn):
        sid = f"s{i}x200{i % 10}"
        species = POPULATIONS[s["population"]]
        studies.append(dict(study_id=sid, ref_no=None, year=2000 + i, evidence_type="human_rct" if species == "human" else "animal_experiment",
                            species=species, model="m", exercise_tested="yes", exercise_role=s["role"],
                            authors_conclusion="unclear" if s["role"] == "training_programme" else None,
                            population=s["population"], extraction="abstract", discrepancy=None, doi=None, pmid=None))
        for a, drawn_arm in enumerate(s["arms"]):
            arm_id = f"{sid}-a{a}"
            arms.append(dict(arm_id=arm_id, study_id=sid, arm_label=f"a{a}", modality=drawn_arm["modality"], n=None))
            for o, row in enumerate(drawn_arm["outcomes"]):
                outcomes.append(dict(outcome_id=f"{arm_id}-{o + 1}", study_id=sid, arm_id=arm_id, finding="f", **row))
    recs = pd.DataFrame([dict(recommendation_id=m, approach=m, modalities=m) for m in MODALITIES])
    return {"studies": pd.DataFrame(studies), "interventions": pd.DataFrame(arms), "outcomes": pd.DataFrame(outcomes),
            "recommendations": recs, "recommendation_support": pd.DataFrame(columns=["recommendation_id", "study_id"]),
            "pooled_results": pd.DataFrame(columns=["study_id"]),
            "modality_groups": pd.DataFrame([{"modality": m, "modality_group": g} for m, g in GROUPS.items()])}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=st.lists(study, min_size=1, max_size=5))
def test_every_harmful_outcome_reaches_every_summary_that_covers_it(drawn):
    tables = make_tables(drawn)
    outcomes = tables["outcomes"].merge(tables["interventions"][["arm_id", "modality"]], on="arm_id")
    outcomes = outcomes.merge(tables["studies"][["study_id", "population", "exercise_role"]], on="study_id")
    harmful = outcomes.loc[outcomes["direction"] == "harmful"]
    trained = harmful.loc[harmful["exercise_role"] == "training_programme"]

    assert overview_values(tables)["n_outcomes_harmful"] == len(harmful)
    assert (outcome_findings(tables)["direction"] == "harmful").sum() == len(harmful)
    listed = characteristics(tables).set_index("study")["outcome_directions"]
    assert {s for s, text in listed.items() if "harmful" in text} == set(harmful["study_id"])

    harm_studies = trained.assign(evidence=trained["population"].map(DIRECTNESS).map(DIRECTNESS_LABELS),
                                  model=trained["population"].map(POPULATION))
    expected_map = harm_studies.groupby(["evidence", "modality", "domain"])["study_id"].nunique()
    shown_map = evidence_map(tables).set_index(["evidence", "modality", "domain"])["harmful"]
    assert shown_map[shown_map > 0].sort_index().to_dict() == expected_map.sort_index().to_dict()
    expected_model = harm_studies.groupby(["evidence", "model", "domain"])["study_id"].nunique()
    shown_model = evidence_by_model(tables).set_index(["evidence", "model", "domain"])["harmful"]
    assert shown_model[shown_model > 0].sort_index().to_dict() == expected_model.sort_index().to_dict()

    sides = animal_vs_human(tables).set_index("modality_group")  # modalities meet in their group
    grouped = trained.assign(side=trained["population"].map(SIDE), group=trained["modality"].map(GROUPS))
    for group, side in grouped[["group", "side"]].drop_duplicates().itertuples(index=False):
        assert "harmful" in sides.loc[group, f"{side}_findings"]
    with_harm = set(grouped[["group", "side"]].itertuples(index=False, name=None))
    for group, row in sides.iterrows():
        for side in SIDE.values():
            assert ("harmful" in row[f"{side}_findings"]) == ((group, side) in with_harm)

    recs = recommendations_vs_evidence(tables).set_index("recommendation")["directions_of_modality_studies"]
    assert {m for m, text in recs.items() if "harmful" in text} == set(trained["modality"])

    fig = plot_evidence_map(evidence_map(tables))
    outlines = [p for ax in fig.axes for p in ax.patches if p.get_gid() == "harm-outline"]
    assert len(outlines) == len(expected_map)
    plt.close(fig)
