"""Re-run the review's saved PubMed search and list the records nobody has screened yet.

The search itself goes through NCBI's E-utilities with Biopython's Entrez client (ESearch for the PMIDs, ESummary
for titles and years). The saved query is the newest PubMed row of `searches.csv`; what counts as screened is any
PMID in `screening.csv` or in the studies table. Network access is optional for everything else in the project, so a failed connection is
reported as such (`SearchUnavailable`), never as a crash; so is a reply that is not a usable E-utilities answer
(`UnusableReply`: not XML, cut short, a DTD from elsewhere, entity amplification, too large, or of another shape).
"""
from __future__ import annotations

import io
import re
import socket
import urllib.error
from http.client import HTTPException

import pandas as pd

PUBMED_SOURCE = "PubMed (NCBI E-utilities)"
RECORD_COLUMNS = ["pmid", "title", "year"]


class SearchUnavailable(Exception):
    """PubMed could not be reached (no network, a proxy refusing, NCBI down)."""


class UnusableReply(Exception):
    """PubMed (or whatever answered in its place) sent a reply this command cannot use; the message says why."""


def reply_limit(records: int) -> int:
    """The most bytes a reply about `records` records may take: 32 kB each (a PubMed summary takes 1 to 4) and 1 MB
    besides. A larger one is not a PubMed answer, and parsing it would hold the command for minutes."""
    return 2 ** 20 + 32 * 2 ** 10 * records


def read_reply(handle, what: str, records: int):
    """One E-utilities reply, parsed by Biopython from at most reply_limit(records) bytes."""
    from Bio import Entrez

    limit = reply_limit(records)
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnusableReply(f"the {what} reply is larger than {limit / 2 ** 20:.1f} MB")
    try:
        return Entrez.read(io.BytesIO(data))
    except ValueError as exc:  # Bio.Entrez.Parser's errors: not XML, cut short, amplification, a DTD from elsewhere
        raise UnusableReply(f"the {what} reply is not usable XML: {one_line(exc)}") from None
    except RuntimeError as exc:  # an <ERROR> element: NCBI's own failure
        raise UnusableReply(f"the {what} reply reports an error: {one_line(exc)}") from None


def one_line(exc: Exception) -> str:
    """The error as one printable line: it may quote the reply, whose control characters a terminal would obey."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(str(exc).split()))
    return text[:300] or type(exc).__name__


def pmids(result, retmax: int) -> list[str]:
    """The PMIDs of an ESearch reply: each a PMID (they go into the next request), and no more than asked for."""
    ids = result.get("IdList") if isinstance(result, dict) else None
    if not isinstance(ids, list):
        raise UnusableReply("the ESearch reply has no list of PMIDs")
    if len(ids) > retmax:
        raise UnusableReply(f"the ESearch reply holds {len(ids)} PMIDs where at most {retmax} were asked for")
    wrong = next((str(i) for i in ids if not re.fullmatch(r"[1-9][0-9]{0,8}", str(i))), None)
    if wrong is not None:
        raise UnusableReply(f"the ESearch reply holds {wrong[:40]!r} where a PMID belongs")
    return [str(i) for i in ids]


def records(summaries) -> pd.DataFrame:
    """PMID, title and year of each document of an ESummary reply."""
    try:
        rows = [{"pmid": str(doc["Id"]), "title": str(doc.get("Title", "")), "year": _year(str(doc.get("PubDate", "")))}
                for doc in summaries]
    except (KeyError, TypeError, AttributeError):
        raise UnusableReply("the ESummary reply holds a summary without an Id") from None
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def saved_query(searches: pd.DataFrame) -> str:
    """The newest saved PubMed query of the search log."""
    pubmed = searches.loc[searches["source"] == PUBMED_SOURCE]
    if pubmed.empty:
        raise LookupError(f"searches.csv has no row with source {PUBMED_SOURCE!r} to re-run")
    return str(pubmed.sort_values(["date", "search_id"]).iloc[-1]["query"])


def fetch_pubmed(query: str, email: str, retmax: int = 1000, since: str | None = None) -> pd.DataFrame:
    """PMIDs, titles and years PubMed returns for `query` today (one page of up to `retmax` records); with `since`
    (YYYY-MM-DD), only the records that entered PubMed on or after that day (Entrez date)."""
    from Bio import Entrez

    Entrez.email = email
    Entrez.tool = "alsreview"
    Entrez.max_tries, Entrez.sleep_between_tries = 2, 2
    try:
        dates = {"datetype": "edat", "mindate": since.replace("-", "/"), "maxdate": "3000"} if since else {}
        with Entrez.esearch(db="pubmed", term=query, retmax=retmax, **dates) as handle:
            ids = pmids(read_reply(handle, "ESearch", retmax), retmax)
        if not ids:
            return pd.DataFrame(columns=RECORD_COLUMNS)
        with Entrez.esummary(db="pubmed", id=",".join(ids)) as handle:
            summaries = read_reply(handle, "ESummary", len(ids))
    except (urllib.error.URLError, socket.timeout, ConnectionError, HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise SearchUnavailable(f"PubMed could not be reached ({reason})") from None
    return records(summaries)


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
