"""Ask PubMed whether an included work has been retracted or carries an expression of concern, and keep a flagged
work out of the pooling until a curator decides.

PubMed marks a retracted article with the publication type "Retracted Publication" and a notice of concern with
"Expression of Concern"; ESummary returns every record's publication types (PubTypeList). `publication_flags`
reads them; the flags a run finds are recorded in publication_flags.csv with the decision 'pending', and
`held_back` (data/flags.py) turns that table into the studies the pooling leaves out and why. The network call shares its
limits and error handling with `alsreview search` (living/search.py).
"""
from __future__ import annotations

import socket
import urllib.error
from http.client import HTTPException

import pandas as pd

from .search import SearchUnavailable, UnusableReply, read_reply

FLAGGED_TYPES = {"Retracted Publication": "retracted_publication", "Expression of Concern": "expression_of_concern"}
FLAG_COLUMNS = ["study_id", "pmid", "flag", "checked_on", "decision", "source_url", "notes"]
BATCH = 200  # PMIDs per ESummary request, well under NCBI's limit for a GET


def included_pmids(studies: pd.DataFrame) -> pd.DataFrame:
    """study_id and PMID of every work the dataset holds with a PMID (the ones PubMed can be asked about)."""
    rows = studies.loc[studies["pmid"].notna(), ["study_id", "pmid"]].copy()
    rows["pmid"] = rows["pmid"].map(lambda p: str(int(float(p))))
    return rows.reset_index(drop=True)


def publication_types(summaries) -> pd.DataFrame:
    """PMID and publication types of each document of an ESummary reply (types joined by '; ')."""
    try:
        rows = [{"pmid": str(doc["Id"]), "types": "; ".join(str(t) for t in doc.get("PubTypeList", []))}
                for doc in summaries]
    except (KeyError, TypeError, AttributeError):
        raise UnusableReply("the ESummary reply holds a summary without an Id") from None
    return pd.DataFrame(rows, columns=["pmid", "types"])


def publication_flags(works: pd.DataFrame, types: pd.DataFrame, checked_on: str) -> pd.DataFrame:
    """One row per work whose publication types include a flagged type, with the decision still 'pending'.
    A PMID PubMed did not answer for is not a clean bill of health: it is reported separately (`unanswered`)."""
    merged = works.merge(types, on="pmid", how="inner")
    rows = []
    for r in merged.itertuples(index=False):
        for pub_type, flag in FLAGGED_TYPES.items():
            if pub_type in [t.strip() for t in r.types.split(";")]:
                rows.append({"study_id": r.study_id, "pmid": r.pmid, "flag": flag, "checked_on": checked_on,
                             "decision": "pending", "source_url": f"https://pubmed.ncbi.nlm.nih.gov/{r.pmid}/",
                             "notes": f"publication types on PubMed: {r.types}"})
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def unanswered(works: pd.DataFrame, types: pd.DataFrame) -> list[str]:
    """PMIDs asked about that the reply did not describe."""
    return sorted(set(works["pmid"]) - set(types["pmid"]))


def new_flags(found: pd.DataFrame, recorded: pd.DataFrame) -> pd.DataFrame:
    """The flags not yet in publication_flags.csv (same study and flag): a curator's decision is never reset."""
    known = set(zip(recorded["study_id"], recorded["flag"]))
    keep = [(s, f) not in known for s, f in zip(found["study_id"], found["flag"])]
    return found.loc[keep].reset_index(drop=True)


def fetch_publication_types(pmids: list[str], email: str) -> pd.DataFrame:
    """Publication types PubMed holds today for these PMIDs, asked in batches of BATCH."""
    from Bio import Entrez

    Entrez.email = email
    Entrez.tool = "alsreview"
    Entrez.max_tries, Entrez.sleep_between_tries = 2, 2
    frames = []
    try:
        for start in range(0, len(pmids), BATCH):
            batch = pmids[start:start + BATCH]
            with Entrez.esummary(db="pubmed", id=",".join(batch)) as handle:
                frames.append(publication_types(read_reply(handle, "ESummary", len(batch))))
    except (urllib.error.URLError, socket.timeout, ConnectionError, HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise SearchUnavailable(f"PubMed could not be reached ({reason})") from None
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["pmid", "types"])


def check_publications(studies: pd.DataFrame, email: str, checked_on: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The works asked about, the flags PubMed's publication types raise, and the PMIDs it did not describe."""
    works = included_pmids(studies)
    types = fetch_publication_types(works["pmid"].tolist(), email)
    return works, publication_flags(works, types, checked_on), unanswered(works, types)
