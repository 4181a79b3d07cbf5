"""Subset reports say what they are: rendered with the real Quarto for a human-only, an animal-only and a
year-bounded selection (rendered once per session in conftest.py), each keeps the corpus facts, says in one line what is missing, and neither
describes nor cites an excluded study. An empty selection stops the build and writes nothing."""
import html
import re

import pytest
from rendering import quarto_binary

from alsreview import cli
from alsreview.data.subset import select
from alsreview.document import prose
from alsreview.pipeline.build import BuildError, build

SEED_LIST = 41  # references in the 2017 review's list: a fact about the corpus, the same in every subset


def test_an_empty_selection_stops_the_build_naming_the_parameters(tmp_path, capsys):
    build_dir = tmp_path / "build"
    with pytest.raises(BuildError, match=r"the selection YEAR_MIN=2030 matches no study in .*studies\.csv"):
        build({"year_min": 2030}, build_dir=build_dir, progress=False, log=lambda *_: None)
    assert not (build_dir / "analysis").exists() and not (build_dir / "cache").exists()
    code = cli.main(["--build-dir", str(build_dir), "build", "--species", "human", "--year-max", "1950"])
    assert code == 1
    err = capsys.readouterr().err
    assert "SPECIES=human YEAR_MAX=1950 matches no study" in err and "no report was written" in err
    assert not (build_dir / "analysis").exists()


def mentions(report, tables, key) -> list[str]:
    """Where a rendered report shows a study: its title, or its first author next to its year (a citation)."""
    row = tables["studies"].set_index("study_id").loc[key]
    title = " ".join(row["title"].split())[:40]
    surname = re.escape(row["authors"].split(",")[0].rsplit(" ", 1)[0])
    # A citation in the running text names the year in parentheses; data text may name a source in passing.
    cited = re.compile(rf"\b{surname}( et al\.| and [^.()]{{1,40}})? \({int(row['year'])}\)")
    return ([f"title in {where}" for where, text in (("HTML", report.text), ("PDF", report.pdf_text)) if title in text]
            + (["citation in HTML"] if cited.search(report.text) else []))


def check_common(report, tables, params):
    chosen = select(tables, **params)
    citable = set(prose.section_flags(chosen, tables)["included"])
    assert report.reference_keys() == citable
    excluded = set(tables["studies"]["study_id"]) - citable
    for key in excluded:
        assert f"ref-{key}" not in report.html and not mentions(report, tables, key), (key, mentions(report, tables, key))
    for key in citable & set(tables["studies"]["study_id"]):  # the methods papers are cited in Methods, not here
        assert mentions(report, tables, key), key
    assert f"Each of the {SEED_LIST} references" in report.text
    assert re.search(rf"References in the seed review['’]s list {SEED_LIST}\b", report.text)
    assert "This is a subset report" in report.text and "This is a subset report" in report.pdf_text
    assert "?meta" not in report.text and "?@" not in report.text and "not found" not in report.log
    check_citations(report, citable)


def check_citations(report, citable):
    """The citation filter (report/filters/selected-citations.lua) let only citable works through, and the text
    it cut reads on: no empty brackets, no two spaces in a paragraph, no space before punctuation."""
    cited = {key for keys in re.findall(r'data-cites="([^"]+)"', report.html) for key in keys.split()}
    assert cited and cited <= citable, sorted(cited - citable)
    assert "if-cited" not in report.html
    for where, text in (("HTML", report.text), ("PDF", report.pdf_text)):
        assert not re.findall(r"\(\s*\)|\[\s*\]", text), where
        # a space before punctuation (the PDF's table of contents has dot leaders, " . . .")
        assert not re.findall(r".{30}\w [.,;:](?!\s*\.)", text), (where, re.findall(r".{30}\w [.,;:](?!\s*\.)", text))
    for paragraph in re.findall(r"<p\b[^>]*>(.*?)</p>", report.html, re.S):
        words = html.unescape(re.sub(r"<[^>]+>", "", paragraph)).strip()
        assert not re.search(r"\S {2,}\S", words), words


@pytest.mark.slow
@pytest.mark.skipif(quarto_binary() is None, reason="Quarto not found (set QUARTO or see README)")
def test_human_only_report(human_report, tables):
    human = human_report
    check_common(human, tables, {"species": ["human"]})
    assert "No animal experiment testing exercise is in this selection." in human.text
    assert "No animal experiment testing exercise is in this selection." in human.pdf_text
    trials = prose.primary_studies(tables).query("evidence_type == 'human_rct'")
    assert f"{len(trials)} randomised trials" in visible_section(human, "sec-human-evidence")
    assert "Summary of findings as reported by the Cochrane review" in human.text
    assert "The experiments in ALS-model animals" not in human.text
    # Sections that describe the whole dataset say why they are missing instead of disappearing silently.
    assert "A subset report does not compare releases" in human.text
    assert "it is printed only in the full review" in human.text and "?@sec-" not in human.text
    assert "living systematic review" in human.pdf_text


@pytest.mark.slow
@pytest.mark.skipif(quarto_binary() is None, reason="Quarto not found (set QUARTO or see README)")
def test_animal_only_report(animal_report, tables):
    animal = animal_report
    check_common(animal, tables, {"species": ["mouse", "rat"]})
    assert "No human study testing exercise is in this selection." in animal.text
    assert "No randomised trial is in this selection" not in animal.text  # the whole discussion of trials is left out
    for gone in ("Cochrane review", "Risk of bias of the human exercise trials", "the trials suggest",
                 "Moderate exercise looks safe"):
        assert gone not in animal.text and gone not in animal.pdf_text, gone
    assert "This selection holds no randomised trial" in animal.text


@pytest.mark.slow
@pytest.mark.skipif(quarto_binary() is None, reason="Quarto not found (set QUARTO or see README)")
def test_year_bounded_report(from_2005_report, tables):
    from_2005 = from_2005_report
    check_common(from_2005, tables, {"year_min": 2005})
    chosen = select(tables, year_min=2005)
    trials = prose.primary_studies(chosen).query("evidence_type == 'human_rct'")
    assert len(trials) and f"{len(trials)} randomised trials" in visible_section(from_2005, "sec-human-evidence")
    assert "In one experiment sex mattered" not in from_2005.text  # its study (2003) is excluded
    assert "Running in a wheel added to the benefit of IGF-1" in from_2005.text
    # Background citations lose only their excluded works (Cotman 2002, Longstreth 1991); the sentences stay.
    introduction = from_2005.section("sec-introduction")
    assert 'data-cites="gardiner2006"' in introduction and "cotman2002" not in introduction
    assert "longstreth1991" not in introduction and "vulnerable motor units." in visible_section(from_2005, "sec-introduction")
    assert re.search(r"The works span 20\d\d to", from_2005.text)


def visible_section(report, section_id):
    from rendering import visible_text

    return visible_text(report.section(section_id))
