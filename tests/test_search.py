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


class Response(io.BytesIO):
    """What urllib returns, as far as Biopython reads it: the body, its content type and its address."""

    def __init__(self, body: bytes, url: str):
        super().__init__(body)
        self.url = url
        self.headers = Message()
        self.headers["Content-Type"] = "text/xml; charset=UTF-8"


@pytest.fixture
def fake_eutils(monkeypatch):
    """Serve the recorded-format responses: ESearch for the ids, ESummary for titles and years."""
    requested = []

    def urlopen(request, *args, **kwargs):
        url = request.full_url if hasattr(request, "full_url") else str(request)
        requested.append(url)
        name = "esearch.xml" if "esearch.fcgi" in url else "esummary.xml"
        return Response((FIXTURES / name).read_bytes(), url)

    monkeypatch.setattr(Entrez, "urlopen", urlopen)
    return requested


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
