"""`alsreview retractions` asks PubMed for publication types and keeps a flagged work out of the pooling until a
curator decides; tested on an E-utilities fixture instead of the network (tests/fixtures/eutils/README.md)."""
import io
import shutil
from email.message import Message
from pathlib import Path

import pandas as pd
import pytest
from Bio import Entrez

from alsreview import cli
from alsreview.data.load import load_tables
from alsreview.living import retractions
from alsreview.data.flags import held_back
from alsreview.living.retractions import new_flags, publication_flags, publication_types
from alsreview.synthesis.trial_pooling import our_meta_analysis

FIXTURE = Path(__file__).parent / "fixtures" / "eutils" / "esummary_pubtypes.xml"
DATA = Path(__file__).resolve().parents[1] / "data"


class Response(io.BytesIO):
    def __init__(self, body: bytes, url: str):
        super().__init__(body)
        self.url = url
        self.headers = Message()
        self.headers["Content-Type"] = "text/xml; charset=UTF-8"


@pytest.fixture
def fake_esummary(monkeypatch):
    asked = []

    def urlopen(request, *args, **kwargs):
        url = request.full_url if hasattr(request, "full_url") else str(request)
        asked.append(url + " " + (request.data or b"").decode() if hasattr(request, "data") else url)
        return Response(FIXTURE.read_bytes(), url)

    monkeypatch.setattr(Entrez, "urlopen", urlopen)
    return asked


def parsed_types() -> pd.DataFrame:
    return publication_types(Entrez.read(io.BytesIO(FIXTURE.read_bytes())))


def test_the_retracted_and_the_concern_records_are_flagged_and_nothing_else():
    works = pd.DataFrame({"study_id": ["bellohaas2007", "drory2001", "madeup2024", "notice2025"],
                          "pmid": ["17548549", "11677004", "999999992", "999999993"]})
    flags = publication_flags(works, parsed_types(), "2026-12-03")
    assert list(zip(flags["study_id"], flags["flag"], flags["decision"])) == [
        ("madeup2024", "retracted_publication", "pending"), ("notice2025", "expression_of_concern", "pending")]
    assert "Retracted Publication" in flags.iloc[0]["notes"]


def test_a_decision_already_made_is_never_reset_and_only_keep_lets_a_work_back_in():
    found = pd.DataFrame([{"study_id": "a2020", "pmid": "1", "flag": "retracted_publication", "checked_on": "2027-01-01", "source_url": "https://pubmed.ncbi.nlm.nih.gov/1/",
                           "decision": "pending", "notes": ""}])
    recorded = found.assign(decision="keep", checked_on="2026-12-03")
    assert new_flags(found, recorded).empty
    assert held_back(recorded) == {}
    assert "a curator has not yet decided" in held_back(found)["a2020"]
    assert "a curator excluded it" in held_back(found.assign(decision="exclude"))["a2020"]


def run(args, capsys):
    code = cli.main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_the_real_data_has_no_flag_in_the_fixture(fake_esummary, capsys):
    code, out, err = run(["retractions", "--email", "test@example.org"], capsys)
    assert code == 0 and out == ""
    assert "0 flagged" in err and "PMID(s) checked" in err
    assert "PubMed did not describe" in err  # the fixture answers for two of the dataset's PMIDs only


def test_a_flagged_trial_is_recorded_pending_and_leaves_the_pooling_with_a_note(fake_esummary, capsys, tmp_path,
                                                                               monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    pooled_before = our_meta_analysis(load_tables(data))[0]
    assert "braga2018" in set(pooled_before["study_id"])
    real = retractions.included_pmids
    # the made-up retracted record stands in for one pooled trial's PMID (no real work is called retracted)
    monkeypatch.setattr(retractions, "included_pmids", lambda studies: real(studies).replace(
        {"pmid": {"29666705": "999999992"}}))
    code, out, err = run(["--data-dir", str(data), "retractions", "--email", "t@example.org", "--record"], capsys)
    assert code == 1 and out.startswith("braga2018\tPMID:999999992\tPubMed lists it as a retracted publication")
    recorded = pd.read_csv(data / "publication_flags.csv", dtype=str)
    assert list(recorded[["study_id", "flag", "decision"]].iloc[0]) == ["braga2018", "retracted_publication", "pending"]
    assert run(["--data-dir", str(data), "validate"], capsys)[0] == 0
    code, _, err = run(["--data-dir", str(data), "retractions", "--email", "t@example.org", "--record"], capsys)
    assert code == 1 and "0 not yet recorded" in err and len(pd.read_csv(data / "publication_flags.csv")) == 1
    tables = load_tables(data)
    contrasts, pooled = our_meta_analysis(tables)
    assert "braga2018" not in set(contrasts["study_id"])
    from alsreview.synthesis.contrasts import candidates_of
    notes = candidates_of(tables).query("study_id == 'braga2018'")["reason"]
    assert notes.str.startswith("left out: PubMed lists it as a retracted publication").all()
    set_decision = recorded.assign(decision="keep")
    set_decision.to_csv(data / "publication_flags.csv", index=False)
    assert "braga2018" in set(our_meta_analysis(load_tables(data))[0]["study_id"])


def test_no_network_is_exit_4_and_changes_nothing(monkeypatch, capsys):
    import urllib.error

    def down(*args, **kwargs):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(Entrez, "urlopen", down)
    code, out, err = run(["retractions", "--email", "t@example.org", "--record"], capsys)
    assert code == 4 and "PubMed could not be reached" in err and "nothing was changed" in err
