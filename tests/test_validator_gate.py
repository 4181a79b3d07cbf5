"""Issue 24: what the validator passes, the build must survive, and a study added as the README says is checked
as the README says. Every numeric field is bounded, enum messages list the allowed values, and a study added
after a release needs its screening row. Each test failed before its fix."""
import json
import math

import pytest
from csv_edit import rows, set_cell, write_rows
from test_bad_input import expect, validate

from alsreview.data.paths import DATA_DIR
from alsreview.data.schema import read_datapackage

FLOAT_LIMIT = "1e308"


@pytest.mark.parametrize("table,line,column,value,rule", [
    ("outcomes", 88, "mean_exercise", FLOAT_LIMIT, "must be at most 1000000"),
    ("outcomes", 88, "sd_control", FLOAT_LIMIT, "must be at most 1000000"),
    ("outcomes", 88, "mean_control", "-" + FLOAT_LIMIT, "must be at least -1000000"),
    ("searches", 2, "records", str(2 ** 63 - 1), "must be at most 10000000"),
    ("interventions", 2, "n", "100001", "must be at most 100000"),
])
def test_values_the_build_cannot_survive_are_refused(data_copy, capsys, table, line, column, value, rule):
    """1e308 passed and overflowed notebook 05; 2**63-1 records passed and ended in an internal error (exit 70)."""
    path = data_copy / f"{table}.csv"
    set_cell(path, line, column, value)
    expect(data_copy, capsys, f"{path}:{line}: {column}: {value!r}: {rule}")


def test_every_numeric_field_of_the_shipped_descriptor_is_bounded():
    package = read_datapackage(DATA_DIR)
    for resource in package.resources.values():
        for field in resource.fields:
            if field.type in ("integer", "number"):
                c = field.constraints
                assert {"minimum", "maximum"} <= set(c), f"{resource.name}.{field.name} has no bounds"
                assert c["minimum"] <= c["maximum"] and max(abs(c["minimum"]), abs(c["maximum"])) <= 1e9, field.name
                assert math.isfinite(c["maximum"] ** 2), field.name


@pytest.mark.parametrize("bounds,message", [
    ({"minimum": 0}, "studies.ref_no: 'integer': a numeric field needs both a minimum and a maximum"),
    ({"minimum": 5, "maximum": 1}, "studies.ref_no: 'minimum=5, maximum=1': minimum exceeds maximum"),
    ({"minimum": 1, "maximum": float("inf")}, "studies.ref_no: 'maximum=inf': constraint 'maximum' must lie within ±1e15"),
    ({"minimum": 1, "maximum": 10 ** 400}, "studies.ref_no: '" + ("maximum=1" + "0" * 400)[:77] + "...': "
     "constraint 'maximum' must lie within ±1e15"),
])
def test_a_descriptor_with_an_unbounded_number_is_refused(data_copy, capsys, bounds, message):
    """A numeric field added without bounds would let the float limit through again; a bound of 10**400 used to
    end in an OverflowError when compared with the data."""
    path = data_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    field = next(f for f in descriptor["resources"][0]["schema"]["fields"] if f["name"] == "ref_no")
    field["constraints"] = {"unique": True, **bounds}
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert any(line == f"{path}:0: {message}" for line in lines), lines


@pytest.mark.parametrize("cells,column,rule", [
    ({"sd_exercise": "1e-300"}, "sd_exercise", "an SD this small (below 1e-6) gives the estimate a weight too large to "
     "compute when pooled: record the measure in larger units"),
    ({"effect": "0", "ci_lower": "0", "ci_upper": "1e-300"}, "ci_lower", "a confidence interval this narrow (below "
     "1e-6 wide) gives the estimate a weight too large to compute when pooled: record the measure in larger units"),
])
def test_a_variance_too_small_to_weight_is_refused(data_copy, capsys, cells, column, rule):
    """An SD of 1e-300 passed and the review printed a pooled mean difference of 'nan' (its square underflows)."""
    path = data_copy / "outcomes.csv"
    line = 88 if column == "sd_exercise" else 68
    for name, value in cells.items():
        set_cell(path, line, name, value)
    expect(data_copy, capsys, f"{path}:{line}: {column}: {cells[column]!r}: {rule}")


SEXES = "allowed: male, female, both, not_reported"


@pytest.mark.parametrize("value,rule", [
    ("", f"required: must not be empty; {SEXES}"),
    ("mael", f"not an allowed value; {SEXES}; did you mean 'male'?"),
    ("F", f"not an allowed value; {SEXES}; did you mean 'female'?"),
    ("unknown", f"not an allowed value; {SEXES}"),
])
def test_an_arm_without_a_valid_sex_is_told_the_allowed_values(data_copy, capsys, value, rule):
    """An empty required code said only 'must not be empty', and an abbreviation ('F') got no suggestion."""
    path = data_copy / "interventions.csv"
    set_cell(path, 2, "sex", value)
    expect(data_copy, capsys, f"{path}:2: sex: {value!r}: {rule}")


MODALITIES = ("allowed: treadmill_running, voluntary_wheel_running, swimming, resistance, endurance_aerobic, stretching, "
              "range_of_motion, inspiratory_muscle_training, vojta, pnf, balance, combined, motor_skill_training, "
              "running_unspecified, unspecified_exercise, other, cycling, expiratory_muscle_training, "
              "respiratory_muscle_training")


@pytest.mark.parametrize("line,rule", [
    (2, f"required for an exercise arm: the kind of exercise (unspecified_exercise where the source does not say); "
        f"{MODALITIES}"),
    (None, f"required for an arm coded other_exercise or other_dose: which exercise did it do?; {MODALITIES}"),
])
def test_an_arm_without_its_modality_is_told_the_allowed_codes(data_copy, capsys, line, rule):
    """An exercise arm without a modality passed, although the dictionary and the README require it."""
    path = data_copy / "interventions.csv"
    table = rows(path)
    header = table[0]
    if line is None:
        line = next(n for n, row in enumerate(table[1:], 2) if row[header.index("comparator_kind")] == "other_exercise")
    set_cell(path, line, "modality", "")
    expect(data_copy, capsys, f"{path}:{line}: modality: '': {rule}")


NEW_WORK = {"study_id": "newcomer2026", "authors": "Newcomer A", "year": "2026", "title": "A narrative review",
            "evidence_type": "narrative_review", "species": "none", "exercise_tested": "no",
            "exercise_role": "not_applicable", "population": "not_applicable",
            "source_url": "https://example.org/newcomer", "extraction": "abstract"}


def append(path, row: dict) -> int:
    """Add a row (unnamed columns empty); its file line."""
    table = rows(path)
    table.append([row.get(column, "") for column in table[0]])
    write_rows(path, table)
    return len(table)


def screened(data_dir, study_id):
    append(data_dir / "screening.csv", {"record_id": "T999", "search_id": "T01", "identifier": "https://example.org/newcomer",
                                        "title": "A narrative review", "year": "2026", "decision": "included",
                                        "study_id": study_id})


def test_a_study_added_after_the_release_needs_its_screening_row(data_copy, capsys):
    """The update flow counted 29 new works while the tables held one more: nothing asked for its screening row."""
    path = data_copy / "studies.csv"
    line = append(path, NEW_WORK)
    expect(data_copy, capsys, f"{path}:{line}: study_id: 'newcomer2026': added after release 0.1.0 (not in its "
                              "snapshot in releases.csv), so the living update must show how it was found: add its "
                              "screening.csv row (decision included, study_id newcomer2026, the search that found it), "
                              "or give its ref_no if it is one of the seed review's references")


def test_a_study_with_its_screening_row_passes(data_copy, capsys):
    append(data_copy / "studies.csv", NEW_WORK)
    screened(data_copy, "newcomer2026")
    assert validate(data_copy, capsys)[0] == 0


@pytest.mark.parametrize("version,needed", [("0.1.5", False), ("0.2.0", True)])
def test_the_previous_release_is_the_newest_older_than_the_current_version(data_copy, capsys, version, needed):
    """A study in a release older than the data's version (0.2.0) was screened for that release; the snapshot of
    the version being released does not excuse it, since the update flow compares with the release before.
    (protocol.yaml has no entry for 0.1.5, so only the studies.csv message is looked at.)"""
    path = data_copy / "studies.csv"
    line = append(path, NEW_WORK)
    releases = rows(data_copy / "releases.csv")
    release = [[version] + row[1:] for row in releases[1:] if row[:2] == ["0.1.0", "study"]]
    release.append([version, "study", "newcomer2026", "newcomer2026", "2026", "", "", "", "narrative_review"])
    write_rows(data_copy / "releases.csv", releases + release)
    lines = validate(data_copy, capsys)[1]
    assert any(line_.startswith(f"{path}:{line}: study_id: 'newcomer2026': added after release 0.1.0")
               for line_ in lines) == needed, lines
    assert len([line_ for line_ in lines if line_.startswith(str(path))]) == needed, lines


def test_a_screening_row_that_excludes_the_study_does_not_count(data_copy, capsys):
    path = data_copy / "studies.csv"
    line = append(path, NEW_WORK)
    screened(data_copy, "newcomer2026")
    set_cell(data_copy / "screening.csv", len(rows(data_copy / "screening.csv")), "decision", "duplicate")
    code, lines = validate(data_copy, capsys)
    assert code == 1
    assert any(line_.startswith(f"{path}:{line}: study_id: 'newcomer2026': added after release 0.1.0") for line_ in lines)


def test_a_screening_log_without_decisions_is_not_a_traceback(data_copy, capsys):
    """Data described by another descriptor (no screening.decision) skip the screening rule instead of crashing."""
    path = data_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    screening = next(r for r in descriptor["resources"] if r["name"] == "screening")
    screening["schema"]["fields"] = [f for f in screening["schema"]["fields"] if f["name"] != "decision"]
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    table = rows(data_copy / "screening.csv")
    column = table[0].index("decision")
    write_rows(data_copy / "screening.csv", [row[:column] + row[column + 1:] for row in table])
    append(data_copy / "studies.csv", NEW_WORK)
    assert validate(data_copy, capsys)[0] == 0
