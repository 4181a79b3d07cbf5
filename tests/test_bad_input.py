"""The bad-input catalogue: every mistake a researcher editing the CSVs by hand is likely to make gets one
exact message (file:line: column: 'value': rule), exit status 1 and no traceback. Harmless variants pass."""
import subprocess
import sys

import pytest

from csv_edit import get_cell, rows, set_cell, write_rows

from alsreview import cli
from alsreview.data.errors import UsageError
from alsreview.pipeline.params import check_params


def validate(data_dir, capsys):
    code = cli.main(["--data-dir", str(data_dir), "validate"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out.splitlines()


def expect(data_dir, capsys, message):
    code, lines = validate(data_dir, capsys)
    assert code == 1
    assert message in lines, "\n".join(lines)


# (id, table, line, column, new value, rule): single-cell edits and the exact message each must give.
CELL_CASES = [
    ("unknown-enum-with-suggestion", "studies", 13, "evidence_type", "animal_experment",
     "not an allowed value; allowed: animal_experiment, human_rct, human_nonrandomised, human_observational, "
     "systematic_review, narrative_review, book_or_chapter, hypothesis, other; did you mean 'animal_experiment'?"),
    ("unknown-enum-no-suggestion", "studies", 13, "species", "monkey",
     "not an allowed value; allowed: mouse, rat, human, none"),
    ("year-not-a-number", "studies", 13, "year", "2005a", "must be an integer"),
    ("year-out-of-range", "studies", 13, "year", "1850", "must be at least 1900"),
    ("year-in-future", "studies", 13, "year", "2150", "must be at most 2100"),
    ("negative-n", "interventions", 2, "n", "-3", "must be at least 0"),
    ("fractional-n", "interventions", 2, "n", "12.5", "must be a whole number"),
    ("ref-no-out-of-range", "studies", 13, "ref_no", "42", "must be at most 41"),
    ("ref-no-zero", "studies", 13, "ref_no", "0", "must be at least 1"),
    ("ref-no-repeated", "studies", 13, "ref_no", "11", "duplicate: must be unique (first on line 12)"),
    ("duplicate-study-id", "studies", 13, "study_id", "mattiazzi2002", "duplicate: must be unique (first on line 12)"),
    ("empty-required-field", "studies", 13, "title", "", "required: must not be empty"),
    ("malformed-doi", "studies", 13, "doi", "https://doi.org/10.1002/ana.20451",
     "malformed: a DOI looks like 10.1002/ana.20451, without https://doi.org/"),
    ("malformed-pmid", "studies", 13, "pmid", "PMID15852403", "malformed: a PMID is 1 to 9 digits"),
    ("missing-source", "studies", 13, "source_url", "", "required: must not be empty"),
    ("source-not-an-address", "studies", 13, "source_url", "PubMed", "malformed: an address starting with http:// or https://"),
    ("dangling-study-id", "interventions", 2, "study_id", "nobody2020",
     "dangling reference: no row of studies.csv has this study_id"),
    ("dangling-arm-id", "outcomes", 2, "arm_id", "jasmin1987-cycling",
     "dangling reference: no row of interventions.csv has this arm_id"),
    ("arm-of-another-study", "outcomes", 2, "arm_id", "jasmin1987-swimming", None),
    ("species-missing-for-experiment", "studies", 13, "species", "none",
     "a primary study (animal experiment or human study) needs its species"),
    ("unknown-direction", "outcomes", 2, "direction", "positive",
     "not an allowed value; allowed: beneficial, no_effect, harmful, mixed, unclear"),
    ("malformed-p-value", "outcomes", 68, "p_value", "p=0.39", "malformed: e.g. 0.03, <0.05 or =0.39"),
    ("negative-sd", "outcomes", 68, "sd_exercise", "-1", None),
]


@pytest.mark.parametrize("case", CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_cell_mistake_is_reported_exactly(data_copy, capsys, case):
    _, table, line, column, value, rule = case
    path = data_copy / f"{table}.csv"
    set_cell(path, line, column, value)
    if case[0] == "arm-of-another-study":
        expect(data_copy, capsys, f"{path}:{line}: outcome_id: 'jasmin1987-running-1': must start with its arm_id and a hyphen")
        return
    if case[0] == "negative-sd":
        expect(data_copy, capsys, f"{path}:{line}: sd_exercise: '-1': must be at least 0")
        return
    expect(data_copy, capsys, f"{path}:{line}: {column}: {value!r}: {rule}")


def test_mean_without_sd(data_copy, capsys):
    """A mean without its SD is refused; without its n it is kept (pages often omit it) and the pooling says why
    it cannot use the row."""
    path = data_copy / "outcomes.csv"
    set_cell(path, 68, "mean_exercise", "12.5")
    set_cell(path, 68, "n_exercise", "")
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert f"{path}:68: mean_exercise: '12.5': a mean needs its SD: sd_exercise is empty" in lines
    assert not any("group size" in line for line in lines)


def test_ci_that_does_not_contain_its_estimate(data_copy, capsys):
    path = data_copy / "outcomes.csv"
    set_cell(path, 68, "effect", "25")
    expect(data_copy, capsys, f"{path}:68: effect: '25': the confidence interval does not contain the estimate")


def test_ci_with_one_bound_or_reversed(data_copy, capsys):
    path = data_copy / "outcomes.csv"
    set_cell(path, 68, "ci_upper", "")
    expect(data_copy, capsys, f"{path}:68: ci_lower: '-8.58': a confidence interval needs both bounds")
    set_cell(path, 68, "ci_upper", "-20")
    expect(data_copy, capsys, f"{path}:68: ci_lower: '-8.58': lower bound exceeds the upper bound")


def test_wrong_column_count(data_copy, capsys):
    path = data_copy / "interventions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",surplus"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = validate(data_copy, capsys)
    assert code == 1
    width = len(lines[0].split(","))  # the header has no quoted commas
    matching = [l for l in out if l.startswith(f"{path}:3: (row): ")]
    assert matching and matching[0].endswith(f"row has {width + 1} cells, the header has {width}")


@pytest.mark.parametrize("change", ["missing", "renamed"])
def test_missing_or_renamed_header(data_copy, capsys, change):
    path = data_copy / "studies.csv"
    table = rows(path)
    if change == "missing":
        index = table[0].index("model")
        table = [r[:index] + r[index + 1:] for r in table]
        detail = "missing model"
    else:
        table[0][table[0].index("year")] = "Year"
        detail = "missing year; unexpected Year"
    write_rows(path, table)
    code, out = validate(data_copy, capsys)
    assert code == 1
    assert any(l.startswith(f"{path}:1: (header): ") and l.endswith(f"({detail})") for l in out), out


def test_latin1_file_is_rejected(data_copy, capsys):
    path = data_copy / "studies.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    line = next(i for i, l in enumerate(path.read_bytes().split(b"\n"), 1) if any(b > 127 for b in l))
    code, out = validate(data_copy, capsys)
    assert code == 1
    assert any(l.startswith(f"{path}:{line}: -: '0x") and l.endswith(
        "not UTF-8 text (saved as Latin-1/Windows-1252?): re-save the file as UTF-8") for l in out), out


@pytest.mark.parametrize("variant", ["bom", "crlf", "trailing-spaces"])
def test_harmless_variants_are_accepted(data_copy, capsys, variant):
    path = data_copy / "outcomes.csv"
    text = path.read_text(encoding="utf-8")
    if variant == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    elif variant == "crlf":
        path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    else:
        set_cell(path, 2, "domain", get_cell(path, 2, "domain") + "   ")
        set_cell(path, 3, "measure", "  " + get_cell(path, 3, "measure"))
    code, out = validate(data_copy, capsys)
    assert code == 0, out


def test_empty_file(data_copy, capsys):
    path = data_copy / "interventions.csv"
    path.write_text("", encoding="utf-8")
    expect(data_copy, capsys, f"{path}:1: -: '': empty file: expected a header row")


def test_missing_file(data_copy, capsys):
    path = data_copy / "outcomes.csv"
    path.unlink()
    expect(data_copy, capsys, f"{path}:0: -: '': file not found: resource 'outcomes' in datapackage.json points here")


def test_datapackage_not_json(data_copy, capsys):
    path = data_copy / "datapackage.json"
    path.write_text('{"resources": [\n  {"name": "studies",,}\n', encoding="utf-8")
    code, out = validate(data_copy, capsys)
    assert code == 1
    assert out == [f"{path}:2: -: '': not valid JSON: Expecting property name enclosed in double quotes (column 22)"]


def test_primary_study_without_arms(data_copy, capsys):
    path = data_copy / "interventions.csv"
    table = rows(path)
    write_rows(path, [table[0]] + [r for r in table[1:] if r[1] != "cheah2009"])
    code, out = validate(data_copy, capsys)
    assert code == 1
    studies = data_copy / "studies.csv"
    line = next(i for i, r in enumerate(rows(studies), 1) if r[0] == "cheah2009")
    assert f"{studies}:{line}: study_id: 'cheah2009': a primary study that tests exercise needs at least one exercise arm in interventions.csv" in out


def test_every_problem_is_reported_not_just_the_first(data_copy, capsys):
    set_cell(data_copy / "studies.csv", 13, "year", "x")
    set_cell(data_copy / "studies.csv", 14, "species", "cat")
    set_cell(data_copy / "interventions.csv", 2, "n", "-1")
    code, out = validate(data_copy, capsys)
    assert code == 1 and len(out) == 3


def test_notebook_parameter_of_wrong_type():
    with pytest.raises(UsageError, match=r"notebook parameter 'year_min' must be int, got str '2000'"):
        check_params({"year_min": "2000"})
    with pytest.raises(UsageError, match=r"'species': 'dog' is not one of mouse, rat, human, none"):
        check_params({"species": ["dog"]})


def test_unknown_notebook_parameter():
    with pytest.raises(UsageError, match=r"unknown notebook parameter 'speceis'"):
        check_params({"speceis": ["human"]})


def test_cli_bad_parameter_is_a_message_not_a_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "alsreview.cli", "--build-dir", str(tmp_path), "build", "--year-min", "abc"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == "alsreview: --year-min must be a whole year, got 'abc'"
    assert "Traceback" not in result.stderr


def test_cli_broken_data_exits_1_without_traceback(data_copy, tmp_path):
    (data_copy / "datapackage.json").write_text("not json", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "alsreview.cli", "--data-dir", str(data_copy), "--build-dir",
                             str(tmp_path / "build"), "build"], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{data_copy / 'datapackage.json'}:1: -: '': not valid JSON" in result.stdout
    assert not (tmp_path / "build" / "analysis").exists()


def test_fast_and_careful_readers_agree(data_copy):
    from pandas.testing import assert_frame_equal

    from alsreview.data.raw import _read_careful, _read_fast
    from alsreview.data.schema import read_datapackage

    package = read_datapackage(data_copy)
    outcomes = data_copy / "outcomes.csv"
    lines = outcomes.read_text(encoding="utf-8").splitlines()
    outcomes.write_text("\n".join(lines[:3] + [""] + lines[3:]) + "\n", encoding="utf-8")  # a blank line
    set_cell(outcomes, 2, "measure", "  padded  ")
    for name, resource in package.resources.items():
        text = package.path_of(name).read_text(encoding="utf-8")
        fast = _read_fast(text, resource.field_names)
        assert fast is not None, name
        assert_frame_equal(fast, _read_careful(text, resource.field_names, name), check_dtype=False)
    assert _read_fast("a,b\n1,2\n3\n", ["a", "b"]) is None
    assert _read_fast('a,b\n1,"two\nlines"\n', ["a", "b"]) is None
