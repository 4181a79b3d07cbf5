"""Nothing lost, nothing unsafe: markup in the data stays text, builds serialise on a lock, and only `tidy`
rewrites the curated CSVs, atomically."""
import csv
import html
import threading
import time

import pytest
from contributed import CATALOGUE

from alsreview import cli
from alsreview.data.errors import DataError
from alsreview.data.tidy import atomic_write, tidy
from alsreview.document.escape import escape_text
from alsreview.pipeline.build import BuildError, build, build_lock


def set_cell(path, line, column, value):
    with open(path, newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    table[line - 1][table[0].index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)


@pytest.mark.slow
def test_markup_in_the_data_is_escaped_in_every_html_output(contributed_build):
    """The contributed dataset (tests/contributed.py, built once per session) holds a script tag in free-text
    cells such as findings and animal models: the Markdown tables carry it escaped, and the executed notebooks'
    HTML pages show it as text."""
    analysis = contributed_build[2] / "analysis"
    script = next(s for s in CATALOGUE if s.startswith("<script>"))
    escaped = html.escape(script, quote=False)
    for name in ("human_findings", "characteristics"):
        markdown = (analysis / "tables" / f"{name}.md").read_text(encoding="utf-8")
        assert escape_text(script) in markdown and script not in markdown
    pages = [p.read_text(encoding="utf-8") for p in (analysis / "notebooks-html").glob("*.html")]
    assert any(escaped in page for page in pages)
    assert not any(script in page for page in pages)


def test_a_second_build_waits_for_the_lock(tmp_path, capsys):
    events = []

    def second():
        with build_lock(tmp_path):
            events.append("second")

    with build_lock(tmp_path):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        events.append("first done")
    thread.join(5)
    assert events == ["first done", "second"]
    assert "another build is running in this folder; waiting" in capsys.readouterr().err


@pytest.mark.parametrize("linked", ["build", "build/analysis", "build/cache", "build/failed", "build/.lock"])
def test_the_build_writes_nothing_through_a_link_out_of_the_project(tmp_path, linked):
    """A build folder (or a folder in it) that is a symbolic link to elsewhere is refused, naming the link and its
    target, before anything is written: `make clean`, staging and swapping would otherwise act on the target."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep")
    build_dir = tmp_path / "project" / "build"
    link = tmp_path / "project" / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside, target_is_directory=True)
    with pytest.raises(BuildError) as error:
        build({}, build_dir=build_dir, notebooks_dir=tmp_path / "no-notebooks", progress=False, log=lambda _: None)
    assert f"{link} is a symbolic link to {outside}" in str(error.value)
    assert [p.name for p in outside.iterdir()] == ["precious"] and (outside / "precious").read_text() == "keep"


def test_a_link_inside_the_build_folder_is_allowed(tmp_path):
    build_dir = tmp_path / "build"
    (build_dir / "real-cache").mkdir(parents=True)
    (build_dir / "cache").symlink_to(build_dir / "real-cache", target_is_directory=True)
    with build_lock(build_dir):
        pass


def test_tidy_rewrites_harmless_variants_and_nothing_else(data_copy):
    path = data_copy / "outcomes.csv"
    original = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"))
    untouched = (data_copy / "studies.csv").read_bytes()
    assert tidy(data_copy) == [path]
    assert path.read_bytes() == original
    assert (data_copy / "studies.csv").read_bytes() == untouched
    assert tidy(data_copy) == []
    assert not list(data_copy.glob(".*.tmp"))


def test_tidy_refuses_invalid_data(data_copy):
    set_cell(data_copy / "studies.csv", 13, "year", "soon")
    before = (data_copy / "studies.csv").read_bytes()
    with pytest.raises(DataError):
        tidy(data_copy)
    assert (data_copy / "studies.csv").read_bytes() == before


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "x.csv"
    target.write_text("old\n")

    with pytest.raises(TypeError):  # not text: the write fails half-way
        atomic_write(target, 12345)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_validate_never_writes_to_the_data(data_copy, capsys):
    before = {p.name: p.read_bytes() for p in data_copy.iterdir()}
    cli.main(["--data-dir", str(data_copy), "validate"])
    assert {p.name: p.read_bytes() for p in data_copy.iterdir()} == before
