"""The review reports itself as PRISMA 2020 and PRISMA-LSR ask, and says every number the same way everywhere.

Unit tests check the pieces (the checklist file, the front matter, the plain-language summary, the clinical
context of a functional result, names beside citations); the rendered tests read the review's PDF and the tables
it was built from, and fail when a count in the text disagrees with its table."""
import re

import pandas as pd
import pytest

from alsreview.data import protocol
from alsreview.data.errors import DataError
from alsreview.data.paths import DATA_DIR, PROJ_ROOT
from alsreview.data.schema import read_datapackage
from alsreview.document.checklist import checklist_table, read_checklist, unknown_labels
from alsreview.document.export import citation_cell
from alsreview.document.front import declaration_values, front_matter
from alsreview.document.prose.plain import plain_language_summary
from alsreview.document.prose.wording import direction_sentences, domain_words
from alsreview.synthesis.importance import clinical_context
from pdf_checks import missing_from, pdf_text, squashed

DOCUMENT = (PROJ_ROOT / "report" / "index.qmd").read_text(encoding="utf-8")
VERSION = read_datapackage(DATA_DIR).descriptor["version"]


def test_every_checklist_item_names_a_place_in_the_document_or_why_it_is_not_done():
    checklist = read_checklist()
    assert unknown_labels(checklist, DOCUMENT) == []
    assert {"1", "7", "13d", "16a", "24a", "27"} <= set(checklist.loc[checklist["guideline"] == "PRISMA 2020", "item"])
    assert {"L1", "L2", "L3", "L4"} <= set(checklist.loc[checklist["guideline"] == "PRISMA-LSR", "item"])
    table = checklist_table(checklist)
    assert table["reported in"].str.contains("@sec-protocol").any()


def test_a_checklist_row_without_place_or_reason_is_refused_with_its_line(tmp_path):
    path = tmp_path / "checklist.csv"
    path.write_text("guideline,item,topic,asks,reported_in,not_done\n"
                    "PRISMA 2020,1,Title,a title,title,\n"
                    "PRISMA 2020,7,Search strategy,the queries,,\n"
                    "PRISMA 2021,8,Selection,who screened,Methods,\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        read_checklist(path)
    found = {(p.line, p.column, p.value): p.rule for p in error.value.problems}
    assert "why it is not done" in found[(3, "reported_in", "")]
    assert "must be one of PRISMA 2020, PRISMA-LSR" in found[(4, "guideline", "PRISMA 2021")]
    assert "must be title, abstract or a label" in found[(4, "reported_in", "Methods")]
    assert unknown_labels(pd.DataFrame({"reported_in": ["sec-nowhere; title"]}), DOCUMENT) == ["sec-nowhere"]


def test_the_title_says_living_and_the_version_and_empty_declarations_say_so_plainly():
    plan = protocol.load()
    front = front_matter(plan, "9.8.7")
    assert "living" in front["title"] and "(version 9.8.7)" in front["title"]
    assert [a["name"] for a in front["author"]] == [a["name"] for a in plan.raw["review"]["authors"]]
    empty = protocol.Protocol(**{**plan.__dict__, "raw": {**plan.raw, "review": {**plan.raw["review"], "authors": [],
                                                                                    "support": None}}})
    assert "No author is named yet" in front_matter(empty, VERSION)["author"][0]["name"]
    releases = pd.DataFrame({"version": ["0.1.0", "0.1.0", VERSION]})
    searches = pd.DataFrame({"date": ["2026-11-26", "2026-08-31"]})
    values = declaration_values(empty, VERSION, releases, searches)
    assert values["support_text"].startswith("Not stated") and "protocol" in values["support_text"]
    assert values["previous_version"] == "0.1.0" and values["has_previous_version"]
    every = plan.raw["search_schedule"]["every_months"]
    assert values["last_search_date"] == "2026-11-26"
    assert values["next_search_due"] == str((pd.Timestamp("2026-11-26") + pd.DateOffset(months=every)).date())


def test_clinical_context_only_for_a_mean_difference_on_the_scale_its_threshold_is_for():
    rule = protocol.load().clinical_importance[0]
    text = clinical_context(rule["domain"], "4 to 6 months", "mean difference", rule["scale"])
    points = rule["smallest_important_slowing"] * rule["decline_per_month"] * 27.5 / (52 / 12)
    assert text.startswith(f"about {points:.1f} points over 6 months") and "our arithmetic" in text
    assert clinical_context(rule["domain"], "4 to 6 months", "standardised mean difference", rule["scale"]) == ""
    assert clinical_context(rule["domain"], "4 to 6 months", "mean difference", "another_scale") == ""


def test_tables_name_studies_by_author_and_year_beside_their_citation():
    assert citation_cell("drory2001", {"drory2001": "Drory 2001"}) == "Drory 2001 @drory2001"
    assert citation_cell("drory2001; braga2018") == "drory2001 @drory2001; braga2018 @braga2018"
    # A key the bibliography lacks (a work removed since the last release) is shown, never cited.
    assert citation_cell("drory2001; gone2010", {"drory2001": "Drory 2001"}) == "Drory 2001 @drory2001; gone2010"


def test_a_release_naming_a_removed_work_shows_it_by_its_recorded_label():
    from alsreview.living.releases import what_changed

    row = {"kind": "study", "number": 2010.0, "ci_lower": None, "ci_upper": None, "studies": None, "text": "human_rct"}
    previous = pd.DataFrame([{**row, "version": "1.0.0", "key": "gone2010", "label": "Gone 2010 (withdrawn)"},
                             {**row, "version": "1.0.0", "key": "kept2011", "label": "kept2011"}])
    current = pd.DataFrame([{**row, "version": "1.1.0", "key": "kept2011", "label": "kept2011"},
                            {**row, "version": "1.1.0", "key": "new2024", "label": "new2024"}])
    studies = what_changed(previous, current)["studies"].set_index("change")["study_id"]
    assert studies["removed"] == "Gone 2010 (withdrawn)" and studies["added"] == "new2024"
    assert "@" not in citation_cell(studies["removed"], {"new2024": "New 2024"})
    assert "@" not in citation_cell("not a key!", {})


def test_two_measures_pointing_different_ways_are_each_counted_not_called_mixed():
    rows = pd.DataFrame({"study_id": ["s2003", "s2003"], "arm_id": ["s2003-ex", "s2003-ex"], "subgroup": ["", ""],
                         "domain": ["cellular_mechanistic"] * 2, "measure": ["a", "b"],
                         "direction": ["beneficial", "no_effect"]})
    text = " ".join(direction_sentences(rows))
    assert "mixed" not in text
    assert text.startswith("Results favoured exercise on cellular and mechanistic measures")
    assert "No significant difference was found on cellular and mechanistic measures" in text


def test_plain_language_summary_covers_no_trials_and_says_no_more_than_the_certainty():
    from test_analyses import hand_made_tables

    from alsreview.synthesis.grade import SOF_COLUMNS

    fixture_tables = hand_made_tables()
    none = plain_language_summary({**fixture_tables, "studies": fixture_tables["studies"].iloc[0:0]},
                                  pd.DataFrame(columns=SOF_COLUMNS))
    assert "holds no controlled study" in none and "What this means" in none
    sof = pd.DataFrame([{"outcome": "functional rating at 4 to 6 months", "trials": 2, "participants": 108,
                         "estimate": 4.31, "ci_lower": -13.25, "ci_upper": 21.87, "certainty": "very low",
                         "clinical_context": "a slowing of decline by 20% is about 1.1 points (our arithmetic)"}])
    text = plain_language_summary(fixture_tables, sof)
    assert "includes no difference" in text and "very unsure" in text and "very low certainty" in text
    assert "about 1.1 points" in text


@pytest.fixture(scope="module")
def rendered(rendered_report):
    pdf = next(rendered_report.rglob("review.pdf"))
    analysis = rendered_report.parent / "analysis"
    tables = {p.stem: pd.read_csv(p) for p in (analysis / "tables").glob("*.csv")}
    prose = {p.stem: p.read_text(encoding="utf-8") for p in (analysis / "prose").glob("*.md")}
    return pdf_text(pdf), tables, prose


def test_page_one_says_living_and_the_version(rendered_report):
    from pdf_checks import words_by_page

    pdf = next(rendered_report.rglob("review.pdf"))
    first = " ".join(w["text"] for w in words_by_page(pdf)[0][2])
    assert "living" in first and f"(version {VERSION})" in first


def test_the_rendered_review_has_the_checklist_summary_and_prescription_table(rendered):
    text, tables, _ = rendered
    wanted = ["Plain-language summary", "Appendix: PRISMA 2020 and PRISMA-LSR checklist", "Appendix: search strategy",
              "exercise arm at a glance", "Declarations", "Protocol, eligibility and this version"]
    assert missing_from(text, wanted) == []
    checklist = read_checklist()
    appendix = text.split("Appendix: PRISMA 2020 and PRISMA-LSR checklist")[-1].split("References")[0]
    rows = [line for line in appendix.splitlines() if re.match(r"PRISMA(-LSR)?[- ]", line)]
    assert len(rows) == len(checklist)  # every item printed, each row starting with its guideline
    searches = pd.read_csv(DATA_DIR / "searches.csv")
    strategy = text.split("Appendix: search strategy")[-1].split("Appendix: PRISMA")[0]
    printed = {line.split()[0] for line in strategy.splitlines() if line.strip()}
    assert set(searches["search_id"]) <= printed  # every logged search has its row


def test_each_count_in_the_text_equals_its_table(rendered):
    text, tables, prose = rendered
    flow = tables["flow_of_records"].set_index("description")["n"]
    found = int(flow["Works found by the living update's searches"])
    update = tables["update_flow"].set_index("box")["n"]
    assert found == int(update["New studies included"]) == int((tables["changes_studies"]["change"] == "added").sum())
    assert squashed(f"The update added {found} works") in squashed(text)
    read = int(flow["Works whose abstract or full text was read"])
    assert squashed(f"{read} works were read at least at abstract level") in squashed(text)
    assert int(flow["Studies of a training programme with at least one extracted outcome"]) <= \
        int(flow["Primary studies testing an exercise training programme"])
    boxes = tables["prisma_boxes"].set_index("box")["n"]
    assert int(boxes["identified"]) == int(flow.iloc[:4].sum())

    by_model = tables["evidence_by_model"]
    people = by_model.loc[by_model["model"] == "People with ALS"].set_index("domain")["studies"]
    sentence = prose["model_domains"].split(f"In {'people with ALS'} the outcomes fall in ")[1]
    stated = {m.group(1): int(m.group(2)) for m in re.finditer(r"(?:, |^|and )([a-z][a-z ]+?) \((\d+) stud", sentence)}
    assert stated == {domain_words(d): int(n) for d, n in people.items()}

    outcomes = pd.read_csv(DATA_DIR / "outcomes.csv")
    if not (outcomes["direction"] == "mixed").any():
        assert "weremixedon" not in squashed(text)


def test_cochrane_analyses_say_how_many_pool_more_than_one_trial(rendered):
    text, _, _ = rendered
    match = re.search(r"Of the (\d+) trial analyses reported by the Cochrane review \((\d+) pooling two or more "
                      r"trials, (\d+) from a single trial\)", re.sub(r"\s+", " ", text))
    assert match and int(match.group(1)) == int(match.group(2)) + int(match.group(3))
