"""`alsreview search` re-runs the saved PubMed query; tested on E-utilities XML fixtures instead of the network."""
import io
import urllib.error
from email.message import Message
from pathlib import Path

import pandas as pd
import pytest
from Bio import Entrez

from alsreview.cli import main
from alsreview.living.search import PUBMED_SOURCE, saved_query, screened_pmids, unscreened

FIXTURES = Path(__file__).parent / "fixtures" / "eutils"
ESEARCH = (b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
           b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd"')
LAUGHS = b"".join(b'<!ENTITY e%d "%s">' % (i, b"&e%d;" % (i - 1) * 10 if i else b"ha" * 5) for i in range(9))


class Response(io.BytesIO):
    """What urllib returns, as far as Biopython reads it: the body, its content type and its address."""

    def __init__(self, body: bytes, url: str):
        super().__init__(body)
        self.url = url
        self.headers = Message()
        self.headers["Content-Type"] = "text/xml; charset=UTF-8"


def serve(monkeypatch, esearch: bytes, esummary: bytes) -> list[str]:
    """Answer E-utilities requests with these bodies instead of the network; returns the addresses asked for."""
    requested = []

    def urlopen(request, *args, **kwargs):
        url = request.full_url if hasattr(request, "full_url") else str(request)
        requested.append(url)
        return Response(esearch if "esearch.fcgi" in url else esummary, url)

    monkeypatch.setattr(Entrez, "urlopen", urlopen)
    return requested


@pytest.fixture
def fake_eutils(monkeypatch):
    """Serve the recorded-format responses: ESearch for the ids, ESummary for titles and years."""
    return serve(monkeypatch, (FIXTURES / "esearch.xml").read_bytes(), (FIXTURES / "esummary.xml").read_bytes())


def test_saved_query_is_the_newest_pubmed_row(tables):
    searches = tables["searches"]
    assert saved_query(searches).startswith('("amyotrophic lateral sclerosis"[tiab]')
    newer = pd.concat([searches, pd.DataFrame([{"search_id": "P99", "date": "2030-01-01", "source": PUBMED_SOURCE,
                                                "query": "als AND exercise"}])], ignore_index=True)
    assert saved_query(newer) == "als AND exercise"


def test_pmids_in_the_log_count_whatever_their_prefix():
    log = pd.DataFrame({"identifier": ["PMID:123", "456", "doi:10.1/x", "pmid: 789", None]})
    assert screened_pmids(log) == {"123", "456", "789"}


def test_search_lists_only_records_not_yet_screened(fake_eutils, capsys):
    assert main(["search", "--email", "curator@example.org"]) == 0
    out, err = capsys.readouterr()
    listed = [line.split("\t")[0] for line in out.splitlines()]
    assert listed == ["PMID:999999991"]            # the two real PMIDs are studies already in the data
    assert "3 record(s) found, 1 not yet in screening.csv" in err
    assert any("esearch.fcgi" in url and "curator%40example.org" in url for url in fake_eutils)


def test_unscreened_excludes_the_log_and_the_studies():
    records = pd.DataFrame({"pmid": ["1", "2", "3"], "title": ["a", "b", "c"], "year": [2020, 2024, None]})
    new = unscreened(records, pd.DataFrame({"identifier": ["PMID:1"]}), pd.DataFrame({"pmid": ["2"]}))
    assert new["pmid"].tolist() == ["3"]


def test_no_network_is_said_plainly(monkeypatch, capsys):
    def refuse(request, *args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(Entrez, "urlopen", refuse)
    monkeypatch.setattr(Entrez, "sleep_between_tries", 0)
    assert main(["search", "--email", "curator@example.org"]) == 4
    err = capsys.readouterr().err
    assert "PubMed could not be reached (Temporary failure in name resolution)" in err
    assert "Traceback" not in err


def test_an_email_is_required(monkeypatch, capsys):
    monkeypatch.delenv("NCBI_EMAIL", raising=False)
    assert main(["search"]) == 2
    assert "--email" in capsys.readouterr().err


SUMMARY = (FIXTURES / "esummary.xml").read_bytes()
UNUSABLE = {
    "not XML": (b"<html><body>Service unavailable</body></html>", SUMMARY, "ESearch reply is not usable XML: Failed to parse"),
    "cut short": (ESEARCH + b">\n<eSearchResult><Count>3</Count><IdList><Id>1", SUMMARY, "not corrupted"),
    "a DTD read from a file": (ESEARCH.replace(b"https://eutils.ncbi.nlm.nih.gov", b"file:///etc") + b"><eSearchResult/>",
                               SUMMARY, "Unexpected URL scheme 'file'"),
    "entity amplification": (ESEARCH + b" [" + LAUGHS + b"]>\n<eSearchResult><Count>&e8;</Count></eSearchResult>",
                             SUMMARY, "amplification"),
    "too large": (ESEARCH + b">\n<eSearchResult><IdList>" + b"<Id>1</Id>" * 200_000 + b"</IdList></eSearchResult>",
                  SUMMARY, "ESearch reply is larger than 1.1 MB"),
    "more PMIDs than asked for": ((FIXTURES / "esearch.xml").read_bytes().replace(b"<Id>11677004</Id>", b"<Id>1</Id>" * 3),
                                  SUMMARY, "ESearch reply holds 5 PMIDs where at most 4 were asked for"),
    "not a PMID": ((FIXTURES / "esearch.xml").read_bytes().replace(b"<Id>11677004</Id>", b"<Id>1&amp;db=x</Id>"),
                   SUMMARY, "'1&db=x' where a PMID belongs"),
    "no PMID list": (ESEARCH + b">\n<eSearchResult><Count>3</Count></eSearchResult>", SUMMARY, "no list of PMIDs"),
    "an error from NCBI": (ESEARCH + b">\n<eSearchResult><ERROR>Search Backend failed&#155;2J</ERROR></eSearchResult>", SUMMARY,
                           "reports an error: Search Backend failed"),
    "summaries of another shape": ((FIXTURES / "esearch.xml").read_bytes(),
                                   SUMMARY.replace(b"<Id>999999991</Id>", b""), "ESummary reply holds a summary without an Id"),
}


@pytest.mark.parametrize("case", UNUSABLE, ids=list(UNUSABLE))
def test_an_unusable_reply_is_named_in_one_line_with_exit_4(monkeypatch, capsys, case):
    """A reply that is not a usable E-utilities answer is the outside world's fault, not a bug of ours."""
    esearch, esummary, reason = UNUSABLE[case]
    serve(monkeypatch, esearch, esummary)
    assert main(["search", "--email", "curator@example.org", "--retmax", "4"]) == 4
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1, lines
    assert lines[0].startswith("alsreview search: unusable reply from PubMed: the E") and reason in lines[0]
    assert all(c.isprintable() for c in lines[0]), "the reply's own text reached the terminal unescaped"
    assert "internal error" not in err and "Traceback" not in err


def test_since_asks_pubmed_only_for_records_entered_from_that_day(fake_eutils, capsys):
    assert main(["search", "--email", "test@example.org", "--since", "2026-11-26"]) == 0
    esearch = next(url for url in fake_eutils if "esearch.fcgi" in url)
    assert "datetype=edat" in esearch and "mindate=2026%2F11%2F26" in esearch


def test_since_refuses_a_date_that_does_not_exist(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["search", "--email", "test@example.org", "--since", "2026-02-30"])
    assert stop.value.code == 2 and "'2026-02-30' is not a date of the form YYYY-MM-DD" in capsys.readouterr().err
