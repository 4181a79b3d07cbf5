"""Project files that must agree with each other: environment.yml and pyproject, README and datapackage."""
import re
import tomllib

import yaml

from alsreview.data.dictionary import data_dictionary
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


def test_readme_data_dictionary_is_generated_from_datapackage():
    readme = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    assert data_dictionary(read_datapackage(DATA_DIR)) in readme, "run `alsreview readme` to regenerate"


def test_readme_shows_the_two_commands_first():
    readme = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert "make report" in first_block and "make test" in first_block


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
