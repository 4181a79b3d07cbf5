"""report/filters/landscape-headings.lua, run with the pandoc that Quarto bundles: in Typst output the headings
just before a landscape block move into it (onto its first page), and nothing else moves; HTML is left alone."""
import subprocess

import pytest
import yaml
from rendering import quarto_binary

from alsreview.data.paths import PROJ_ROOT

FILTER = PROJ_ROOT / "report" / "filters" / "landscape-headings.lua"
SOURCE = """Text before.

## Data quality

### Sources

:::: {.landscape}
First table.
::::

## Other

A paragraph.

::: {.landscape}
Second table.
:::
"""


def converted(to: str) -> str:
    quarto = quarto_binary()
    if quarto is None:
        pytest.skip("Quarto not found (set QUARTO or see README): the filter test runs Quarto's pandoc")
    result = subprocess.run([quarto, "pandoc", "--from", "markdown", "--to", to, "--lua-filter", str(FILTER)],
                            input=SOURCE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_headings_before_a_landscape_block_move_onto_its_page_in_typst():
    out = converted("typst")
    first, second = out.index("#block["), out.index("#block[", out.index("First table."))
    assert first < out.index("== Data quality") < out.index("=== Sources") < out.index("First table.")
    assert out.index("Text before.") < first
    assert out.index("== Other") < out.index("A paragraph.") < second < out.index("Second table.")


def test_html_keeps_its_headings_where_they_are():
    out = converted("html")
    assert out.index('id="sources"') < out.index('<div class="landscape">') < out.index("First table.")


def test_the_filter_runs_for_every_format_from_the_project_list():
    """Listed with the project's filters: a per-format list would replace the project's one."""
    config = yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text())
    assert "report/filters/landscape-headings.lua" in config["filters"]
