"""The analysis functions on small hand-made fixtures, where every expected count can be checked by eye."""
import pandas as pd
import pytest

from alsreview.data.subset import select
from alsreview.synthesis.evidence_map import evidence_map, evidence_matrix
from alsreview.synthesis.quality import discrepancies, field_coverage
from alsreview.synthesis.recommendations import recommendations_vs_evidence
from alsreview.synthesis.summary import (
    animal_vs_human,
    characteristics,
    directions_shown,
    evidence_by_model,
    study_directions,
)
from alsreview.synthesis.timeline import cumulative_counts, timeline_data


def study(sid, year, evidence, species, population, **kw):
    row = dict(study_id=sid, ref_no=None, authors="A B", year=year, title="t", journal="j", volume=None, issue=None,
               pages=None, doi=None, pmid=None, evidence_type=evidence, species=species, model="m", exercise_tested="yes",
               exercise_role="training_programme", authors_conclusion="beneficial", population=population,
               source_url="https://x", extraction="abstract", cited_for=None, discrepancy=None, notes=None)
    row.update(kw)
    return row


def hand_made_tables() -> dict[str, pd.DataFrame]:
    """Four works whose every count can be checked by eye; a plain function so other test files can build on it."""
    studies = pd.DataFrame([
        study("mouse2003", 2003, "animal_experiment", "mouse", "als_model_animal"),
        study("rat2005", 2005, "animal_experiment", "rat", "healthy_animal", discrepancy="pages differ"),
        study("trial2007", 2007, "human_rct", "human", "people_with_als"),
        study("review2010", 2010, "narrative_review", "none", "not_applicable", exercise_tested="no",
              exercise_role="not_applicable", authors_conclusion=None),
    ])
    arms = pd.DataFrame([
        dict(arm_id="mouse2003-run", arm_label="treadmill running", study_id="mouse2003", modality="treadmill_running", n=10),
        dict(arm_id="mouse2003-swim", arm_label="swimming", study_id="mouse2003", modality="swimming", n=10),
        dict(arm_id="rat2005-run", arm_label="run", study_id="rat2005", modality="treadmill_running", n=None),
        dict(arm_id="trial2007-res", arm_label="resistance", study_id="trial2007", modality="resistance", n=13),
    ])
    outcomes = pd.DataFrame([
        dict(outcome_id="mouse2003-run-1", study_id="mouse2003", arm_id="mouse2003-run", domain="survival", direction="beneficial", measure="lifespan", time_point="death", finding="longer"),
        dict(outcome_id="mouse2003-swim-1", study_id="mouse2003", arm_id="mouse2003-swim", domain="survival", direction="no_effect"),
        dict(outcome_id="rat2005-run-1", study_id="rat2005", arm_id="rat2005-run", domain="cellular_mechanistic", direction="beneficial"),
        dict(outcome_id="trial2007-res-1", study_id="trial2007", arm_id="trial2007-res", domain="functional_rating", direction="beneficial"),
        dict(outcome_id="trial2007-res-2", study_id="trial2007", arm_id="trial2007-res", domain="fatigue", direction="unclear"),
    ])
    recs = pd.DataFrame([
        dict(recommendation_id="resistance", approach="Resistance", modalities="resistance"),
        dict(recommendation_id="aerobic", approach="Aerobic", modalities="treadmill_running;swimming"),
        dict(recommendation_id="pnf", approach="PNF", modalities="pnf"),
    ])
    support = pd.DataFrame([
        dict(recommendation_id="resistance", study_id="trial2007"),
        dict(recommendation_id="aerobic", study_id="mouse2003"),
        dict(recommendation_id="aerobic", study_id="review2010"),
        dict(recommendation_id="pnf", study_id="review2010"),
    ])
    pooled = pd.DataFrame(columns=["study_id"])
    groups = pd.DataFrame([dict(modality=m, modality_group=g) for m, g in [
        ("treadmill_running", "aerobic_endurance"), ("swimming", "aerobic_endurance"), ("resistance", "resistance"),
        ("pnf", "other_or_unstated")]])
    return {"studies": studies, "interventions": arms, "outcomes": outcomes, "recommendations": recs,
            "recommendation_support": support, "pooled_results": pooled, "modality_groups": groups}


@pytest.fixture
def fixture_tables():
    return hand_made_tables()


def test_the_combining_rule_keeps_every_stated_direction():
    assert directions_shown(["beneficial", "beneficial"]) == ["beneficial"]
    assert directions_shown(["no_effect", "beneficial"]) == ["beneficial", "no_effect"]  # never turned into 'mixed'
    assert directions_shown(["unclear", "harmful"]) == ["harmful"]
    assert directions_shown(["harmful", "no_effect", "beneficial", "unclear"]) == ["beneficial", "no_effect", "harmful"]
    assert directions_shown(["unclear"]) == ["unclear"]
    assert directions_shown(["mixed"]) == ["mixed"]  # only a row coded mixed shows mixed
    assert directions_shown([]) == []


def test_study_directions_lists_a_study_once_per_direction(fixture_tables):
    shown = study_directions(fixture_tables["outcomes"], fixture_tables["interventions"], ["domain"])
    mouse = shown.loc[(shown["study_id"] == "mouse2003") & (shown["domain"] == "survival"), "direction"]
    assert list(mouse) == ["beneficial", "no_effect"]


def test_characteristics_lists_primary_studies_in_year_order(fixture_tables):
    table = characteristics(fixture_tables)
    assert list(table["study"]) == ["mouse2003", "rat2005", "trial2007"]
    mouse = table.iloc[0]
    assert mouse["interventions"] == "treadmill running; swimming"
    assert mouse["n_exercise"] == 20
    assert mouse["outcome_directions"] == "treadmill running: beneficial 1; swimming: no difference found 1"  # by arm
    assert mouse["exercise"] == "training" and mouse["authors_conclusion"] == "beneficial"
    assert pd.isna(table.iloc[1]["n_exercise"])  # one arm without n: no total is claimed


def test_evidence_by_model_counts_each_study_once_per_domain(fixture_tables):
    table = evidence_by_model(fixture_tables).set_index(["model", "domain"])
    survival = table.loc[("ALS-model animals", "survival")]
    assert survival["studies"] == 1 and survival["mixed"] == 0
    assert survival["beneficial"] == 1 and survival["no_effect"] == 1  # one study, counted under both directions it shows
    assert table.loc[("People with ALS", "functional_rating"), "beneficial"] == 1
    assert table.loc[("People with ALS", "fatigue"), "unclear"] == 1
    assert table.loc[("Healthy animals", "cellular_mechanistic"), "beneficial"] == 1
    evidence = evidence_by_model(fixture_tables).set_index("model")["evidence"]
    assert evidence["ALS-model animals"].startswith("direct") and evidence["Healthy animals"].startswith("indirect")


def test_evidence_map_and_matrix(fixture_tables):
    table = evidence_map(fixture_tables)
    run = table.set_index(["modality", "domain"]).loc[("treadmill_running", "survival")]
    assert run["studies"] == 1 and run["beneficial"] == 1
    assert set(table.loc[table["modality"] == "treadmill_running", "evidence"].str.split().str[0]) == {"direct", "indirect"}
    matrix = evidence_matrix(table)
    assert matrix.loc["treadmill_running", "cellular_mechanistic"] == 1
    assert matrix.loc["resistance", "survival"] == 0
    assert int(matrix.to_numpy().sum()) == int(table["studies"].sum())


def test_animal_vs_human(fixture_tables):
    table = animal_vs_human(fixture_tables).set_index("modality_group")
    aerobic = table.loc["aerobic_endurance"]
    assert aerobic["modalities"] == "swimming; treadmill_running"  # one group, both modalities named
    assert aerobic["als_animal_studies"] == 1  # the ALS mouse, once for its two aerobic arms ...
    assert aerobic["als_animal_findings"] == "beneficial 1, no difference found 1"  # ... with both directions kept
    assert aerobic["indirect_studies"] == 1  # ... kept apart from the healthy rat
    assert aerobic["gap"] == "animal evidence only"
    assert table.loc["resistance", "people_with_als_findings"] == "beneficial 1"  # the unclear outcome does not dilute it
    assert table.loc["resistance", "gap"] == "human evidence only"


def test_every_modality_has_its_group_and_aerobic_running_meets_cycling(tables):
    """The grouping rule covers the whole vocabulary, and the shipped data compare running animals with
    people who cycled or trained for endurance in one row."""
    from alsreview.data.schema import read_datapackage
    from alsreview.data.paths import DATA_DIR

    codes = read_datapackage(DATA_DIR).enum("interventions", "modality")
    assert sorted(tables["modality_groups"]["modality"]) == sorted(codes)
    table = animal_vs_human(tables).set_index("modality_group")
    assert table.loc["aerobic_endurance", "gap"] == "both"
    assert "treadmill_running" in table.loc["aerobic_endurance", "modalities"].split("; ")


def test_recommendations_against_evidence(fixture_tables):
    table = recommendations_vs_evidence(fixture_tables).set_index("recommendation")
    assert table.loc["Resistance", "rests_on"] == "randomised trial evidence"
    assert table.loc["Aerobic", "rests_on"] == "animal experiments only"
    assert table.loc["Aerobic", "animal_studies_of_modality"] == 2
    assert table.loc["Aerobic", "of_which_als_models"] == 1
    assert table.loc["Aerobic", "directions_of_modality_studies"] == "beneficial 2, no difference found 1"
    assert table.loc["PNF", "rests_on"] == "expert opinion and textbooks only"
    assert table.loc["PNF", "reviews"] == 1


def test_timeline_and_cumulative(fixture_tables):
    points = timeline_data(fixture_tables["studies"])
    assert set(points["study_id"]) == set(fixture_tables["studies"]["study_id"])
    cumulative = cumulative_counts(fixture_tables["studies"])
    assert list(cumulative.index) == list(range(2003, 2011))
    assert cumulative.loc[2010].sum() == 4
    assert cumulative.loc[2006, "animal_experiment"] == 2


def test_quality_tables(fixture_tables):
    coverage = field_coverage({"studies": fixture_tables["studies"]}).set_index("field")
    assert coverage.loc["discrepancy", "filled"] == 1 and coverage.loc["title", "percent_filled"] == 100.0
    assert list(discrepancies(fixture_tables["studies"])["study_id"]) == ["rat2005"]


def test_subset_follows_the_study(fixture_tables):
    mice = select(fixture_tables, species=["mouse"])
    assert list(mice["studies"]["study_id"]) == ["mouse2003"]
    assert set(mice["outcomes"]["study_id"]) == {"mouse2003"}
    assert set(mice["interventions"]["study_id"]) == {"mouse2003"}
    recent = select(fixture_tables, year_min=2005, year_max=2007)
    assert list(recent["studies"]["study_id"]) == ["rat2005", "trial2007"]


def test_flow_of_records_adds_up(fixture_tables):
    from alsreview.synthesis.quality import flow_of_records

    flow = flow_of_records(fixture_tables).set_index("box")["n"]
    total = len(fixture_tables["studies"])
    assert flow["box1"] + flow["box2"] + flow["box14"] + flow["box15"] == total
    assert flow["box3"] + flow["box4"] == total
    assert flow["box5"] + flow["box8"] + flow["box9"] == total
    assert flow["box6"] + flow["box7"] == flow["box5"] == 3


def test_outcome_findings_filters_by_species(fixture_tables):
    from alsreview.synthesis.summary import outcome_findings

    assert len(outcome_findings(fixture_tables)) == 5
    human = outcome_findings(fixture_tables, species=["human"])
    assert list(human["study"]) == ["trial2007", "trial2007"]


def test_a_single_exercise_test_is_listed_but_not_counted_as_testing_exercise(fixture_tables):
    from alsreview.document.values import overview_values
    from alsreview.synthesis.quality import flow_of_records

    studies = fixture_tables["studies"].copy()
    studies.loc[studies["study_id"] == "trial2007", ["evidence_type", "exercise_role", "authors_conclusion"]] = \
        ["human_observational", "single_session_test", None]
    tables = {**fixture_tables, "studies": studies}
    assert "trial2007" in set(characteristics(tables)["study"])  # listed, with its role
    assert characteristics(tables).set_index("study").loc["trial2007", "exercise"] == "single test"
    assert "resistance" not in set(evidence_map(tables)["modality"])  # but not among studies testing exercise
    assert "People with ALS" not in set(evidence_by_model(tables)["model"])
    assert recommendations_vs_evidence(tables).set_index("recommendation").loc["Resistance", "directions_of_modality_studies"] == "none studied"
    values = overview_values(tables)
    assert values["n_exercise_studies"] == 2 and values["n_human_exercise_studies"] == 0 and values["n_exercise_tests"] == 1
    flow = flow_of_records(tables).set_index("box")["n"]
    assert flow["box5"] == 2 and flow["box8"] == 1
    assert flow["box10"] <= flow["box5"]  # the synthesis counts studies of training only: never more than included


def test_characteristics_leave_out_background_experiments(fixture_tables):
    studies = fixture_tables["studies"].copy()
    studies.loc[studies["study_id"] == "rat2005", ["exercise_tested", "exercise_role"]] = ["no", "not_applicable"]
    table = characteristics({**fixture_tables, "studies": studies})
    assert list(table["study"]) == ["mouse2003", "trial2007"]


def test_risk_of_bias_traffic_light_draws_one_circle_per_judgement():
    import matplotlib

    matplotlib.use("Agg")
    from alsreview.synthesis.bias import plot_traffic_light, traffic_light_table

    tools = pd.DataFrame([dict(tool="rob2", domain=d, position=i, label=label)
                          for i, (d, label) in enumerate((("randomisation", "D1 Randomisation"),
                                                          ("overall", "Overall")), start=1)])
    rob = pd.DataFrame([
        dict(study_id="trial2007", assessed_by="this_review", tool="rob2", domain="overall", judgement="low"),
        dict(study_id="trial2007", assessed_by="this_review", tool="rob2", domain="randomisation", judgement="high"),
        dict(study_id="other2001", assessed_by="this_review", tool="rob2", domain="overall", judgement="some_concerns"),
        dict(study_id="other2001", assessed_by="review2010", tool="rob1", domain="overall", judgement="unclear"),
    ])
    table = traffic_light_table(rob, tools, "rob2", {"trial2007": "Trial 2007"})
    assert list(table.columns) == ["study_id", "study", "randomisation", "overall"]  # domains in the tool's order
    assert table.set_index("study_id").loc["other2001", "randomisation"] == ""
    fig = plot_traffic_light(table, tools, "rob2", "RoB 2")
    assert len(fig.axes[0].collections) == 3  # one circle per judgement of ours; the published row is not drawn


def test_characteristics_describe_the_exercise_arms_not_the_comparators(tables):
    """Trials list their comparator arm too; its size and kind of exercise are not the exercise's."""
    rows = characteristics(tables).set_index("study")
    arms = tables["interventions"]
    braga = arms.loc[arms["study_id"] == "braga2018"].set_index("arm_role")["n"]
    assert rows.loc["braga2018", "n_exercise"] == braga["exercise"]                 # 24, not 24 + 24
    assert rows.loc["lunetta2016", "interventions"] == "combined"                  # not the comparator's stretching
