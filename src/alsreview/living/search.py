"""Re-run the review's saved PubMed search and list the records nobody has screened yet.

The search itself goes through NCBI's E-utilities with Biopython's Entrez client (ESearch for the PMIDs, ESummary
for titles and years). The saved query is the newest PubMed row of `searches.csv`; what counts as screened is any
PMID in `screening.csv` or in the studies table. Network access is optional for everything else in the project, so a failed connection is
reported as such (`SearchUnavailable`), never as a crash.
"""
from __future__ import annotations

import re
import socket
import urllib.error
from http.client import HTTPException

import pandas as pd

PUBMED_SOURCE = "PubMed (NCBI E-utilities)"
RECORD_COLUMNS = ["pmid", "title", "year"]


class SearchUnavailable(Exception):
    """PubMed could not be reached (no network, a proxy refusing, NCBI down)."""


def saved_query(searches: pd.DataFrame) -> str:
    """The newest saved PubMed query of the search log."""
    pubmed = searches.loc[searches["source"] == PUBMED_SOURCE]
    if pubmed.empty:
        raise LookupError(f"searches.csv has no row with source {PUBMED_SOURCE!r} to re-run")
    return str(pubmed.sort_values(["date", "search_id"]).iloc[-1]["query"])


def fetch_pubmed(query: str, email: str, retmax: int = 1000) -> pd.DataFrame:
    """PMIDs, titles and years PubMed returns for `query` today (one page of up to `retmax` records)."""
    from Bio import Entrez

    Entrez.email = email
    Entrez.tool = "alsreview"
    Entrez.max_tries, Entrez.sleep_between_tries = 2, 2
    try:
        with Entrez.esearch(db="pubmed", term=query, retmax=retmax) as handle:
            ids = list(Entrez.read(handle)["IdList"])
        if not ids:
            return pd.DataFrame(columns=RECORD_COLUMNS)
        with Entrez.esummary(db="pubmed", id=",".join(ids)) as handle:
            summaries = Entrez.read(handle)
    except (urllib.error.URLError, socket.timeout, ConnectionError, HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise SearchUnavailable(f"PubMed could not be reached ({reason})") from None
    rows = [{"pmid": str(doc["Id"]), "title": str(doc.get("Title", "")), "year": _year(str(doc.get("PubDate", "")))}
            for doc in summaries]
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def _year(pubdate: str):
    match = re.match(r"\s*(\d{4})", pubdate)
    return int(match.group(1)) if match else None


def screened_pmids(screening: pd.DataFrame) -> set[str]:
    """PMIDs already in the screening log, whether written as '12345' or 'PMID:12345'."""
    identifiers = screening["identifier"].dropna().astype(str).str.strip()
    return set(identifiers.str.extract(r"^(?:PMID:\s*)?([1-9][0-9]{0,8})$", flags=re.IGNORECASE)[0].dropna())


def unscreened(records: pd.DataFrame, screening: pd.DataFrame, studies: pd.DataFrame | None = None) -> pd.DataFrame:
    """The records a curator still has to screen (neither in the screening log nor already a study), newest first."""
    known = screened_pmids(screening)
    if studies is not None:
        known |= set(studies["pmid"].dropna().astype(str))
    new = records.loc[~records["pmid"].isin(known)]
    return new.sort_values(["year", "pmid"], ascending=[False, True], na_position="last").reset_index(drop=True)
