"""Property-based: whatever rows land in the CSVs, the validator answers with problems, never an exception;
and Frictionless's own validator agrees with ours on the shipped data."""
import csv
import io

from frictionless import Package
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alsreview.data.paths import DATA_DIR
from alsreview.data.validate import validate

cell = st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), st.sampled_from(["", "-1", "1.5", "abc", "10.1/x", "2003", "=1+1", "mouse", "beneficial"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(["studies", "interventions", "outcomes"]),
       rows=st.lists(st.lists(cell, min_size=0, max_size=25), min_size=0, max_size=4))
def test_random_rows_never_crash_the_validator(data_copy, table, rows):
    path = data_copy / f"{table}.csv"
    original = path.read_bytes()
    header = original.decode("utf-8").splitlines()[0]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(header + "\n" + buffer.getvalue(), encoding="utf-8")
    problems = validate(data_copy)
    assert all(str(p).count(":") >= 4 for p in problems)
    path.write_bytes(original)


def test_frictionless_agrees_the_shipped_package_is_valid():
    report = Package(str(DATA_DIR / "datapackage.json")).validate()
    errors = [e.message for task in report.tasks for e in task.errors]
    assert report.valid, errors[:5]
    assert validate(DATA_DIR) == []
