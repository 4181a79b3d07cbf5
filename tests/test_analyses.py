"""The analysis functions on small hand-made fixtures, where every expected count can be checked by eye."""
import pandas as pd
import pytest

from alsreview.evidence_map import evidence_map, evidence_matrix
from alsreview.quality import discrepancies, field_coverage
from alsreview.recommendations import recommendations_vs_evidence
from alsreview.subset import select
from alsreview.summary import animal_vs_human, characteristics, combine_directions, evidence_by_model
from alsreview.timeline import cumulative_counts, timeline_data


def study(sid, year, evidence, species, population, **kw):
    row = dict(study_id=sid, ref_no=None, authors="A B", year=year, title="t", journal="j", volume=None, issue=None,
               pages=None, doi=None, pmid=None, evidence_type=evidence, species=species, model="m", exercise_tested="yes",
               population=population, source_url="https://x", extraction="abstract", cited_for=None, discrepancy=None, notes=None)
    row.update(kw)
    return row


@pytest.fixture
def fixture_tables():
    studies = pd.DataFrame([
        study("mouse2003", 2003, "animal_experiment", "mouse", "als_model_animal"),
        study("rat2005", 2005, "animal_experiment", "rat", "healthy_animal", discrepancy="pages differ"),
        study("trial2007", 2007, "human_rct", "human", "people_with_als"),
        study("review2010", 2010, "narrative_review", "none", "not_applicable", exercise_tested="no"),
    ])
    arms = pd.DataFrame([
        dict(arm_id="mouse2003-run", study_id="mouse2003", modality="treadmill_running", n=10),
        dict(arm_id="mouse2003-swim", study_id="mouse2003", modality="swimming", n=10),
        dict(arm_id="rat2005-run", study_id="rat2005", modality="treadmill_running", n=None),
        dict(arm_id="trial2007-res", study_id="trial2007", modality="resistance", n=13),
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
    return {"studies": studies, "interventions": arms, "outcomes": outcomes, "recommendations": recs,
            "recommendation_support": support, "pooled_results": pooled}


def test_combine_directions():
    assert combine_directions(pd.Series(["beneficial", "beneficial"])) == "beneficial"
    assert combine_directions(pd.Series(["beneficial", "no_effect"])) == "mixed"
    assert combine_directions(pd.Series(["unclear", "harmful"])) == "harmful"
    assert combine_directions(pd.Series(["unclear"])) == "unclear"


def test_characteristics_lists_primary_studies_in_year_order(fixture_tables):
    table = characteristics(fixture_tables)
    assert list(table["study"]) == ["mouse2003", "rat2005", "trial2007"]
    mouse = table.iloc[0]
    assert mouse["interventions"] == "treadmill running; swimming"
    assert mouse["n_exercise"] == 20
    assert mouse["direction"] == "beneficial 1, no effect 1"
    assert pd.isna(table.iloc[1]["n_exercise"])  # one arm without n: no total is claimed


def test_evidence_by_model_counts_each_study_once_per_domain(fixture_tables):
    table = evidence_by_model(fixture_tables).set_index(["model", "domain"])
    survival = table.loc[("ALS-model animals", "survival")]
    assert survival["studies"] == 1 and survival["mixed"] == 1 and survival["beneficial"] == 0
    assert table.loc[("People with ALS", "functional_rating"), "beneficial"] == 1
    assert table.loc[("People with ALS", "fatigue"), "unclear"] == 1
    assert table.loc[("Healthy animals", "cellular_mechanistic"), "beneficial"] == 1


def test_evidence_map_and_matrix(fixture_tables):
    table = evidence_map(fixture_tables)
    run = table.set_index(["modality", "domain"]).loc[("treadmill_running", "survival")]
    assert run["studies"] == 1 and run["beneficial"] == 1
    matrix = evidence_matrix(table)
    assert matrix.loc["treadmill_running", "cellular_mechanistic"] == 1
    assert matrix.loc["resistance", "survival"] == 0
    assert int(matrix.to_numpy().sum()) == int(table["studies"].sum())


def test_animal_vs_human(fixture_tables):
    table = animal_vs_human(fixture_tables).set_index("modality")
    assert table.loc["treadmill_running", "animal_studies"] == 2
    assert table.loc["treadmill_running", "gap"] == "animal evidence only"
    assert table.loc["resistance", "human_findings"] == "beneficial 1"  # the unclear outcome does not dilute it
    assert table.loc["resistance", "gap"] == "human evidence only"


def test_recommendations_against_evidence(fixture_tables):
    table = recommendations_vs_evidence(fixture_tables).set_index("recommendation")
    assert table.loc["Resistance", "rests_on"] == "randomised trial evidence"
    assert table.loc["Aerobic", "rests_on"] == "animal experiments only"
    assert table.loc["Aerobic", "animal_studies_of_modality"] == 2
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
    from alsreview.quality import flow_of_records

    flow = flow_of_records(fixture_tables).set_index("box")["n"]
    total = len(fixture_tables["studies"])
    assert flow["box1"] + flow["box2"] == total
    assert flow["box3"] + flow["box4"] == total
    assert flow["box5"] + flow["box8"] + flow["box9"] == total
    assert flow["box6"] + flow["box7"] == flow["box5"] == 3


def test_outcome_findings_filters_by_species(fixture_tables):
    from alsreview.summary import outcome_findings

    assert len(outcome_findings(fixture_tables)) == 5
    human = outcome_findings(fixture_tables, species=["human"])
    assert list(human["study"]) == ["trial2007", "trial2007"]


def test_characteristics_leave_out_background_experiments(fixture_tables):
    studies = fixture_tables["studies"].copy()
    studies.loc[studies["study_id"] == "rat2005", "exercise_tested"] = "no"
    table = characteristics({**fixture_tables, "studies": studies})
    assert list(table["study"]) == ["mouse2003", "trial2007"]


def test_risk_of_bias_table_and_chart():
    import matplotlib

    matplotlib.use("Agg")
    from alsreview.bias import plot_risk_of_bias, risk_of_bias_table

    rob = pd.DataFrame([
        dict(study_id="trial2007", assessed_by="review2010", domain="overall", judgement="low"),
        dict(study_id="trial2007", assessed_by="review2010", domain="blinding", judgement="high"),
        dict(study_id="other2001", assessed_by="review2010", domain="overall", judgement="unclear"),
    ])
    table = risk_of_bias_table(rob)
    assert list(table.columns) == ["study", "assessed_by", "blinding", "overall"]  # domains in the tool's order
    assert table.set_index("study").loc["other2001", "blinding"] == ""
    fig = plot_risk_of_bias(table)
    assert len(fig.axes[0].collections) == 3  # one circle per judgement made
