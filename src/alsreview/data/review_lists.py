"""Citation chasing, checked: every included systematic review has its list of trials in review_trials.csv (or a
row saying why none could be read), and every listed trial is accounted for, either as a study of the dataset or
as the screening record that holds its decision. validate.py runs `check_review_trials`."""
from __future__ import annotations

from .errors import Problem
from .raw import RawTable, problems_where

REVIEW_TYPE = "systematic_review"


def check_review_trials(raw: dict[str, RawTable]) -> list[Problem]:
    lists, studies, screening = raw.get("review_trials"), raw.get("studies"), raw.get("screening")
    if lists is None or studies is None:
        return []
    f, s = lists.frame, studies.frame
    if not {"review_id", "trial_label", "study_id", "record_id", "notes"} <= set(f.columns) or "evidence_type" not in s:
        return []
    kind = dict(zip(s["study_id"], s["evidence_type"]))
    named = f["trial_label"] != ""
    problems = problems_where(lists, f["review_id"].map(kind).notna() & (f["review_id"].map(kind) != REVIEW_TYPE),
                              "review_id", lambda sid: f"is a {kind.get(sid, '')}, not a systematic review: only "
                                                       "included systematic reviews have trial lists here")
    problems += problems_where(lists, named & (f["study_id"] == "") & (f["record_id"] == ""), "study_id",
                               "a listed trial must be accounted for: give the study it is (study_id) or the "
                               "screening record that holds its decision (record_id)")
    problems += problems_where(lists, named & (f["study_id"] != "") & (f["record_id"] != ""), "record_id",
                               "give either study_id or record_id, not both")
    problems += problems_where(lists, ~named & ((f["study_id"] != "") | (f["record_id"] != "")), "trial_label",
                               "a row that maps a trial needs the trial's label, as the review names it")
    problems += problems_where(lists, ~named & (f["notes"] == ""), "notes",
                               "a row without a trial says why the review's list is missing or partial")
    if screening is not None and {"record_id", "decision"} <= set(screening.frame.columns):
        decision = dict(zip(screening.frame["record_id"], screening.frame["decision"]))
        problems += problems_where(lists, f["record_id"].map(decision).eq("duplicate"), "record_id",
                                   "names a duplicate record: name the record that holds the work's decision")
    listed = set(f["review_id"])
    missing = (s["evidence_type"] == REVIEW_TYPE) & ~s["study_id"].isin(listed)
    problems += problems_where(studies, missing, "study_id",
                               lambda sid: f"an included systematic review without rows in {lists.file}: list the "
                                           "trials it included, or add one row (trial_label empty) saying why no "
                                           "stored page lists them")
    return problems
