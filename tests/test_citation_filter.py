"""The report's citation filter (report/filters/selected-citations.lua) on small documents, run with the pandoc
that Quarto bundles: works outside `values.included` leave every citation, an `if-cited` span goes with them,
and the text left behind reads cleanly. All cases go through pandoc in one run per metadata, to stay fast."""
import re
import subprocess
from functools import lru_cache

import pytest
import yaml
from rendering import quarto_binary

from alsreview.data.paths import PROJ_ROOT

FILTER = PROJ_ROOT / "report" / "filters" / "selected-citations.lua"
REFERENCES = [{"id": key, "title": key, "type": "article"} for key in ("keep2001", "keep2003", "drop2002", "drop2004")]
SELECTION = {"keep2001": True, "keep2003": True}

CASES = {
    "mixed": "Pillars [@keep2001; @drop2002; @keep2003].",
    "all dropped before a full stop": "Causes are partly known [@drop2002]. Care is symptomatic [@drop2004],\nand so on.",
    "all dropped in parentheses": ("Trials (see [@drop2002]) and reviews ([@drop2002]; [@keep2001]) and more "
                                   "([@keep2003]; [@drop2004]) and ([@drop2002]) end."),
    "all dropped at the end of a span": "Before [text [@drop2002]]{.note} after.",
    "kept": "Only [@keep2001; @keep2003] here.",
    "if-cited with a dropped work": ("Start. [Wheel running helped [@drop2002].]{.if-cited} "
                                     "[Both [@keep2001; @drop2004].]{.if-cited} End."),
    "if-cited with kept works": "Start. [Sex mattered [@keep2001; @keep2003].]{.if-cited} End.",
    "if-cited alone": "[Gone [@drop2002].]{.if-cited}\n[Gone too [@drop2004].]{.if-cited}",
    "if-cited div": ("::: {.if-cited}\nA whole paragraph [@drop2002].\n:::\n\n"
                     "::: {.if-cited}\nKept paragraph [@keep2001].\n:::"),
    "not bibliographic": "See @fig-map and [@unknown1999; @drop2002].",
}


def document(metadata: dict) -> str:
    parts = ["---", yaml.safe_dump({"references": REFERENCES, **metadata}).strip(), "---", ""]
    for name, text in CASES.items():
        parts += [f"# {name}", "", text, ""]
    return "\n".join(parts)


@lru_cache(maxsize=None)
def filtered(selection: tuple | None) -> dict[str, str]:
    """Each case's Markdown after the filter (no citeproc, so kept citations still show their keys)."""
    quarto = quarto_binary()
    if quarto is None:
        pytest.skip("Quarto not found (set QUARTO or see README): the filter test runs Quarto's pandoc")
    metadata = {} if selection is None else {"values": {"included": dict(selection)}}
    result = subprocess.run([quarto, "pandoc", "--from", "markdown", "--to", "markdown", "--wrap=none",
                             "--lua-filter", str(FILTER)], input=document(metadata), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    out = {}
    for section in re.split(r"^# ", result.stdout, flags=re.M)[1:]:
        name, _, body = section.partition("\n")
        out[name.strip()] = body.strip()
    return out


def selected() -> dict[str, str]:
    return filtered(tuple(sorted(SELECTION.items())))


def tidy(text: str) -> list[str]:
    """What a removal must not leave behind."""
    return re.findall(r"\(\s*\)|\[\s*\]|  | [.,;:)\]]|[(\[] |[;,]\s*[)\]]", text)


def test_excluded_works_leave_a_citation_and_included_ones_stay():
    out = selected()
    assert out["mixed"] == "Pillars [@keep2001; @keep2003]."
    assert out["kept"] == "Only [@keep2001; @keep2003] here."
    for name, text in out.items():
        assert "drop200" not in text, (name, text)


def test_a_citation_left_with_no_work_leaves_no_trace():
    out = selected()
    assert out["all dropped before a full stop"] == "Causes are partly known. Care is symptomatic, and so on."
    assert out["all dropped in parentheses"] == "Trials (see) and reviews ([@keep2001]) and more ([@keep2003]) and end."
    assert out["all dropped at the end of a span"] == "Before [text]{.note} after."
    for name in ("all dropped before a full stop", "all dropped in parentheses", "all dropped at the end of a span"):
        assert not tidy(out[name]), (name, out[name], tidy(out[name]))


def test_an_if_cited_span_goes_with_any_excluded_work_and_stays_without_its_wrapper_otherwise():
    out = selected()
    assert out["if-cited with a dropped work"] == "Start. End."
    assert out["if-cited with kept works"] == "Start. Sex mattered [@keep2001; @keep2003]. End."
    assert out["if-cited alone"] == ""  # the paragraph held nothing else, so it goes
    assert out["if-cited div"] == "Kept paragraph [@keep2001]."
    assert "if-cited" not in "".join(out.values())


def test_cross_references_and_unknown_keys_are_left_for_quarto_and_citeproc():
    assert selected()["not bibliographic"] == "See @fig-map and [@unknown1999]."


def test_without_a_selection_in_the_metadata_every_citation_and_span_stays():
    out = filtered(None)
    assert out["mixed"] == "Pillars [@keep2001; @drop2002; @keep2003]."
    assert out["all dropped before a full stop"] == ("Causes are partly known [@drop2002]. "
                                                     "Care is symptomatic [@drop2004], and so on.")
    assert out["if-cited with a dropped work"] == ("Start. Wheel running helped [@drop2002]. "
                                                   "Both [@keep2001; @drop2004]. End.")


def test_an_empty_selection_cites_nothing():
    out = filtered(())
    assert out["mixed"] == "Pillars."
    assert out["kept"] == "Only here."
    assert not any("@keep" in text or "@drop" in text for text in out.values())


def test_the_report_registers_the_filter_for_every_format():
    config = yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    assert "report/filters/selected-citations.lua" in config["filters"]
    for fmt in config["format"].values():
        assert "filters" not in fmt  # a per-format list would replace the project's one
