"""The screening log's rules, as a curator meets them: one decision per work, duplicates that name the record
holding it, an exclusion that names a protocol criterion, and citation chasing that accounts for every listed
trial. Each mistake gets one exact message (file:line: column: 'value': rule) and exit status 1."""
import pytest
import yaml

from csv_edit import rows, set_cell, write_rows

from alsreview import cli
from alsreview.data.records import normalised_title, work_keys


def validate(data_dir, capsys):
    code = cli.main(["--data-dir", str(data_dir), "validate"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out.splitlines()


def line_of(path, first_cell):
    return next(i for i, row in enumerate(rows(path), start=1) if row and row[0] == first_cell)


def test_the_shipped_log_passes(data_copy, capsys):
    assert validate(data_copy, capsys)[0] == 0


def test_work_keys_match_a_work_written_several_ways():
    a = work_keys("PMID:32452880; doi:10.1097/PHM.0000000000001419", "Effects of Exercise in Patients With ALS (Meng)")
    b = work_keys("PMID 32452880", "Effects of exercise in patients with ALS")
    assert "pmid:32452880" in a & b and "doi:10.1097/phm.0000000000001419" in a
    assert normalised_title("A Review: of ALS (registry) (Meng)") == "areviewofals"
    assert not any(k.startswith("title:") for k in work_keys("x", "Short title"))  # too short to merge works


def test_a_work_decided_twice_is_refused_naming_both_records(data_copy, capsys):
    screening = data_copy / "screening.csv"
    line = line_of(screening, "T051")
    set_cell(screening, line, "decision", "excluded")
    set_cell(screening, line, "reason", "not_systematic_review")
    set_cell(screening, line, "duplicate_of", "")
    set_cell(screening, line, "identifier", "PMID:36875937")
    code, lines = validate(data_copy, capsys)
    target = line_of(screening, "R027")
    assert code == 1
    assert any(f"screening.csv:{max(line, target)}: record_id:" in m and "the same work as record" in m
               and "one work has one decision" in m for m in lines), "\n".join(lines)


def test_an_excluded_record_must_name_a_reason_and_a_duplicate_its_record(data_copy, capsys):
    screening = data_copy / "screening.csv"
    excluded, duplicate = line_of(screening, "T019"), line_of(screening, "T045")
    set_cell(screening, excluded, "reason", "")
    set_cell(screening, duplicate, "duplicate_of", "")
    set_cell(screening, duplicate, "study_id", "")
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert (f"data/screening.csv:{excluded}: reason: '': an excluded record needs a reason: the failure of a "
            "protocol criterion (protocol.yaml, eligibility)") in [m.replace(str(data_copy), "data") for m in lines]
    assert any(f"screening.csv:{duplicate}: duplicate_of: ''" in m and "names the record that holds" in m for m in lines)


def test_the_old_catch_all_reason_is_refused(data_copy, capsys):
    screening = data_copy / "screening.csv"
    line = line_of(screening, "T019")
    set_cell(screening, line, "reason", "other")
    code, lines = validate(data_copy, capsys)
    assert code == 1 and any(f"screening.csv:{line}: reason: 'other': not an allowed value" in m for m in lines)


def test_a_reason_that_no_criterion_lists_is_refused(data_copy, capsys, monkeypatch):
    from alsreview.data import protocol

    plan = yaml.safe_load(protocol.PROTOCOL_FILE.read_text(encoding="utf-8"))
    for criterion in plan["eligibility"]:
        criterion["excludes"] = [r for r in criterion["excludes"] if r != "no_results"]
    copy = data_copy.parent / "protocol.yaml"
    copy.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(protocol, "PROTOCOL_FILE", copy)
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert any("eligibility: 'no_results': a reason of screening.csv that no criterion lists under excludes" in m
               for m in lines), "\n".join(lines)


def test_a_listed_trial_must_be_accounted_for(data_copy, capsys):
    lists = data_copy / "review_trials.csv"
    table = rows(lists)
    table.append(["meng2020", "Someone 2019", "", "", "", "https://pubmed.ncbi.nlm.nih.gov/32452880/", "listed"])
    write_rows(lists, table)
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert any(f"review_trials.csv:{len(table)}: study_id: '': a listed trial must be accounted for" in m for m in lines)


def test_every_included_systematic_review_has_its_list_or_a_row_saying_why(data_copy, capsys):
    lists = data_copy / "review_trials.csv"
    write_rows(lists, [row for row in rows(lists) if row[0] != "lui2009"])
    studies = data_copy / "studies.csv"
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert any(f"studies.csv:{line_of(studies, 'lui2009')}: study_id: 'lui2009': an included systematic review "
               "without rows in" in m for m in lines), "\n".join(lines)


@pytest.mark.parametrize("column, value, rule", [
    ("review_id", "drory2001", "is a human_rct, not a systematic review"),
    ("record_id", "T045", "names a duplicate record"),
])
def test_review_list_rows_point_where_they_should(data_copy, capsys, column, value, rule):
    lists = data_copy / "review_trials.csv"
    line = 2
    if column == "record_id":
        set_cell(lists, line, "study_id", "")
    set_cell(lists, line, column, value)
    code, lines = validate(data_copy, capsys)
    assert code == 1 and any(f"review_trials.csv:{line}: {column}: '{value}': {rule}" in m for m in lines), "\n".join(lines)
