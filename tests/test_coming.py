"""What is coming: the registered controlled trials without results, as the review's section and the explorer show
them (issue 23). The table is built from data/ongoing_trials.csv; the rendered pages are the session's render."""
import re

import pandas as pd

from alsreview.data.load import load_tables
from alsreview.data.paths import DATA_DIR
from alsreview.living.coming import coming_trials, ongoing_values


def registration(**fields) -> dict:
    row = {"registry_id": "NCT00000000", "status": "recruiting", "status_as_of": "2025-01-01", "enrolment": 30,
           "enrolment_type": "anticipated", "intervention": "walking", "comparator": "usual care",
           "design": "randomised", "primary_completion": "2027-01", "primary_completion_type": "anticipated"}
    return {**row, **fields}


def test_only_controlled_registrations_are_listed_soonest_first_and_unknowns_say_so():
    ongoing = pd.DataFrame([
        registration(registry_id="NCT3", primary_completion=None, primary_completion_type=None, enrolment=None),
        registration(registry_id="NCT2", primary_completion="2026-05"),
        registration(registry_id="NCT9", design="uncontrolled", primary_completion="2020-01"),
        registration(registry_id="NCT1", design="non_randomised_controlled", primary_completion="2030-01",
                     status="not_shown", status_as_of=None),
    ])
    coming = coming_trials(ongoing)
    assert list(coming["registration"]) == ["NCT2", "NCT1", "NCT3"]
    last = coming.iloc[-1]
    assert last["participants"] == "not shown" and last["primary_completion"] == "not shown"
    assert coming.iloc[0]["status"] == "recruiting (as of 2025-01-01)"
    assert coming.iloc[1]["status"] == "not shown" and coming.iloc[1]["design"] == "controlled, not randomised"
    values = ongoing_values(ongoing)
    assert (values["n_registered"], values["n_registered_controlled"], values["n_registered_uncontrolled"]) == (4, 3, 1)


def test_no_registration_listed_as_coming_is_named_by_a_study_already_in_the_dataset():
    tables = load_tables(DATA_DIR)
    ongoing = tables["ongoing_trials"]
    studies = tables["studies"]
    said_of_studies = " ".join(studies[["title", "design_detail", "notes"]].fillna("").to_numpy().ravel())
    for registry_id in ongoing["registry_id"]:
        assert registry_id not in said_of_studies, registry_id


def visible_text(html: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_the_review_and_the_explorer_show_every_registered_controlled_trial(rendered_report):
    controlled = coming_trials(load_tables(DATA_DIR)["ongoing_trials"])["registration"]
    assert len(controlled) > 0
    review = next(rendered_report.rglob("review.html")).read_text(encoding="utf-8")
    section = review.split('id="sec-coming"', 1)[1].split("<section", 1)[0]
    assert 'id="tbl-coming"' in section
    explorer = visible_text(next(rendered_report.rglob("explorer.html")).read_text(encoding="utf-8"))
    listed = explorer.split("Registered trials without results", 1)[1].split("References", 1)[0]
    for registry_id in controlled:
        assert registry_id in visible_text(section), registry_id
        assert registry_id in listed, registry_id


def test_with_no_registered_trials_the_explorer_says_so(tmp_path):
    from alsreview.document.explorer import write_registered_trials

    empty = coming_trials(pd.DataFrame([registration(design="uncontrolled")]))
    assert empty.empty
    assert "No registered controlled trial" in write_registered_trials(empty, tmp_path).read_text(encoding="utf-8")
