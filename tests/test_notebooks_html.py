"""The executed notebooks as HTML (build/analysis/notebooks-html) show their figures and whole table cells."""
import html

import pandas as pd

from alsreview.data.paths import PROJ_ROOT


def test_notebook_pages_show_figures_not_their_repr(built_analysis):
    pages = sorted((built_analysis / "notebooks-html").glob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "&lt;Figure size" not in text, page.name
        source = (PROJ_ROOT / "notebooks" / f"{page.stem}.ipynb").read_text(encoding="utf-8")
        if "ctx.figure(" in source:
            assert "<img" in text, f"{page.name} shows no figure"


def test_notebook_pages_show_whole_table_cells(built_analysis):
    overview = (built_analysis / "notebooks-html" / "01-evidence-overview.html").read_text(encoding="utf-8")
    models = pd.read_csv(built_analysis / "tables" / "characteristics.csv")["model"].dropna()
    longest = max(models, key=len)
    assert len(longest) > 50, "no long cell to check"
    assert html.escape(longest, quote=False) in overview
