"""The whole chain on the real data: notebooks executed by papermill, artifacts, caching, determinism,
parameters, a new study flowing everywhere, and a failing notebook that leaves the last good build intact."""
import csv
import functools
import json
import shutil
import subprocess
import sys

import nbformat
import pytest
import yaml

from contributed import KEY
from rendering import checkout_env

from alsreview.data.paths import DATA_DIR, NOTEBOOKS_DIR
from alsreview.document.escape import meta_text
from alsreview.pipeline.build import MODULES_FILE, BuildError, build, notebook_key, recorded_modules

pytestmark = pytest.mark.slow
TABLES = ["characteristics", "evidence_by_model", "evidence_map", "animal_vs_human", "recommendations", "field_coverage",
          "extraction", "discrepancies", "summary_of_findings", "reported_analyses", "timeline_data", "cumulative",
          "outcome_findings", "human_findings", "flow_of_records", "risk_of_bias", "explorer"]
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9]*.ipynb"))
PROSE = ["coverage", "model_domains", "map_cells", "animal_evidence", "human_evidence", "trial_harm", "translation",
         "newest_trial"]
FIGURES = ["timeline", "cumulative", "evidence_map", "sof_forest", "risk_of_bias"]


def quiet_build(params, build_dir, **kw):
    lines = []
    analysis = build(params, build_dir=build_dir, progress=False, log=lines.append, **kw)
    return analysis, lines


@pytest.fixture(scope="module")
def full_build():
    """The full selection's build, kept between runs (rendering.kept_folder) and brought up to date here. Each run
    then rebuilds it from scratch (clean_rebuild), so what it holds was last made by a clean build unless the
    data or code changed since, and the tests below that change data do so on a copy."""
    from rendering import kept_folder

    build_dir = kept_folder("full") / "build"
    analysis, lines = quiet_build({}, build_dir)
    return analysis, lines, build_dir


@pytest.fixture(scope="module")
def clean_rebuild(full_build, tmp_path_factory):
    """The kept build copied aside, then built again from nothing (force: every cached notebook dropped) in its
    folder; returns the copy and the clean build's log."""
    analysis, _, build_dir = full_build
    before = tmp_path_factory.mktemp("before") / "analysis"
    shutil.copytree(analysis, before)
    _, lines = quiet_build({}, build_dir, force=True)
    return before, lines


def test_every_notebook_ran_and_wrote_its_artifacts(full_build, clean_rebuild):
    analysis, _, _ = full_build
    _, lines = clean_rebuild
    assert [l.split()[0] for l in lines] == ["ran"] * len(NOTEBOOKS)
    for name in TABLES:
        assert (analysis / "tables" / f"{name}.csv").is_file() and (analysis / "tables" / f"{name}.md").is_file(), name
    for name in FIGURES:
        assert (analysis / "figures" / f"{name}.svg").is_file() and (analysis / "figures" / f"{name}.png").is_file(), name
    for name in PROSE:
        assert (analysis / "prose" / f"{name}.md").read_text(encoding="utf-8").strip(), name
    assert "@kirkinezos2003" in (analysis / "citations.yml").read_text()
    for nb in NOTEBOOKS_DIR.glob("[0-9]*.ipynb"):
        executed = nbformat.read(analysis / "notebooks" / nb.name, as_version=4)
        assert any(cell.get("outputs") for cell in executed.cells if cell.cell_type == "code")
        assert (analysis / "notebooks-html" / f"{nb.stem}.html").is_file()
    values = (analysis / "values.yml").read_text()
    assert "n_references: 41" in values
    assert "@article{kirkinezos2003," in (analysis / "references.bib").read_text()
    manifest = json.loads((analysis / "manifest.json").read_text())
    assert "data/studies.csv" in manifest["inputs"] and "tables/characteristics.csv" in manifest["outputs"]
    assert manifest["versions"]["pandas"]


def test_a_second_build_reuses_everything(full_build):
    analysis, _, build_dir = full_build
    before = (analysis / "manifest.json").read_bytes()
    _, lines = quiet_build({}, build_dir)
    assert [l.split()[0] for l in lines] == ["reused"] * len(NOTEBOOKS)
    assert (analysis / "manifest.json").read_bytes() == before


def cells_that_differ(first, other):
    a, b = json.loads(first.read_text()), json.loads(other.read_text())
    return [(x.get("id"), x.get("metadata"), y.get("metadata")) for x, y in zip(a["cells"], b["cells"]) if x != y]


def test_a_clean_rebuild_is_identical_to_the_build_it_replaces(full_build, clean_rebuild):
    """Byte for byte, manifest.json included: the executed notebooks carry no clock readings. On a first run both
    builds are clean builds; later, the build replaced is the last run's clean build, or its update after an edit."""
    other, _, _ = full_build
    analysis, _ = clean_rebuild
    for folder in ("tables", "figures", "values", "prose"):
        for path in sorted((analysis / folder).iterdir()):
            assert path.read_bytes() == (other / folder / path.name).read_bytes(), path.name
    assert (analysis / "references.bib").read_bytes() == (other / "references.bib").read_bytes()
    for path in sorted((analysis / "notebooks").iterdir()):
        same = path.read_bytes() == (other / "notebooks" / path.name).read_bytes()
        assert same, (path.name, cells_that_differ(path, other / "notebooks" / path.name)[:3])
    assert (analysis / "manifest.json").read_bytes() == (other / "manifest.json").read_bytes()


def test_executed_notebooks_carry_no_timestamps(full_build):
    analysis, _, _ = full_build
    timing = {"start_time", "end_time", "duration"}
    for path in sorted((analysis / "notebooks").glob("*.ipynb")):
        book = json.loads(path.read_text())
        assert not timing & set(book["metadata"]["papermill"]), path.name
        assert book["metadata"]["papermill"]["input_path"].endswith(path.name)  # the rest of the record stays
        for cell in book["cells"]:
            assert "execution" not in cell["metadata"], (path.name, cell["id"])
            assert not timing & set(cell["metadata"].get("papermill", {})), (path.name, cell["id"])


def test_species_parameter_selects_only_those_species(animal_build):
    """The animal-only selection (SPECIES=mouse,rat), built once per session for the build tests and its render."""
    analysis = animal_build / "analysis"
    with open(analysis / "tables" / "characteristics.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["species"] for r in rows} == {"mouse", "rat"}
    with open(analysis / "tables" / "timeline_data.csv") as handle:
        assert {r["species"] for r in csv.DictReader(handle)} == {"mouse", "rat"}
    values = yaml.safe_load((analysis / "values.yml").read_text())["values"]
    assert values["subset"] == meta_text("species: mouse, rat")
    with open(analysis / "tables" / "summary_of_findings.csv") as handle:
        assert list(csv.DictReader(handle)) == []  # pooled trial results are about people


def test_a_new_study_flows_into_every_table_and_figure(contributed_build):
    """The session's contributed dataset (tests/contributed.py) adds one fictional trial the README's way, with a
    balance arm (a modality no shipped study tests) and the balance recommendation resting on it; its build is
    read here, so the new study is checked without a build of its own. The shipped rows' free text holds hostile
    strings there, which the codes and counts below do not touch."""
    _, _, build_dir = contributed_build
    analysis = build_dir / "analysis"
    tables = analysis / "tables"
    assert KEY in (tables / "characteristics.csv").read_text()
    assert KEY in (tables / "timeline_data.csv").read_text()
    assert "direct,balance,motor_performance,1,1," in (tables / "evidence_map.csv").read_text()
    groups = {r["modality_group"]: r for r in csv.DictReader(open(tables / "animal_vs_human.csv"))}
    assert "balance" in groups["other_or_unstated"]["modalities"].split("; ")  # the new trial's modality, in its group
    balance = next(r for r in csv.DictReader(open(tables / "recommendations.csv"))
                   if r["recommendation"].startswith("Balance exercise"))  # the label carries a hostile string
    assert balance["rests_on"] == "randomised trial evidence"
    assert "People with ALS,motor_performance" in (tables / "evidence_by_model.csv").read_text()
    assert "2025" in (tables / "cumulative.csv").read_text()
    assert f"@article{{{KEY}," in (analysis / "references.bib").read_text()
    with open(DATA_DIR / "studies.csv", encoding="utf-8") as handle:
        shipped = sum(1 for _ in csv.DictReader(handle))
    assert f"n_works: {shipped + 1}" in (analysis / "values.yml").read_text()
    human = (analysis / "prose" / "human_evidence.md").read_text()
    with open(DATA_DIR / "studies.csv", encoding="utf-8") as handle:
        trials = sum(1 for r in csv.DictReader(handle) if r["evidence_type"] == "human_rct" and r["exercise_role"] == "training_programme")
    assert f"{trials + 1} randomised trials" in human
    assert f"Fixture and Example (2025) [@{KEY}], a randomised trial, tested endurance (aerobic) exercise, resistance " \
           "exercise and balance" in human
    assert f"@{KEY}" in (analysis / "citations.yml").read_text()


def test_a_failing_notebook_keeps_the_last_good_build(full_build, tmp_path):
    analysis, _, build_dir = full_build
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, notebooks)
    broken = notebooks / "02-evidence-map.ipynb"
    book = nbformat.read(broken, as_version=4)
    book.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure')"))
    nbformat.write(book, broken)
    before = {p: p.read_bytes() for p in analysis.rglob("*") if p.is_file()}
    with pytest.raises(BuildError) as error:
        build({}, build_dir=build_dir, notebooks_dir=notebooks, progress=False, log=lambda _: None)
    message = str(error.value)
    assert "notebook 02-evidence-map.ipynb failed" in message and "deliberate failure" in message
    assert str(build_dir / "failed" / "02-evidence-map.ipynb") in message
    assert (build_dir / "failed" / "02-evidence-map.ipynb").is_file()
    assert {p: p.read_bytes() for p in analysis.rglob("*") if p.is_file()} == before


def test_tracked_tables_record_every_way_of_reading():
    import pandas as pd

    from alsreview.pipeline.notebook import TrackedTables

    tables = TrackedTables({"studies": pd.DataFrame(), "outcomes": pd.DataFrame(), "pooled_results": pd.DataFrame()})
    tables["outcomes"]
    assert tables.read == {"studies", "outcomes"}
    list(tables.items())
    assert tables.read == {"studies", "outcomes", "pooled_results"}


def test_a_notebook_records_every_package_module_it_imports_even_after_its_last_output(tmp_path):
    """In a fresh interpreter, as in a kernel: the modules loaded at start, and one imported later."""
    script = ("import sys; from alsreview.pipeline.notebook import ModuleRecord; "
              f"ModuleRecord({str(tmp_path)!r}).install(); import alsreview.living.search")
    subprocess.run([sys.executable, "-c", script], check=True, env=checkout_env())
    names = json.loads((tmp_path / MODULES_FILE).read_text())
    assert {"alsreview", "alsreview.pipeline.notebook", "alsreview.living.search"} <= set(names)
    assert "alsreview.cli" not in names
    (tmp_path / "out").mkdir()
    shutil.move(tmp_path / MODULES_FILE, tmp_path / "out" / MODULES_FILE)
    files = recorded_modules(tmp_path)
    assert {"src/alsreview/__init__.py", "src/alsreview/living/__init__.py", "src/alsreview/living/search.py",
            "src/alsreview/pipeline/notebook.py"} <= files


def test_a_notebook_is_keyed_on_the_package_modules_it_imported_only():
    hashes = {"src/alsreview/a.py": "1", "src/alsreview/b.py": "2", "protocol.yaml": "3", "data/datapackage.json": "4"}
    key = functools.partial(notebook_key, NOTEBOOKS[0], params={}, tables_read=None, csv_of={})
    edited = {**hashes, "src/alsreview/b.py": "changed"}
    assert key(hashes, modules={"src/alsreview/a.py"}) == key(edited, modules={"src/alsreview/a.py"})
    assert key(hashes, modules={"src/alsreview/b.py"}) != key(edited, modules={"src/alsreview/b.py"})
    assert key(hashes, modules=None) != key(edited, modules=None)  # nothing recorded: every module counts
    protocol = {**hashes, "protocol.yaml": "changed"}
    assert key(hashes, modules={"src/alsreview/a.py"}) != key(protocol, modules={"src/alsreview/a.py"})


def test_the_build_records_which_modules_each_notebook_imported(full_build):
    analysis, _, build_dir = full_build
    imported = json.loads((analysis / "manifest.json").read_text())["modules_imported_by_notebook"]
    assert sorted(imported) == [nb.stem for nb in NOTEBOOKS]
    for name, files in imported.items():
        assert "src/alsreview/pipeline/notebook.py" in files and "src/alsreview/cli.py" not in files, name
        assert (build_dir / "cache" / name / "out" / MODULES_FILE).is_file()
    assert "src/alsreview/document/prose/human.py" in imported["05-prose"]
    assert not list(analysis.rglob(MODULES_FILE))


def test_editing_one_csv_reruns_only_the_notebooks_that_read_it(full_build, tmp_path):
    build_dir = tmp_path / "build"
    shutil.copytree(full_build[2], build_dir, ignore=shutil.ignore_patterns(".lock"))  # the kept build stays as it is
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    quiet_build({}, build_dir, data_dir=data)
    path = data / "recommendations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Balance training is advised.", "Balance training is advised!"),
                    encoding="utf-8")
    _, lines = quiet_build({}, build_dir, data_dir=data)
    assert [l.split()[:2] for l in lines] == [["reused", "01-evidence-overview"], ["ran", "02-evidence-map"],
                                              ["reused", "03-synthesis"], ["reused", "04-living-update"], ["reused", "05-prose"],
                                              ["reused", "06-explorer"]]


def test_markdown_tables_are_well_formed_pipe_tables(full_build):
    import re

    from alsreview.document.export import TABLE_END

    analysis, _, _ = full_build
    for path in sorted((analysis / "tables").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n" + TABLE_END), path.name  # the look-ahead barrier after each table
        lines = text[: -len(TABLE_END)].splitlines()
        cells = [len(re.findall(r"(?<!\\)\|", line)) for line in lines]
        assert len(lines) >= 2 and re.fullmatch(r"\|(-{2,}[-:]\|)+", lines[1]), path.name
        assert len(set(cells)) == 1, (path.name, cells)
