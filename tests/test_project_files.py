"""Project files that must agree with each other: environment.yml and pyproject, README and datapackage."""
import re
import tomllib

import yaml

from alsreview.docs import data_dictionary
from alsreview.paths import DATA_DIR, PROJ_ROOT
from alsreview.schema import read_datapackage


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
