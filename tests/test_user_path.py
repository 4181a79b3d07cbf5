"""The user's path from the README: copy the data, add one randomised trial with arms and outcomes, build and
render with the real Quarto. The trial must reach the reference list, the human-evidence passage, the
characteristics table and the counts, in the HTML and in the PDF, and no sentence may still state the old
counts or the old list of trials. The trial is a fictional fixture that lives only in the tests
(tests/contributed.py), added to the contributed dataset that the hostile-strings suite renders too."""
import re

import pytest
from contributed import KEY
from rendering import quarto_binary, sentences, visible_text

from alsreview.data.load import load_tables
from alsreview.data.paths import DATA_DIR
from alsreview.document.bibliography import methods_keys


@pytest.fixture(scope="module")
def before():
    tables = load_tables(DATA_DIR)
    studies = tables["studies"]
    trials = studies.loc[(studies["evidence_type"] == "human_rct") & (studies["exercise_tested"] == "yes")]
    return {"trials": len(trials), "surnames": {a.split(",")[0].rsplit(" ", 1)[0] for a in trials["authors"]},
            "newest_trial_year": int(trials["year"].max()), "studies": set(studies["study_id"]),
            "people": int(((studies["species"] == "human") & (studies["exercise_role"] == "training_programme")).sum())}


@pytest.fixture(scope="module")
def user_path_report(contributed_report):
    """The session's render of the contributed dataset: the fictional trial, added to data whose other free text
    holds hostile strings (tests/contributed.py), built and rendered as `make report` does."""
    return contributed_report


pytestmark = [pytest.mark.slow, pytest.mark.skipif(quarto_binary() is None, reason="Quarto not found (set QUARTO or see README)")]


def test_the_new_trial_reaches_references_evidence_passage_table_and_counts(user_path_report, before):
    assert user_path_report.reference_keys() == before["studies"] | {KEY} | set(methods_keys())
    human = user_path_report.section("sec-human-evidence")
    assert f'href="#ref-{KEY}"' in human
    human_text = visible_text(human)
    assert f"{before['trials'] + 1} randomised trials" in human_text
    assert re.search(r"Fixture and Example \(2025\) ?\d*, a randomised trial, tested endurance \(aerobic\) exercise, "
                     r"resistance exercise and balance", human_text)
    assert "against usual care without exercise (usual care *as before*)" in human_text  # data text stays literal
    assert "At 24 weeks, outcomes favoured exercise on functional rating, motor performance and muscle strength" in human_text
    characteristics = user_path_report.html[user_path_report.html.index('id="tbl-characteristics"'):]
    characteristics = characteristics[: characteristics.index("</table>")]
    assert f'href="#ref-{KEY}"' in characteristics and "58" in visible_text(characteristics)  # in exercise arms
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
