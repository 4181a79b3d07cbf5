"""The user's path from the README: copy the data, add one randomised trial with arms and outcomes, build and
render with the real Quarto. The trial must reach the reference list, the human-evidence passage, the
characteristics table and the counts, in the HTML and in the PDF, and no sentence may still state the old
counts or the old list of trials. The trial is a fictional fixture that lives only in this test."""
import csv
import re
import shutil

import pytest
from rendering import build_and_render, quarto_binary, sentences, visible_text

from alsreview.data.load import load_tables
from alsreview.document.bibliography import methods_keys
from alsreview.data.paths import DATA_DIR
from alsreview.data.validate import validate

KEY = "fixturetrial2025"
FIXTURE_URL = "https://example.org/fictional-fixture-trial"
STUDY = {"study_id": KEY, "authors": "Fixture A, Example B", "year": "2025",
         "title": "A fictional fixture trial used by the test suite (not a real study)", "journal": "Test Fixtures",
         "evidence_type": "human_rct", "species": "human", "model": "people with ALS", "exercise_tested": "yes",
         "exercise_role": "training_programme", "authors_conclusion": "beneficial",
         "population": "people_with_als", "source_url": FIXTURE_URL, "extraction": "abstract",
         "notes": "Fictional test fixture."}
ARMS = [
    {"arm_id": f"{KEY}-cycling", "study_id": KEY, "arm_label": "cycling", "arm_role": "exercise",
     "modality": "endurance_aerobic", "intensity": "moderate", "frequency": "3 per week", "n": "20",
     "sessions_per_week": "3", "programme_weeks": "24", "setting": "supervised",
     "prescription_not_reported": "minutes_per_session|venue", "notes": "Fictional: the abstract gives no more.",
     "n_randomised": "20", "sex": "both", "comparator": "usual care *as before*", "source_url": FIXTURE_URL,
     "extraction": "abstract"},
    {"arm_id": f"{KEY}-weights", "study_id": KEY, "arm_label": "weights", "arm_role": "exercise",
     "modality": "resistance", "n": "18", "n_randomised": "18", "sex": "both", "comparator": "usual care *as before*",
     "prescription_not_reported": "intensity|sessions_per_week|minutes_per_session|programme_weeks|setting|venue",
     "notes": "Fictional: the abstract gives no dose.", "source_url": FIXTURE_URL, "extraction": "abstract"},
    {"arm_id": f"{KEY}-usual", "study_id": KEY, "arm_label": "usual care *as before*", "arm_role": "comparator",
     "comparator_kind": "usual_care_no_exercise", "comparator_basis": "Fictional: usual care without exercise.", "n": "19", "n_randomised": "19", "sex": "both", "source_url": FIXTURE_URL,
     "extraction": "abstract"},
]
HARMS = [{"arm_id": arm["arm_id"], "study_id": KEY, "adverse_events_reporting": "not_reported",
          "harms_not_reported": "serious_adverse_events|deaths|dropouts|adherence", "source_url": FIXTURE_URL,
          "extraction": "abstract", "notes": "Fictional: the abstract says nothing about harms."} for arm in ARMS]
POPULATION = [{"study_id": KEY, "n_randomised": "57",
               "population_not_reported": "n_analysed|age|sex|alsfrs_r|fvc|disease_duration|ambulatory|ventilation",
               "source_url": FIXTURE_URL, "extraction": "abstract", "notes": "Fictional: no baseline table."}]
RISK_OF_BIAS = [{"study_id": KEY, "assessed_by": "this_review", "tool": "rob2", "outcome": "ALSFRS-R at 24 weeks",
                 "domain": domain, "judgement": "some_concerns", "support": "Fictional: the abstract is silent on this.",
                 "source_url": FIXTURE_URL, "extraction": "abstract"}
                for domain in ("randomisation", "deviations", "missing_data", "measurement", "reported_result", "overall")]
SCREENING = [{"record_id": "FIXTURE1", "search_id": "T01", "identifier": FIXTURE_URL, "title": STUDY["title"],
              "year": "2025", "decision": "included", "study_id": KEY, "notes": "Fictional test fixture."}]
OUTCOMES = [
    {"outcome_id": f"{KEY}-cycling-1", "study_id": KEY, "arm_id": f"{KEY}-cycling", "comparator_arm_id": f"{KEY}-usual", "domain": "functional_rating",
     "measure": "ALSFRS-R", "time_point": "24 weeks", "direction": "beneficial",
     "finding": "Fictional: the cycling arm declined less.", "source_url": FIXTURE_URL, "extraction": "abstract"},
    {"outcome_id": f"{KEY}-cycling-2", "study_id": KEY, "arm_id": f"{KEY}-cycling", "comparator_arm_id": f"{KEY}-usual", "domain": "fatigue",
     "measure": "fatigue scale", "time_point": "24 weeks", "direction": "no_effect",
     "finding": "Fictional: no difference in fatigue.", "source_url": FIXTURE_URL, "extraction": "abstract"},
    {"outcome_id": f"{KEY}-weights-1", "study_id": KEY, "arm_id": f"{KEY}-weights", "comparator_arm_id": f"{KEY}-usual", "domain": "muscle_strength",
     "measure": "handgrip", "time_point": "24 weeks", "direction": "beneficial",
     "finding": "Fictional: handgrip held up better.", "source_url": FIXTURE_URL, "extraction": "abstract"},
]


def append_rows(path, rows):
    with open(path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with open(path, "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in header})


@pytest.fixture(scope="module")
def before():
    tables = load_tables(DATA_DIR)
    studies = tables["studies"]
    trials = studies.loc[(studies["evidence_type"] == "human_rct") & (studies["exercise_tested"] == "yes")]
    return {"trials": len(trials), "surnames": {a.split(",")[0].rsplit(" ", 1)[0] for a in trials["authors"]},
            "newest_trial_year": int(trials["year"].max()), "studies": set(studies["study_id"]),
            "people": int(((studies["species"] == "human") & (studies["exercise_role"] == "training_programme")).sum())}


@pytest.fixture(scope="module")
def user_path_report(tmp_path_factory):
    work = tmp_path_factory.mktemp("user-path")
    data = work / "data"
    shutil.copytree(DATA_DIR, data)
    append_rows(data / "studies.csv", [STUDY])
    append_rows(data / "interventions.csv", ARMS)
    append_rows(data / "outcomes.csv", OUTCOMES)
    append_rows(data / "harms.csv", HARMS)
    append_rows(data / "populations.csv", POPULATION)
    append_rows(data / "risk_of_bias.csv", RISK_OF_BIAS)
    append_rows(data / "screening.csv", SCREENING)
    assert validate(data) == []
    return build_and_render(work, {}, data_dir=data)


pytestmark = [pytest.mark.slow, pytest.mark.skipif(quarto_binary() is None, reason="Quarto not found (set QUARTO or see README)")]


def test_the_new_trial_reaches_references_evidence_passage_table_and_counts(user_path_report, before):
    assert user_path_report.reference_keys() == before["studies"] | {KEY} | set(methods_keys())
    human = user_path_report.section("sec-human-evidence")
    assert f'href="#ref-{KEY}"' in human
    human_text = visible_text(human)
    assert f"{before['trials'] + 1} randomised trials" in human_text
    assert re.search(r"Fixture and Example \(2025\) ?\d*, a randomised trial, tested endurance \(aerobic\) exercise and "
                     r"resistance exercise", human_text)
    assert "against usual care without exercise (usual care *as before*)" in human_text  # data text stays literal
    assert "At 24 weeks, outcomes favoured exercise on functional rating and muscle strength" in human_text
    characteristics = user_path_report.html[user_path_report.html.index('id="tbl-characteristics"'):]
    characteristics = characteristics[: characteristics.index("</table>")]
    assert f'href="#ref-{KEY}"' in characteristics and "38" in visible_text(characteristics)
    assert f"of which {before['trials'] + 1} are randomised trials" in user_path_report.text
    assert re.search(rf"of which in people {before['people'] + 1}\b", user_path_report.text)
    assert f"published in {max(before['newest_trial_year'], 2025)}" in user_path_report.text  # newest of data + ours


def test_no_sentence_still_states_the_old_counts_or_the_old_list(user_path_report, before):
    old = before["trials"]
    stale = [rf"\b{old} randomised trials\b", rf"of which {old} are randomised", rf"None of the {old} randomised",
             *([rf"trial in this dataset was published in {before['newest_trial_year']}\b"]
               if before["newest_trial_year"] < 2025 else [])]
    for sentence in sentences(user_path_report.text):
        for pattern in stale:
            assert not re.search(pattern, sentence), sentence
        if all(name in sentence for name in before["surnames"]) and "Cochrane" not in sentence:
            assert "Fixture" in sentence, f"lists the old trials without the new one: {sentence}"


def test_the_pdf_holds_the_new_trial_too(user_path_report, before):
    assert "A fictional fixture trial used by the test suite" in user_path_report.pdf_text  # the reference list
    assert re.search(r"Fixture[^.]{0,40}\b2025\b", user_path_report.pdf_text)  # the characteristics table
    assert f"{before['trials'] + 1} randomised trials" in user_path_report.pdf_text
    assert f"published in {max(before['newest_trial_year'], 2025)}" in user_path_report.pdf_text
    assert f"{before['trials']} randomised trials" not in user_path_report.pdf_text
