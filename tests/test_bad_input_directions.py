"""Bad input for the direction rules: exercise role, authors' conclusion, scales and direction against the CI.
Each mistake gets one exact message (file:line: column: 'value': rule), exit status 1 and no traceback."""
import csv
import io

from alsreview import cli


def table_of(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def line_of(path, key):
    """File line (header = 1) of the row whose first cell is key."""
    return next(i for i, row in enumerate(table_of(path), 1) if row[0] == key)


def set_cell(path, key, column, value):
    rows = table_of(path)
    rows[line_of(path, key) - 1][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def problems(data_dir, capsys):
    code = cli.main(["--data-dir", str(data_dir), "validate"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == 1
    return out.splitlines()


def test_unknown_exercise_role(data_copy, capsys):
    path = data_copy / "studies.csv"
    set_cell(path, "drory2001", "exercise_role", "training_programe")
    assert (f"{path}:{line_of(path, 'drory2001')}: exercise_role: 'training_programe': not an allowed value; allowed: "
            "training_programme, single_session_test, not_applicable; did you mean 'training_programme'?") in problems(data_copy, capsys)


def test_exercise_role_must_agree_with_exercise_tested(data_copy, capsys):
    path = data_copy / "studies.csv"
    set_cell(path, "drory2001", "exercise_role", "not_applicable")
    set_cell(path, "mattiazzi2002", "exercise_role", "training_programme")
    out = problems(data_copy, capsys)
    assert (f"{path}:{line_of(path, 'drory2001')}: exercise_role: 'not_applicable': a work with exercise_tested 'yes' "
            "needs exercise_role 'training_programme' or 'single_session_test'") in out
    assert (f"{path}:{line_of(path, 'mattiazzi2002')}: exercise_role: 'training_programme': a work with exercise_tested "
            "'no' takes exercise_role 'not_applicable'") in out


def test_a_review_has_no_exercise_role(data_copy, capsys):
    path = data_copy / "studies.csv"
    set_cell(path, "hogden2017", "exercise_tested", "yes")
    set_cell(path, "hogden2017", "exercise_role", "single_session_test")
    assert (f"{path}:{line_of(path, 'hogden2017')}: exercise_role: 'single_session_test': reviews, books, hypotheses "
            "and other works take exercise_role 'not_applicable'") in problems(data_copy, capsys)


def test_training_study_needs_the_authors_conclusion(data_copy, capsys):
    path = data_copy / "studies.csv"
    set_cell(path, "cheah2009", "authors_conclusion", "")
    assert (f"{path}:{line_of(path, 'cheah2009')}: authors_conclusion: '': required for a primary study of a training "
            "programme: the direction its authors conclude; allowed: beneficial, no_effect, harmful, mixed, unclear"
            ) in problems(data_copy, capsys)


def test_only_training_studies_take_an_authors_conclusion(data_copy, capsys):
    path = data_copy / "studies.csv"
    set_cell(path, "sanjak1987", "authors_conclusion", "beneficial")
    set_cell(path, "hogden2017", "authors_conclusion", "harmful")
    out = problems(data_copy, capsys)
    rule = "only primary studies of a training programme take an authors' conclusion; leave it empty"
    assert f"{path}:{line_of(path, 'sanjak1987')}: authors_conclusion: 'beneficial': {rule}" in out
    assert f"{path}:{line_of(path, 'hogden2017')}: authors_conclusion: 'harmful': {rule}" in out


def test_unknown_authors_conclusion(data_copy, capsys):
    path = data_copy / "studies.csv"
    set_cell(path, "drory2001", "authors_conclusion", "positive")
    assert (f"{path}:{line_of(path, 'drory2001')}: authors_conclusion: 'positive': not an allowed value; allowed: "
            "beneficial, no_effect, harmful, mixed, unclear") in problems(data_copy, capsys)


def test_direction_must_agree_with_the_confidence_interval(data_copy, capsys):
    path = data_copy / "outcomes.csv"
    set_cell(path, "cheah2009-imt-1", "direction", "beneficial")
    assert (f"{path}:{line_of(path, 'cheah2009-imt-1')}: direction: 'beneficial': disagrees with the confidence interval "
            "-8.58 to 20.79 on scale mip (higher is better): it supports 'no clear difference', so the direction must be "
            "no_effect or unclear") in problems(data_copy, capsys)


def test_a_ci_that_excludes_no_difference_needs_the_matching_direction(data_copy, capsys):
    path = data_copy / "outcomes.csv"
    set_cell(path, "cheah2009-imt-1", "effect", "-12")
    set_cell(path, "cheah2009-imt-1", "ci_lower", "-20")
    set_cell(path, "cheah2009-imt-1", "ci_upper", "-4")
    assert (f"{path}:{line_of(path, 'cheah2009-imt-1')}: direction: 'no_effect': disagrees with the confidence interval "
            "-20 to -4 on scale mip (higher is better): it supports 'favours control', so the direction must be "
            "harmful") in problems(data_copy, capsys)


def test_unknown_scale(data_copy, capsys):
    outcomes, pooled = data_copy / "outcomes.csv", data_copy / "pooled_results.csv"
    set_cell(outcomes, "cheah2009-imt-1", "scale_id", "mip_typo")
    set_cell(pooled, "cd005229-a1.13", "scale_id", "fatigue_scale")
    out = problems(data_copy, capsys)
    assert (f"{outcomes}:{line_of(outcomes, 'cheah2009-imt-1')}: scale_id: 'mip_typo': dangling reference: no row of "
            "scales.csv has this scale_id") in out
    assert (f"{pooled}:{line_of(pooled, 'cd005229-a1.13')}: scale_id: 'fatigue_scale': dangling reference: no row of "
            "scales.csv has this scale_id") in out


def test_scale_rows_need_their_direction_and_source(data_copy, capsys):
    path = data_copy / "scales.csv"
    set_cell(path, "fss", "better", "down")
    set_cell(path, "mmt", "source_url", "")
    out = problems(data_copy, capsys)
    assert f"{path}:{line_of(path, 'fss')}: better: 'down': not an allowed value; allowed: higher, lower" in out
    assert f"{path}:{line_of(path, 'mmt')}: source_url: '': required: must not be empty" in out
