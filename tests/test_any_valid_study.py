"""Any valid study added to the shipped data keeps the generated text true (issue 24's property).

Hypothesis draws a study of any year, species and design, with one to three outcomes in any domain and
direction, written as the README says a curator adds one (with its screening row). The rows must pass the
validator, and then what the review writes about the data must still hold: counts equal their tables, the
newest trial is the newest in the data, every citation names a work in the data, and no sentence says "1
trials" or prints "nan". These are the tests' invariants, checked on the functions the notebooks call, so each
example takes about a second; tests/test_user_path.py renders one such addition with the real Quarto."""
import csv
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alsreview.data.load import load_tables
from alsreview.data.paths import DATA_DIR
from alsreview.data.schema import read_datapackage
from alsreview.data.validate import validate
from alsreview.document import prose
from alsreview.document.prose.update import abstract_findings, comparison_passage, pooling_passage
from alsreview.document.prose.plain import plain_language_summary
from alsreview.document.prose.wording import domain_words
from alsreview.document.values import overview_values
from alsreview.living.update import update_tables
from alsreview.synthesis.quality import flow_of_records
from alsreview.synthesis.summary import evidence_by_model
from fixture_rows import NOTHING_PRESCRIBED_STATED, appraisal_rows

PACKAGE = read_datapackage(DATA_DIR)
MODALITIES = [m for m in PACKAGE.enum("interventions", "modality") if m not in ("none", "stretching", "range_of_motion")]
DOMAINS = PACKAGE.enum("outcomes", "domain")
DIRECTIONS = PACKAGE.enum("outcomes", "direction")
DESIGNS = {"human_rct": "human", "human_nonrandomised": "human", "animal_experiment": "mouse", "animal_rat": "rat"}
BAD_WORDING = re.compile(r"\b1 (analyses|trials|studies|works|outcomes|experiments|reviews)\b|\bnan\b|\bNone\b(?! of\b)")


def append(path, row):
    with open(path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with open(path, "a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow([row.get(column, "") for column in header])


def add_study(data, year: int, design: str, modality: str, outcomes: list[tuple[str, str]]) -> str:
    """The rows a curator adds for one study, as README's 'Adding a study' lists them."""
    species = DESIGNS[design]
    evidence = "animal_experiment" if species != "human" else design
    key = f"hypothesis{year}"
    url = "https://example.org/hypothesis"
    append(data / "screening.csv", {"record_id": "HYP1", "search_id": "T01", "identifier": url, "year": year,
                                    "title": "A drawn study", "decision": "included", "study_id": key})
    append(data / "studies.csv", {
        "study_id": key, "authors": "Drawn A", "year": year, "title": "A drawn study", "journal": "J Examples",
        "evidence_type": evidence, "species": species, "model": "people with ALS" if species == "human" else "SOD1 mice",
        "population": "people_with_als" if species == "human" else "als_model_animal", "exercise_tested": "yes",
        "exercise_role": "training_programme", "authors_conclusion": outcomes[0][1], "source_url": url,
        "extraction": "abstract"})
    arms = [f"{key}-exercise"]
    append(data / "interventions.csv", {"arm_id": arms[0], "study_id": key, "arm_label": "exercise", "arm_role": "exercise",
                                        "modality": modality, "n": 12, "sex": "both", "source_url": url,
                                        "extraction": "abstract", **NOTHING_PRESCRIBED_STATED})
    if species == "human":
        arms.append(f"{key}-usual")
        append(data / "interventions.csv", {
            "arm_id": arms[1], "study_id": key, "arm_label": "usual care", "arm_role": "comparator",
            "comparator_kind": "usual_care_no_exercise", "comparator_basis": "Drawn: usual care without exercise.",
            "n": 12, "sex": "both", "source_url": url, "extraction": "abstract", **NOTHING_PRESCRIBED_STATED})
        for table, rows in appraisal_rows(key, arms, url).items():
            for row in rows:
                if design == "human_nonrandomised" and table == "risk_of_bias":
                    continue
                append(data / f"{table}.csv", row)
        if design == "human_nonrandomised":
            for domain in ("confounding", "selection", "classification", "deviations", "missing_data", "measurement",
                           "reported_result", "overall"):
                append(data / "risk_of_bias.csv", {"study_id": key, "assessed_by": "this_review", "tool": "robins_i",
                                                   "outcome": "main outcome", "domain": domain, "judgement": "serious",
                                                   "support": "Drawn: not randomised.", "source_url": url,
                                                   "extraction": "abstract"})
    for i, (domain, direction) in enumerate(outcomes, start=1):
        append(data / "outcomes.csv", {
            "outcome_id": f"{arms[0]}-{i}", "study_id": key, "arm_id": arms[0],
            "comparator_arm_id": arms[1] if len(arms) > 1 else "", "domain": domain, "measure": f"measure {i}",
            "time_point": "12 weeks", "direction": direction, "finding": "Drawn finding.", "source_url": url,
            "extraction": "abstract"})
    return key


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shipped") / "data"
    shutil.copytree(DATA_DIR, folder)
    return folder


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(year=st.integers(1960, 2035), design=st.sampled_from(sorted(DESIGNS)), modality=st.sampled_from(MODALITIES),
       outcomes=st.lists(st.tuples(st.sampled_from(DOMAINS), st.sampled_from(DIRECTIONS)), min_size=1, max_size=3))
def test_any_valid_study_keeps_the_generated_text_true(shipped, tmp_path_factory, year, design, modality, outcomes):
    data = tmp_path_factory.mktemp("drawn") / "data"
    shutil.copytree(shipped, data)
    key = add_study(data, year, design, modality, outcomes)
    problems = validate(data)
    assert problems == [], [str(p) for p in problems[:5]]
    tables = load_tables(data)
    studies = tables["studies"]

    flow = flow_of_records(tables, tables).set_index("box")["n"]
    assert flow["box1"] + flow["box2"] + flow["box14"] + flow["box15"] == len(studies)
    shipped_flow = flow_of_records(*[load_tables(shipped)] * 2).set_index("box")["n"]
    assert flow["box14"] == shipped_flow["box14"] + 1  # the update's works and this one, found by its screening row
    assert flow["box3"] + flow["box4"] == len(studies) and flow["box10"] <= flow["box5"]
    values = overview_values(tables)
    assert values["n_exercise_studies"] == flow["box5"] and values["year_last"] == max(int(studies["year"].max()), year)

    update = update_tables(tables, tables, PACKAGE.descriptor["version"])
    texts = {
        "coverage": prose.coverage(tables), "model_domains": prose.model_domains(tables),
        "human": prose.human_evidence(tables), "animal": prose.animal_evidence(tables),
        "newest": prose.newest_trial(tables), "harm": prose.trial_harm(tables),
        "plain": plain_language_summary(tables, update["summary_of_findings"]),
        "pooling": pooling_passage(update, tables["scales"].set_index("scale_id")["name"]),
        "comparison": comparison_passage(update), "abstract": abstract_findings(update),
    }
    for name, text in texts.items():
        assert not BAD_WORDING.search(text), (name, BAD_WORDING.search(text).group(0), text[:300])
        cited = set(re.findall(r"@([a-z][a-z0-9]*[0-9]{4}[a-z]?)\b", text))
        assert cited <= set(studies["study_id"]), (name, cited - set(studies["study_id"]))
    trials = studies.loc[(studies["evidence_type"] == "human_rct") & (studies["exercise_role"] == "training_programme")]
    assert f"published in {int(trials['year'].max())}" in texts["newest"]
    if design == "human_rct":
        assert f"{len(trials)} randomised trials" in texts["human"] and f"@{key}" in texts["human"]

    people = evidence_by_model(tables)
    people = people.loc[people["model"] == "People with ALS"].set_index("domain")["studies"]
    listed = texts["model_domains"].split("In people with ALS the outcomes fall in ")[-1]
    stated = {m.group(1): int(m.group(2)) for m in re.finditer(r"(?:, |^|and )([a-z][a-z ]+?) \((\d+) stud", listed)}
    assert stated == {domain_words(d): int(n) for d, n in people.items()}
