"""Project files that must agree with each other: environment.yml and pyproject, the data dictionary page and
datapackage.json, the README and the docs/ pages it links to."""
import csv
import json
import re
import shutil
import tomllib

import yaml

from alsreview.data.dictionary import PAGE, dictionary_page, write_dictionary
from alsreview.data.paths import DATA_DIR, PROJ_ROOT
from alsreview.data.schema import read_datapackage


def names(requirements):
    return {re.split(r"[<>=!~\[ ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_environment_matches_pyproject():
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    wanted = names(project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((PROJ_ROOT / "environment.yml").read_text())
    listed = names(d for d in env["dependencies"] if isinstance(d, str))
    assert wanted <= listed, wanted - listed
    assert listed - wanted == {"python", "quarto", "pip"}


README = PROJ_ROOT / "README.md"
DOCS = PROJ_ROOT / "docs"
README_MAX_LINES = 250


def test_data_dictionary_page_is_generated_from_datapackage():
    assert PAGE == DOCS / "data-dictionary.md"
    page = PAGE.read_text(encoding="utf-8")
    assert page == dictionary_page(read_datapackage(DATA_DIR)), "run `.venv/bin/alsreview readme` to regenerate"


def test_the_dictionary_page_drifts_when_datapackage_changes_and_readme_rewrites_it(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    field = descriptor["resources"][0]["schema"]["fields"][0]
    field["description"] += " Changed by a test."
    (data / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    changed = read_datapackage(data)
    assert dictionary_page(changed) != PAGE.read_text(encoding="utf-8")
    page = tmp_path / "docs" / "data-dictionary.md"
    page.parent.mkdir()
    page.write_text(PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    assert write_dictionary(page, changed) is True
    assert "Changed by a test." in page.read_text(encoding="utf-8")
    assert write_dictionary(page, changed) is False


def test_readme_shows_the_two_commands_first():
    readme = README.read_text(encoding="utf-8")
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert "make report" in first_block and "make test" in first_block


def test_readme_is_read_in_two_minutes():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move reference material to docs/"


def without_code_blocks(markdown: str) -> str:
    return re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)


def anchors(markdown: str) -> set[str]:
    """The fragment ids a Markdown renderer (GitHub's rule) gives the headings of a page."""
    headings = re.findall(r"^#{1,6} +(.+?) *$", without_code_blocks(markdown), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def local_links(path):
    """(target file, fragment) of every relative link of a Markdown page."""
    text = re.sub(r"`[^`\n]*`", "", without_code_blocks(path.read_text(encoding="utf-8")))  # code is not a link
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, fragment = target.partition("#")
        yield (path.parent / file).resolve() if file else path, fragment


def test_every_docs_link_of_the_readme_and_the_docs_resolves():
    readme_targets = [target for target, _ in local_links(README)]
    assert any(target.parent == DOCS for target in readme_targets), "README.md links to no page of docs/"
    for page in [README, *sorted(DOCS.glob("*.md"))]:
        for target, fragment in local_links(page):
            where = f"{page.relative_to(PROJ_ROOT)} links to {target.relative_to(PROJ_ROOT)}"
            assert target.is_file(), f"{where}, which does not exist"
            if fragment and target.suffix == ".md":
                assert fragment in anchors(target.read_text(encoding="utf-8")), f"{where}#{fragment}: no such heading"


def test_the_docs_index_lists_every_page_and_the_readme_links_it():
    index = DOCS / "README.md"
    listed = {target for target, _ in local_links(index)}
    assert {page.resolve() for page in DOCS.glob("*.md")} - {index.resolve()} <= listed
    assert index.resolve() in {target for target, _ in local_links(README)}


def adding_a_study() -> str:
    return README.read_text(encoding="utf-8").split("\n## Adding a study\n", 1)[1].split("\n## ", 1)[0]


# Fields the descriptor cannot mark required because only some rows need them: a training programme's conclusion,
# an exercise arm's modality, a comparator arm's code and its reason, an outcome's comparator arm, the outcome our
# risk-of-bias judgement is about.
REQUIRED_ON_SOME_ROWS = {"studies": {"authors_conclusion"}, "interventions": {"modality", "comparator_kind", "comparator_basis"},
                         "outcomes": {"comparator_arm_id"}, "risk_of_bias": {"outcome"}}
ADDED_WHEN_NEEDED = ("searches", "scales")  # a step adds a row here only for a new search or a new scale


def worked_example() -> dict[str, str]:
    """The worked example's rows, by table: {'screening': 'record_id=T003 ...', 'studies': ...}."""
    example = adding_a_study().split("```text", 1)[1].split("```", 1)[0]
    chunks = re.split(r"^(\w+)\.csv", example, flags=re.M)[1:]
    return dict(zip(chunks[::2], chunks[1::2]))


def unnamed_in_the_readme(package) -> list[str]:
    """table.field for every field a new study needs that 'Adding a study' does not name: the steps name (in
    backticks) the fields of every table the example fills and of a new search or scale; the example names each
    of its tables' fields as field=value, or says the field is 'as above'."""
    steps = adding_a_study().split("### Worked example", 1)[0]
    example = worked_example()
    missing = []
    for table in [*example, *ADDED_WHEN_NEEDED]:
        fields = {f.name for f in package.resources[table].fields if f.required} | REQUIRED_ON_SOME_ROWS.get(table, set())
        missing += [f"{table}.{f} (steps)" for f in sorted(fields) if f"`{f}`" not in steps]
        if table in example:
            missing += [f"{table}.{f} (example)" for f in sorted(fields)
                        if f"{f}=" not in example[table] and not re.search(rf"\b{f}\b[^=\n]*as above", example[table])]
    return missing


def test_adding_a_study_names_every_field_a_new_study_needs():
    package = read_datapackage(DATA_DIR)
    assert {"screening", "studies", "interventions", "outcomes"} <= set(worked_example())
    assert unnamed_in_the_readme(package) == []
    steps = " ".join(adding_a_study().split("### Worked example", 1)[0].split())
    sex = re.search(r"`sex` \(([^)]*)\)", steps)
    assert sex and [c for c in package.enum("interventions", "sex") if f"`{c}`" not in sex[1]] == [], "list sex's codes"
    assert "`decision` = `included`" in steps


def test_a_required_field_missing_from_the_readme_is_caught(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    screening = next(r for r in descriptor["resources"] if r["name"] == "screening")
    screening["schema"]["fields"].append({"name": "screened_by", "type": "string", "constraints": {"required": True}})
    (data / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert unnamed_in_the_readme(read_datapackage(data)) == ["screening.screened_by (steps)",
                                                             "screening.screened_by (example)"]


def test_the_worked_example_shows_the_rows_as_they_are_in_the_data():
    """Every plain value of the worked example (a code, a number, a key) is the value of that column in one of
    lunetta2016's rows of the table it is shown under."""
    example = adding_a_study().split("```text", 1)[1].split("```", 1)[0]
    chunks = re.split(r"^(\w+)\.csv", example, flags=re.M)[1:]
    assert [chunks[i] for i in range(0, len(chunks), 2)] == ["screening", "studies", "interventions", "outcomes", "harms",
                                                             "populations", "risk_of_bias"]
    checked = 0
    for table, chunk in zip(chunks[::2], chunks[1::2]):
        with open(DATA_DIR / f"{table}.csv", newline="", encoding="utf-8") as handle:
            rows = [row for row in csv.DictReader(handle) if row["study_id"] == "lunetta2016"]
        assert rows, table
        for column, value in re.findall(r"(?:^|\s)(\w+)=([^\s\"]+)(?=\s{2}|\s*$)", chunk, flags=re.M):
            if "..." in value:
                continue
            assert any(row[column] == value for row in rows), f"{table}.csv: no lunetta2016 row has {column}={value}"
            checked += 1
    assert checked >= 25


def test_ci_runs_the_same_test_command():
    assert "make test" in (PROJ_ROOT / ".ci" / "run").read_text()


def test_notebooks_are_committed_without_outputs_and_use_python3():
    import nbformat

    for path in sorted((PROJ_ROOT / "notebooks").glob("*.ipynb")):
        book = nbformat.read(path, as_version=4)
        assert book.metadata["kernelspec"]["name"] == "python3", path.name
        code = [c for c in book.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1, path.name


def locked_versions() -> dict[str, str]:
    """requirements.lock as {name: version}; a package may appear once per Python-version marker."""
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (PROJ_ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, version = line.split(";")[0].strip().split("==")
            pins.setdefault(canonicalize_name(name), version)
    return pins


def test_lock_pins_every_declared_dependency_within_its_range():
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    pins = locked_versions()
    for text in project["dependencies"] + project["optional-dependencies"]["dev"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is declared in pyproject.toml but not locked: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name], str(requirement.specifier))


def test_lock_is_compiled_from_pyproject_and_holds_nothing_else():
    """Every locked package is asked for by pyproject.toml or by another locked package, and every package
    that uv says pyproject.toml asks for is still declared there: a stale lock fails."""
    from packaging.utils import canonicalize_name

    text = (PROJ_ROOT / "requirements.lock").read_text()
    assert text.splitlines()[1].strip("# ") == "make lock", "requirements.lock is compiled by `make lock`"
    blocks = re.findall(r"^(\S+)==\S+(?: ;[^\n]*)?\n((?:    #[^\n]*\n)*)", text, re.M)
    pins = {canonicalize_name(name) for name, _ in blocks}
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    declared = {canonicalize_name(n) for n in names(project["dependencies"] + project["optional-dependencies"]["dev"])}
    for name, notes in blocks:
        askers = {canonicalize_name(a) for a in re.findall(r"#\s+(?:via\s+)?([A-Za-z0-9_.-]+)", notes)} - {"via"}
        assert askers, f"{name} in requirements.lock says nothing about why it is there"
        assert askers <= pins | {"alsreview"}, (name, askers - pins)
        if "alsreview" in askers:
            assert canonicalize_name(name) in declared, f"{name} is no longer declared in pyproject.toml: run `make lock`"
