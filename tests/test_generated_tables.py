"""report/filters/generated-tables.lua, run with the pandoc that Quarto bundles: a placeholder becomes the table in
its file, marked as Quarto marks tables; a table that cross-references stops the render, naming its file, since
Quarto resolves cross-references before the filter runs; and the project runs the filter after Quarto's own."""
import re
import subprocess

import pytest
import yaml
from rendering import quarto_binary

from alsreview.data.paths import PROJ_ROOT

FILTER = PROJ_ROOT / "report" / "filters" / "generated-tables.lua"
TABLE = """| Study | Year |
|-------|-----:|
| Drory 2001 [@drory2001] | 2001 |
| Pinto 1999 | 1999 |
| Lunetta 2016 | 2016 |

<!-- end of generated table -->
"""
DOCUMENT = """Before.

::: {#tbl-demo}
::: {generated-table="tables/demo.md"}
:::

A caption.
:::

After.
"""


def converted(folder, to: str) -> subprocess.CompletedProcess:
    quarto = quarto_binary()
    if quarto is None:
        pytest.skip("Quarto not found (set QUARTO or see README): the filter test runs Quarto's pandoc")
    return subprocess.run([quarto, "pandoc", "--from", "markdown", "--to", to, "--lua-filter", str(FILTER)],
                          input=DOCUMENT, capture_output=True, text=True, timeout=120, cwd=folder)


def with_table(tmp_path, text: str = TABLE):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "demo.md").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_placeholder_becomes_its_table_in_place_with_quartos_row_classes(tmp_path):
    result = converted(with_table(tmp_path), "html")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("Before.") < out.index("<table") < out.index("A caption.") < out.index("After.")
    assert 'class="caption-top"' in out and "generated-table" not in out
    rows = re.findall(r'<tr class="([^"]+)">', out)
    assert rows == ["header", "odd", "even", "odd"]
    assert 'data-cites="drory2001"' in out  # still a citation, for citeproc to resolve


def test_typst_gets_the_table_and_its_text(tmp_path):
    result = converted(with_table(tmp_path), "typst")
    assert result.returncode == 0, result.stderr
    assert "#table(" in result.stdout and "Lunetta 2016" in result.stdout


def test_a_table_that_cross_references_stops_the_render_naming_its_file(tmp_path):
    result = converted(with_table(tmp_path, TABLE.replace("Pinto 1999", "Pinto 1999, see @fig-forest")), "html")
    assert result.returncode != 0
    assert "tables/demo.md cross-references @fig-forest" in result.stderr
    assert "{{< include tables/demo.md >}}" in result.stderr


def test_a_missing_table_file_is_named(tmp_path):
    result = converted(tmp_path, "html")
    assert result.returncode != 0 and "cannot read tables/demo.md" in result.stderr


def test_the_project_runs_it_after_quartos_filters_then_judges_its_citations():
    filters = yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text())["filters"]
    late = [f["path"] for f in filters if isinstance(f, dict) and f.get("at") == "post-finalize"]
    assert late == ["report/filters/generated-tables.lua", "report/filters/selected-citations.lua"]


def test_only_tables_that_cross_reference_are_included_directly(built_analysis):
    """An {{< include >}} costs a render time, so it is kept for tables the placeholder cannot take."""
    text = (PROJ_ROOT / "report" / "index.qmd").read_text(encoding="utf-8")
    included = re.findall(r"\{\{< include \.\./build/analysis/tables/([\w-]+)\.md >\}\}", text)
    placeholders = re.findall(r'::: \{generated-table="\.\./build/analysis/tables/([\w-]+)\.md"\}\n:::', text)
    crossref = re.compile(r"(?<![\\\w])@(fig|tbl|sec|eq)-")
    assert placeholders and not set(included) & set(placeholders)
    for name in included:
        assert crossref.search((built_analysis / "tables" / f"{name}.md").read_text(encoding="utf-8")), name
    for name in placeholders:
        assert not crossref.search((built_analysis / "tables" / f"{name}.md").read_text(encoding="utf-8")), name
