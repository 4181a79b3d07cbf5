"""One work, one decision: the screening log's records are matched by DOI, PMID, trial registration and normalised
title, and only one record of each work may carry a decision (included or excluded); the others are duplicates that
name the record holding it. validate.py runs these rules; the update flow counts what they leave."""
from __future__ import annotations

import re

import pandas as pd

from .errors import Problem
from .raw import LINE, RawTable, problems_where

DOI = re.compile(r"10\.\d{4,9}/[^\s;,()]+", re.IGNORECASE)
PMID = re.compile(r"(?:PMID[:\s]*|pubmed\.ncbi\.nlm\.nih\.gov/)([1-9][0-9]{0,8})\b|^([1-9][0-9]{0,8})$", re.IGNORECASE)
NCT = re.compile(r"\bNCT[0-9]{8}\b", re.IGNORECASE)
TITLE_NOTE = re.compile(r"\s*\([^()]*\)\s*$")  # a trailing "(Meng)" or "(registry)" added by the curator


def normalised_title(title: str) -> str:
    """Lower-case letters and digits only, without trailing curator notes in brackets: two spellings of a title
    (case, punctuation, an added author name) give the same key."""
    text = str(title)
    while TITLE_NOTE.search(text):
        text = TITLE_NOTE.sub("", text)
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def work_keys(identifier: str, title: str) -> set[str]:
    """Every key that names the work of one record: doi:, pmid:, nct: and title: (titles of 30 characters or more,
    so that a short generic title does not merge two works)."""
    text = str(identifier)
    keys = {"doi:" + m.rstrip(".").lower() for m in DOI.findall(text)}
    keys |= {"pmid:" + (a or b) for a, b in PMID.findall(text.strip())}
    keys |= {"nct:" + m.upper() for m in NCT.findall(text)}
    title_key = normalised_title(title)
    if len(title_key) >= 30:
        keys.add("title:" + title_key)
    return keys


def check_records(screening: RawTable) -> list[Problem]:
    """The screening log's own rules: a reason exactly where a record is excluded; a duplicate names the record
    (duplicate_of) or the study it repeats, and only a duplicate does; one decision per work."""
    f = screening.frame
    if not {"record_id", "identifier", "title", "decision", "reason", "study_id", "duplicate_of"} <= set(f.columns):
        return []
    excluded, duplicate = f["decision"] == "excluded", f["decision"] == "duplicate"
    problems = problems_where(screening, excluded & (f["reason"] == ""), "reason",
                              "an excluded record needs a reason: the failure of a protocol criterion "
                              "(protocol.yaml, eligibility)")
    problems += problems_where(screening, ~excluded & (f["reason"] != ""), "reason",
                               "only an excluded record has a reason")
    problems += problems_where(screening, duplicate & (f["duplicate_of"] == "") & (f["study_id"] == ""), "duplicate_of",
                               "a duplicate names the record that holds its work's decision (duplicate_of), or the "
                               "study it is (study_id)")
    problems += problems_where(screening, ~duplicate & (f["duplicate_of"] != ""), "duplicate_of",
                               "only a duplicate names another record")
    decision_of = dict(zip(f["record_id"], f["decision"]))
    problems += problems_where(screening, duplicate & f["duplicate_of"].map(decision_of).eq("duplicate"),
                               "duplicate_of", "names another duplicate: name the record that holds the decision")
    problems += problems_where(screening, duplicate & (f["duplicate_of"] == f["record_id"]), "duplicate_of",
                               "a record cannot duplicate itself")
    return problems + _one_decision_per_work(screening)


def _one_decision_per_work(screening: RawTable) -> list[Problem]:
    """Two records that carry a decision and share a key are one work decided twice: the later one is reported,
    naming the earlier and the key they share."""
    f = screening.frame
    first: dict[str, tuple[str, int]] = {}
    repeats = pd.Series("", index=f.index)
    deciding = f.loc[f["decision"] != "duplicate"]
    for i, row in deciding.iterrows():
        for key in sorted(work_keys(row["identifier"], row["title"])):
            if key in first and first[key][0] != row["record_id"]:
                earlier, line = first[key]
                repeats[i] = (f"the same work as record {earlier} (line {line}) by {key.split(':')[0]}: one work has "
                              f"one decision, so mark one of them duplicate with duplicate_of naming the other")
                break
            first.setdefault(key, (row["record_id"], int(row[LINE])))
    included = f.loc[(f["decision"] == "included") & (f["study_id"] != "")]
    twice = included["study_id"].duplicated(keep="first")
    for i in included.index[twice]:
        earlier = included.loc[(included["study_id"] == f.at[i, "study_id"])].iloc[0]
        repeats[i] = repeats[i] or (f"includes study {f.at[i, 'study_id']} again (record {earlier['record_id']}, line "
                                    f"{earlier[LINE]}): one work has one decision, so mark this record duplicate")
    return [Problem(screening.file, int(f.at[i, LINE]), "record_id", f.at[i, "record_id"], repeats[i])
            for i in f.index[repeats != ""]]
