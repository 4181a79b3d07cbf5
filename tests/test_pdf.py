"""The rendered PDF as a reader gets it: every study of every included table is printed, no text prints over
other text, no text leaves the page margins, no data code (snake_case) is shown instead of a label, and no page
is left holding a lone heading, a few words, or one or two rows of a table."""
import re

import matplotlib
import pandas as pd
import pytest
import yaml
from pdf_checks import (headings_last_on_page, layout_by_page, missing_from, nearly_empty_pages, outside_margins,
                        overprints, pdf_text, short_table_pieces, table_fragments, words_by_page)

from alsreview.data.paths import PROJ_ROOT
from alsreview.document.citation_style import citation_style_path
from alsreview.document.export import needs_landscape
from alsreview.document.reader_tables import for_reader

matplotlib.use("Agg")
# A generated table enters the review by an include or by a placeholder (report/filters/generated-tables.lua).
INCLUDED_TABLE = re.compile(r'(?:\{\{< include |::: \{generated-table=")\.\./build/analysis/tables/([\w-]+)\.md')
LANDSCAPE_BLOCK = re.compile(r"^(:{3,}) \{\.landscape\}\n(.*?)^\1\s*$", re.S | re.M)
REPORT_TEXT = (PROJ_ROOT / "report" / "index.qmd").read_text(encoding="utf-8")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
POINTS = {"cm": 72 / 2.54, "mm": 72 / 25.4, "in": 72.0, "pt": 1.0}


def length_in_points(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)\s*(cm|mm|in|pt)", str(value)).groups()
    return float(number) * POINTS[unit]


def typst_margins() -> tuple[float, float]:
    margin = yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text())["format"]["typst"]["margin"]
    return length_in_points(margin["x"]), length_in_points(margin["y"])


def included_studies() -> dict[str, list[str]]:
    """The studies of every table the report includes, read from the build's CSVs, as the reader sees them: a
    study key is printed as its name ('Bello-Haas 2007') beside its citation."""
    from alsreview.data.labels import study_names
    from alsreview.data.load import load_tables

    shown = study_names(load_tables()["studies"])
    names = INCLUDED_TABLE.findall(REPORT_TEXT)
    studies = {}
    for name in names:
        frame = pd.read_csv(PROJ_ROOT / "build" / "analysis" / "tables" / f"{name}.csv", dtype=str)
        for column in ("study", "study_id"):
            if column in frame:
                studies[name] = sorted({shown.get(s, s) for s in frame[column].dropna()})
    return studies


@pytest.fixture(scope="module")
def pdf(rendered_report):
    return next(rendered_report.rglob("review.pdf"))


def test_every_study_of_every_included_table_is_printed(pdf):
    studies = included_studies()
    assert studies, "no included table lists studies"
    text = pdf_text(pdf)
    missing = {name: missing_from(text, ids) for name, ids in studies.items()}
    assert not any(missing.values()), missing


def test_no_text_prints_over_other_text(pdf):
    found = overprints(words_by_page(pdf))
    assert not found, found[:20]


def test_no_text_outside_the_page_margins(pdf):
    margin_x, margin_y = typst_margins()
    found = outside_margins(words_by_page(pdf), margin_x, margin_y)
    assert not found, found[:20]


def test_no_heading_ends_a_page_and_no_page_holds_only_a_few_words(pdf):
    layouts = layout_by_page(pdf)
    found = headings_last_on_page(layouts) + nearly_empty_pages(layouts)
    assert not found, found


def test_no_table_leaves_one_or_two_rows_alone_on_a_page(pdf):
    pieces = table_fragments(layout_by_page(pdf))
    assert any(goes_on for _, _, goes_on, _ in pieces), "no table breaks across pages: the check read no table"
    found = short_table_pieces(layout_by_page(pdf))
    assert not found, found


def test_no_data_code_is_shown_to_the_reader(pdf, rendered_report):
    pdf_codes = sorted(set(SNAKE_CASE.findall(re.sub(r"https?://\S+", " ", pdf_text(pdf)))))
    assert not pdf_codes, pdf_codes
    html = next(rendered_report.rglob("review.html")).read_text(encoding="utf-8")
    body = html.split('<main', 1)[1].split("</main>", 1)[0]
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S))
    html_codes = sorted(set(SNAKE_CASE.findall(re.sub(r"https?://\S+", " ", visible))))
    assert not html_codes, html_codes


def test_tables_too_wide_for_a_portrait_page_are_printed_landscape(built_analysis):
    landscape = {name for block in LANDSCAPE_BLOCK.findall(REPORT_TEXT) for name in INCLUDED_TABLE.findall(block[1])}
    for name in INCLUDED_TABLE.findall(REPORT_TEXT):
        frame = pd.read_csv(built_analysis / "tables" / f"{name}.csv")
        assert needs_landscape(for_reader(frame)) == (name in landscape), name


def test_one_reference_list_in_one_citation_style(pdf, rendered_report, built_analysis):
    """Both formats are cited by pandoc's citeproc with the packaged AMA style: the first entry reads the same."""
    assert (built_analysis / "citation-style.csl").read_bytes() == citation_style_path().read_bytes()
    html = next(rendered_report.rglob("review.html")).read_text(encoding="utf-8")
    text = pdf_text(pdf)
    assert "Bibliography" not in html and "Bibliography" not in text
    assert len(re.findall(r"<h\d[^>]*>\s*(?:<span[^>]*>[^<]*</span>\s*)?References", html)) == 1
    assert len(re.findall(r"^References\s*$", text, re.M)) == 1
    entries = re.findall(r'<div id="ref-[^"]+" class="csl-entry"[^>]*>(.*?)</div>', html, re.S)
    first = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", entries[0])).strip()
    assert first.startswith("1.") and not missing_from(text, [first]), first


def test_the_checks_catch_overprinted_and_overflowing_text(tmp_path):
    """The checks themselves can fail: a page with two texts on top of each other and one past the margin."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(8.27, 11.69))
    fig.text(0.3, 0.5, "overlapping words here", fontsize=12)
    fig.text(0.31, 0.5, "printed over them", fontsize=12)
    fig.text(0.02, 0.8, "outside", fontsize=12)
    fig.text(0.3, 0.3, "present2001", fontsize=12)
    path = tmp_path / "bad.pdf"
    fig.savefig(path)
    plt.close(fig)
    pages = words_by_page(path)
    assert overprints(pages)
    assert any("'outside'" in problem for problem in outside_margins(pages, 56.7, 56.7))
    assert missing_from(pdf_text(path), ["present2001", "absent1999"]) == ["absent1999"]


def test_the_checks_catch_a_lone_heading_a_nearly_empty_page_and_table_rows_alone(tmp_path):
    """Five pages drawn with matplotlib: a heading last on page 1, three words on page 2, a table that begins
    with two rows on page 3 and ends with one on page 4 (rules drawn as print-layout.typ draws them)."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.lines import Line2D

    words = " ".join(["word"] * 12)

    def page(pdf, texts=(), rules=()):
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.patch.set_visible(False)  # a page has no background shape, as in Typst's PDF
        for y, text, bold in texts:
            fig.text(0.1, y, text, fontsize=13 if bold else 11, fontweight="bold" if bold else "normal")
        for y, black in rules:
            fig.add_artist(Line2D([0.1, 0.9], [y, y], color="black" if black else (190 / 255,) * 3,
                                  linewidth=1 if black else 0.3))
        fig.text(0.5, 0.03, "7")
        pdf.savefig(fig)
        plt.close(fig)

    path = tmp_path / "orphans.pdf"
    body = [(0.9 - 0.03 * i, words, False) for i in range(3)]
    with PdfPages(path) as pdf:
        page(pdf, body + [(0.75, "3.10 Data quality", True)])
        page(pdf, [(0.9, "only three words", False)])
        page(pdf, body + [(0.2, "Study Arm", True), (0.17, "row one", False), (0.12, "row two", False)],
             [(0.19, True), (0.15, False)])
        page(pdf, body + [(0.6, "row three", False)], [(0.62, False)])
        page(pdf, body)
    layouts = layout_by_page(path)
    assert [f.split(":")[0] for f in headings_last_on_page(layouts)] == ["page 1"]
    assert [f.split(":")[0] for f in nearly_empty_pages(layouts)] == ["page 2"]
    assert [f.split(":")[0] for f in short_table_pieces(layouts)] == ["page 3", "page 4"]
