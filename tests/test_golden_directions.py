"""Golden tests: the summaries built from the shipped rows say what the sources say, at the level they say it.

Each expectation restates the source's abstract (page named beside it); the values checked are computed
by the package from the curated rows, never typed into an output.
"""
import matplotlib
import pytest

matplotlib.use("Agg")

from alsreview.data.favours import FAVOURS_EXERCISE, NO_CLEAR_DIFFERENCE  # noqa: E402
from alsreview.document.values import overview_values  # noqa: E402
from alsreview.synthesis.evidence_map import evidence_map  # noqa: E402
from alsreview.synthesis.forest import plot_reported_forest  # noqa: E402
from alsreview.synthesis.recommendations import recommendations_vs_evidence  # noqa: E402
from alsreview.synthesis.reported import reported_analyses, summary_of_findings  # noqa: E402
from alsreview.synthesis.summary import animal_vs_human, characteristics, evidence_by_model  # noqa: E402


@pytest.fixture(scope="module")
def study_rows(tables):
    return characteristics(tables).set_index("study")


def test_mahoney_harm_in_males_is_shown_everywhere(tables, study_rows):
    # doi.org/10.1002/mus.20004 (abstract): training hastened death and rotarod decline in males only.
    mahoney = study_rows.loc["mahoney2004"]
    assert mahoney["outcome_directions"] == "males: no difference found 1, harmful 2; females: no difference found 3"
    assert mahoney["authors_conclusion"] == "harmful"
    by_model = evidence_by_model(tables).set_index(["model", "domain"])
    assert by_model.loc[("ALS-model animals", "survival"), "harmful"] >= 1
    assert by_model.loc[("ALS-model animals", "survival"), "mixed"] == 0  # harm is not folded into 'mixed'
    cell = evidence_map(tables).set_index(["modality", "domain"]).loc[("treadmill_running", "survival")]
    assert cell["harmful"] == 1 and cell["no_effect"] == 1
    assert "harmful" in animal_vs_human(tables).set_index("modality_group").loc["aerobic_endurance", "als_animal_findings"]
    aerobic = recommendations_vs_evidence(tables).set_index("recommendation").loc["Aerobic (endurance) exercise"]
    assert "harmful" in aerobic["directions_of_modality_studies"]
    assert overview_values(tables)["n_outcomes_harmful"] >= 2


def test_drory_benefit_at_three_months_and_none_at_six(tables, study_rows):
    # pubmed.ncbi.nlm.nih.gov/11677004: less deterioration on FRS and Ashworth at 3 months; no significant
    # difference at 6 months.
    assert study_rows.loc["drory2001", "outcome_directions"] == "3 months: beneficial 2, no difference found 4; 6 months: no difference found 6"
    assert study_rows.loc["drory2001", "authors_conclusion"] == "beneficial"
    frs = tables["outcomes"].query("study_id == 'drory2001' and domain == 'functional_rating'")
    assert dict(zip(frs["time_point"], frs["direction"])) == {"3 months": "beneficial", "6 months": "no_effect"}
    cell = evidence_map(tables).set_index(["modality", "domain"]).loc[("unspecified_exercise", "functional_rating")]
    assert cell["beneficial"] == 1 and cell["no_effect"] == 1 and cell["mixed"] == 0


def test_cheah_no_effect_beside_a_hopeful_conclusion(tables, study_rows):
    # pubmed.ncbi.nlm.nih.gov/19922129: MIP rose 6.1% more with training than sham, 95% CI -8.58 to 20.79,
    # p = 0.39; the authors conclude training "may potentially" help.
    cheah = tables["outcomes"].set_index("outcome_id")
    assert cheah.loc["cheah2009-imt-1", "direction"] == "no_effect"
    assert not (tables["outcomes"].query("study_id == 'cheah2009'")["direction"] == "mixed").any()
    assert study_rows.loc["cheah2009", "outcome_directions"].startswith("end of 12-week training: no difference found 1")
    assert study_rows.loc["cheah2009", "authors_conclusion"] == "beneficial"
    strength = evidence_by_model(tables).set_index(["model", "domain"]).loc[("People with ALS", "muscle_strength")]
    assert strength["mixed"] == 0


def test_sanjak_single_test_is_not_a_study_testing_exercise(tables, study_rows):
    # pubmed.ncbi.nlm.nih.gov/3601086: people with ALS and controls on one exercise test each; no training.
    assert study_rows.loc["sanjak1987", "exercise"] == "single test"
    without = {name: frame.loc[frame["study_id"] != "sanjak1987"] if "study_id" in frame else frame
               for name, frame in tables.items()}
    assert evidence_map(tables).equals(evidence_map(without))        # the test adds nothing to the map
    values = overview_values(tables)
    studies = tables["studies"]
    human_training = studies.loc[(studies["species"] == "human") & (studies["exercise_role"] == "training_programme")]
    assert values["n_human_exercise_studies"] == len(human_training)
    assert "sanjak1987" not in set(human_training["study_id"])


def test_fss_and_mmt_read_the_right_way_round(tables):
    # Cochrane CD005229 summary of findings (PMC6769061): FSS lower = better, MMT higher = better; both CIs
    # include no difference. ALSFRS higher = better with a CI above zero.
    scales = tables["scales"].set_index("scale_id")
    assert scales.loc["fss", "better"] == "lower" and scales.loc["mmt", "better"] == "higher"
    analyses = reported_analyses(tables["pooled_results"], tables["scales"]).set_index("analysis")
    assert analyses.loc["1.13", "effect"] < 0 and analyses.loc["1.13", "finding"] == NO_CLEAR_DIFFERENCE
    assert analyses.loc["1.14", "effect"] < 0 and analyses.loc["1.14", "finding"] == NO_CLEAR_DIFFERENCE
    sof = summary_of_findings(tables["pooled_results"], tables["scales"]).set_index("outcome")
    assert sof.filter(like="ALSFRS", axis=0)["finding"].item() == FAVOURS_EXERCISE
    assert sof.filter(like="Fatigue", axis=0)["finding"].item() == NO_CLEAR_DIFFERENCE
    assert sof.filter(like="SF-36", axis=0)["finding"].item() == NO_CLEAR_DIFFERENCE
    # In the forest plot a negative FSS difference sits on the side labelled as favouring exercise and a
    # negative MMT difference on the side labelled as favouring control.
    fig = plot_reported_forest(analyses.reset_index(), "t", tables["scales"])

    def panel(scale_id):
        return next(ax for ax in fig.axes if ax.get_xlabel().startswith(scales.loc[scale_id, "name"]))

    for scale_id, left_side in (("fss", "\u2190 favours exercise"), ("mmt", "\u2190 favours control")):
        ax = panel(scale_id)
        estimate = ax.lines[0].get_xdata()[0]
        assert estimate < sum(ax.get_xlim()) / 2  # left of the centre line, which is no difference
        assert ax.texts[0].get_text().startswith(left_side)  # the left half of the axis favours this arm
