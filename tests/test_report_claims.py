"""Hand-written sentences of report/index.qmd, tied to the data.

Every sentence that cites a study is a claim listed here with what it says the study found, checked on the
shipped data and on the subsets the subset reports use. The report's conditional content is evaluated for
each selection. Citations follow the selection through report/filters/selected-citations.lua: a work left
out disappears from every citation, and a sentence marked `if-cited` disappears with the works it cites, so
only background sentences may stand without their citation; a finding shown keeps the work it reports."""
import re
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import pytest

from alsreview.data.paths import PROJ_ROOT
from alsreview.data.subset import select
from alsreview.document import prose

TEXT = (PROJ_ROOT / "report" / "index.qmd").read_text(encoding="utf-8")
BODY = TEXT.split("\n---\n", 1)[1]
CITATION = re.compile(r"@([a-z][a-z0-9]*[0-9]{4}[a-z]?)\b")
SELECTIONS = {
    "all": {},
    "human": {"species": ["human"]},
    "animal": {"species": ["mouse", "rat"]},
    "from 2005": {"year_min": 2005},
}


def exercise_rows(tables, evidence_type=None, population=None):
    """Outcomes of primary studies testing exercise, with their arm's modality, intensity and co-intervention."""
    studies = prose.primary_studies(tables)
    if evidence_type:
        studies = studies.loc[studies["evidence_type"] == evidence_type]
    if population:
        studies = studies.loc[studies["population"] == population]
    arms = tables["interventions"][["arm_id", "modality", "intensity", "co_intervention", "sex"]]
    rows = tables["outcomes"].merge(arms, on="arm_id", how="left")
    return rows.loc[rows["study_id"].isin(studies["study_id"])], studies


def study(tables, key):
    return tables["studies"].set_index("study_id").loc[key]


def methods_papers(tables) -> bool:
    """The risk-of-bias tools are cited from report/methods.bib, which the build adds to every selection's
    bibliography; the tools named are the ones rob_domains.csv defines."""
    from alsreview.document.bibliography import methods_keys

    tools = set(tables["rob_domains"]["tool"])
    return ({"sterne2019", "sterne2016", "hooijmans2014", "castrilloviguera2010", "meyer2026", "vaneijk2025", "page2021",
             "akl2024"} <= set(methods_keys())
            and {"rob2", "robins_i", "syrcle"} <= tools)


def harms_rarely_assessed(tables) -> bool:
    """Fewer than half the controlled studies counted harms or stated that none occurred, and no outcome in people
    pointed to harm: the report may say the trials cannot show safety, not that exercise is safe."""
    from alsreview.synthesis.appraisal import harms_reporting_counts

    counts = harms_reporting_counts(tables)
    rows, _ = exercise_rows(tables)
    people = rows.loc[rows["study_id"].isin(tables["studies"].loc[tables["studies"]["species"] == "human", "study_id"])]
    return counts["counted"] + counts["none_occurred"] < counts["studies"] / 2 and "harmful" not in set(people["direction"])


def animal_moderate_vs_high(tables) -> bool:
    rows, studies = exercise_rows(tables, population="als_model_animal")
    harmful = rows.loc[rows["direction"] == "harmful"]
    high = harmful["intensity"].fillna("").str.contains("high", case=False)
    helped = rows.loc[(rows["direction"] == "beneficial") & ~rows["intensity"].fillna("").str.contains("high", case=False)]
    sod1 = studies["model"].fillna("").str.contains("SOD1|G93A")
    return len(harmful) > 0 and bool(high.all()) and len(helped) > 0 and sod1.sum() > len(studies) / 2


def healthy_animals_mechanistic(tables) -> bool:
    rows, studies = exercise_rows(tables, population="healthy_animal")
    return len(studies) > 0 and set(rows["domain"]) == {"cellular_mechanistic"}


def kaspar_wheel_plus_igf1(tables) -> bool:
    rows = exercise_rows(tables)[0]
    combined = rows.loc[(rows["study_id"] == "kaspar2005") & rows["co_intervention"].fillna("").str.contains("IGF-1")]
    return (len(combined) > 0 and set(combined["modality"]) == {"voluntary_wheel_running"}
            and set(combined["direction"]) == {"beneficial"})


def braga_baseline_gap(tables) -> bool:
    """The trial the sensitivity passage names as having groups that differed at baseline is recorded so."""
    studies = tables["studies"].set_index("study_id")
    return "braga2018" in studies.index and studies.loc["braga2018", "baseline_imbalance"] == "yes"


def veldink_sex_difference(tables) -> bool:
    rows = exercise_rows(tables)[0]
    rows = rows.loc[rows["study_id"] == "veldink2003"]
    direction = lambda sex, domain: set(rows.loc[(rows["sex"] == sex) & (rows["domain"] == domain), "direction"])
    return (direction("female", "disease_onset") == {"beneficial"} and direction("female", "survival") == {"beneficial"}
            and "beneficial" not in direction("male", "disease_onset") | direction("male", "survival"))


def later_review_judged_trials(tables, corpus) -> bool:
    rob = tables["risk_of_bias"]
    published = rob.loc[rob["assessed_by"] != "this_review"]
    judged = tables["studies"].loc[tables["studies"]["study_id"].isin(published["study_id"]), "year"]
    review = study(corpus, "soofi2017")  # the assessing review is cited with the judgements, in any selection
    return (set(published["assessed_by"]) == {"soofi2017"} and review["evidence_type"] == "systematic_review"
            and review["year"] > judged.max())


def background(keys, words, kinds=("narrative_review", "systematic_review")):
    """Background the cited works support. Only the works the selection keeps are checked: the citation filter
    removes the others, and the sentence stands without them."""
    def holds(tables) -> bool:
        kept = [key for key in keys if key in set(tables["studies"]["study_id"])]
        return all(study(tables, key)["evidence_type"] in kinds
                   and re.search(words, study(tables, key)["cited_for"] or "", re.I) is not None for key in kept)

    holds.background = True
    return holds


def cochrane_pooled(tables, corpus) -> bool:
    """The Cochrane review's pooled results are in the data, and every other review with pooled results is later."""
    reviews = set(tables["pooled_results"]["study_id"])
    later = corpus["studies"].set_index("study_id").loc[sorted(reviews - {"dalbellohaas2013"}), "year"]
    return (study(corpus, "dalbellohaas2013")["evidence_type"] == "systematic_review"
            and "dalbellohaas2013" in reviews and bool((later >= study(corpus, "dalbellohaas2013")["year"]).all()))


def seed_review(tables, corpus) -> bool:
    seed = study(corpus, "ilzecka2017")  # a fact about the corpus, true in every selection
    return seed["evidence_type"] == "narrative_review" and pd.isna(seed["ref_no"])


@dataclass
class Claim:
    phrase: str  # a part of the sentence, enough to find it
    cites: set  # the studies the sentence cites
    condition: str  # the flags (values.<flag>, space-separated) under which the report shows it; "" for always;
    # "if-cited" when it sits in an if-cited span, shown only while the selection keeps every work it cites
    holds: Callable  # what the sentence says, checked on the selected tables (and the corpus, for corpus facts)

    @property
    def background(self) -> bool:
        """A background sentence may lose its citations to the filter; any other must keep them when shown."""
        return getattr(self.holds, "background", False)

    def shown(self, flags: dict) -> bool:
        return all(set(self.cites) <= set(flags["included"]) if f == "if-cited" else flag_value(flags, f)
                   for f in self.condition.split())

    def check(self, tables, corpus) -> bool:
        if self.holds in (seed_review, cochrane_pooled, later_review_judged_trials):
            return self.holds(tables, corpus)
        return self.holds(tables)


CLAIMS = [
    Claim("A narrative review published in", {"ilzecka2017"}, "", seed_review),
    Claim("Pooled trial results were taken as published", {"dalbellohaas2013"}, "has_pooled_results", cochrane_pooled),
    Claim("the others did not count\nthem or did not report on harms", set(), "has_human_trials", harms_rarely_assessed),
    Claim("its molecular\ncauses are only partly known", {"pasinelli2006"}, "", background(["pasinelli2006"], "molecular")),
    Claim("Care is multidisciplinary and largely symptomatic", {"hogden2017"}, "", background(["hogden2017"], "care")),
    Claim("rehabilitation is one of its pillars", {"majmudar2014", "paganoni2015"}, "",
          background(["majmudar2014", "paganoni2015"], "rehabilitat")),
    Claim("activity changes motor neurons, muscle and brain\nin healthy", {"gardiner2006", "cotman2002"}, "",
          background(["gardiner2006", "cotman2002"], "")),
    Claim("overuse damage in already vulnerable motor units", {"longstreth1991"}, "",
          background(["longstreth1991"], "vigorous physical activity", kinds=("hypothesis",))),
    Claim("review [@ilzecka2017] summarised this literature in prose", {"ilzecka2017"}, "", seed_review),
    Claim("Pooled results of\nrandomised trials are reported as published", {"dalbellohaas2013"}, "has_pooled_results",
          cochrane_pooled),
    Claim("The findings in healthy animals concern mechanisms only", set(), "has_healthy_animal",
          healthy_animals_mechanistic),
    Claim("Running in a wheel added to the benefit of IGF-1 gene delivery", {"kaspar2005"}, "if-cited",
          kaspar_wheel_plus_igf1),
    Claim("In one experiment sex mattered", {"veldink2003"}, "if-cited", veldink_sex_difference),
    Claim("a published review also\njudged the risk of bias", {"soofi2017"}, "has_published_rob if-cited",
          later_review_judged_trials),
    Claim("RoB 2 [@sterne2019] for randomised", {"sterne2019", "sterne2016"}, "", methods_papers),
    Claim("judged with SYRCLE's tool [@hooijmans2014]", {"hooijmans2014"}, "", methods_papers),
    Claim("as clinicians [@castrilloviguera2010] and patients [@meyer2026] judged it", {"castrilloviguera2010", "meyer2026"},
          "", methods_papers),
    Claim("average decline of a population-based cohort [@vaneijk2025]", {"vaneijk2025"}, "", methods_papers),
    Claim("Where each item of the PRISMA 2020 checklist [@page2021]", {"page2021", "akl2024"}, "is_whole_corpus",
          methods_papers),
    Claim("The trials cannot show that exercise is safe", set(), "has_human_trials", harms_rarely_assessed),
    Claim("consistent with a benefit of moderate activity", set(), "has_als_model_animal", animal_moderate_vs_high),
    Claim("One trial reports such a difference [@braga2018]", {"braga2018"}, "if-cited", braga_baseline_gap),
]


SPAN_GUARD = re.compile(r'\]\{\.(?:content-visible when-meta="values\.([\w.]+)"|(if-cited))\}')


def guards(text: str) -> list[tuple[int, int, str]]:
    """(start, end, flag) of every conditional span and div in the text; an if-cited one has the flag "if-cited"."""
    found = []
    for match in SPAN_GUARD.finditer(text):
        depth, i = 0, match.start()
        while i > 0:
            i -= 1
            depth += {"]": 1, "[": -1}.get(text[i], 0)
            if depth < 0:
                break
        found.append((i, match.end(), match.group(1) or match.group(2)))
    stack, offset = [], 0
    for line in text.splitlines(keepends=True):
        if line.startswith(":::") and "{" in line:
            flag = re.search(r'when-meta="values\.([\w.]+)"|\.(if-cited)\b', line)
            stack.append((offset, (flag.group(1) or flag.group(2)) if flag else None))
        elif line.strip() == ":::" and stack:
            start, flag = stack.pop()
            if flag:
                found.append((start, offset + len(line), flag))
        offset += len(line)
    return found


def flag_value(flags: dict, path: str):
    value = flags
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return bool(value)


def sentence_span(text: str, position: int) -> tuple[int, int]:
    """Start and end of the sentence around a position (sentences end at '.', '!' or '?' before a space, or at a blank line)."""
    starts = [m.end() for m in re.finditer(r"[.!?]\s+(?=[A-Z\[{@])|\n\n", text[:position])]
    end = re.search(r"[.!?](\s|$)|\n\n", text[position:])
    return (starts[-1] if starts else 0), position + (end.end() if end else len(text) - position)


def enclosing_flags(position: int, all_guards) -> list[str]:
    return [flag for start, end, flag in all_guards if start <= position < end]


def test_every_cited_sentence_is_a_listed_claim_citing_what_the_claim_says():
    """Each citation belongs to the nearest claim before it in its sentence; that claim must cite exactly it."""
    cited_by = {}
    for match in CITATION.finditer(BODY):
        start, end = sentence_span(BODY, match.end())
        before = [(BODY.find(c.phrase, start), c) for c in CLAIMS if 0 <= BODY.find(c.phrase, start) < match.start()]
        assert before, f"hand-written sentence with a citation but no claim test: {BODY[start:end]!r}"
        claim = max(before, key=lambda pair: pair[0])[1]
        cited_by.setdefault(claim.phrase, set()).add(match.group(1))
    for claim in CLAIMS:
        assert BODY.count(claim.phrase) == 1, claim.phrase
        assert cited_by.get(claim.phrase, set()) == claim.cites, claim.phrase


def test_every_claim_is_shown_only_under_its_condition():
    all_guards = guards(BODY)
    for claim in CLAIMS:
        position = BODY.index(claim.phrase)
        if claim.cites:  # the guard may cover only the citation: look where the claim's first citation is
            position = min(BODY.index(f"@{key}", position) for key in claim.cites)
        flags = enclosing_flags(position, all_guards)
        assert set(claim.condition.split()) == set(flags), (claim.phrase, flags)


@pytest.mark.parametrize("name", SELECTIONS)
def test_claims_hold_wherever_the_report_shows_them(tables, name):
    chosen = select(tables, **SELECTIONS[name])
    flags = prose.section_flags(chosen, tables)
    shown = [c for c in CLAIMS if c.shown(flags)]
    assert shown
    for claim in shown:
        assert claim.check(chosen, tables), f"{name}: the report says {claim.phrase!r}, but the data do not support it"


@pytest.mark.parametrize("name", SELECTIONS)
def test_only_a_background_sentence_may_lose_a_citation_to_the_filter(tables, name):
    """The filter removes the works a selection may not cite from every citation. Only a background sentence may
    lose a citation that way: wherever a finding is shown, the selection keeps every work it cites."""
    chosen = select(tables, **SELECTIONS[name])
    flags = prose.section_flags(chosen, tables)
    for claim in CLAIMS:
        if claim.shown(flags) and not claim.background:
            assert claim.cites <= set(flags["included"]), (name, claim.phrase, claim.cites - set(flags["included"]))
    if name == "all":  # every background claim is checked against all of its works at least once
        assert all(claim.cites <= set(flags["included"]) for claim in CLAIMS)


def test_citations_follow_the_selection_through_the_filter_not_hand_written_guards():
    assert "values.included" not in BODY
    if_cited = [(start, end) for start, end, flag in guards(BODY) if flag == "if-cited"]
    assert if_cited
    for start, end in if_cited:  # an if-cited span with no citation would always be shown
        assert CITATION.search(BODY[start:end]), BODY[start:end]


def test_the_guard_reader_sees_spans_and_nested_divs():
    text = ('A [@x2001]. [B [@y2002].]{.if-cited}\n::: {.content-visible when-meta="values.f"}\n::: {#tbl-y}\nT\n:::\n'
            'U [[V]{.content-visible when-meta="values.g"}]{.content-visible when-meta="values.h"}\n:::\n')
    found = {flag: text[start:end] for start, end, flag in guards(text)}
    assert found["if-cited"] == "[B [@y2002].]{.if-cited}"
    assert "U" in found["f"] and "T" in found["f"]
    assert found["g"].startswith("[V]") and found["h"].startswith("[[V]")


def test_every_conditional_names_a_flag_the_prose_notebook_writes(tables):
    from alsreview.data import protocol
    from alsreview.document.front import declaration_values

    declared = declaration_values(protocol.load(), "0.0.0", tables["releases"], tables["searches"])
    flags = {**prose.section_flags(tables, tables), **{k: v for k, v in declared.items() if k.startswith("has_")}}
    used = set(re.findall(r'when-meta="values\.([\w.]+)"', BODY))
    assert used
    for path in used:
        head, _, key = path.partition(".")
        assert head in flags and (not key or key in set(tables["studies"]["study_id"])), path


def test_every_included_passage_is_one_a_notebook_writes():
    prose_notebook = (PROJ_ROOT / "notebooks" / "05-prose.ipynb").read_text(encoding="utf-8")
    update_notebook = (PROJ_ROOT / "notebooks" / "04-living-update.ipynb").read_text(encoding="utf-8")
    included = re.findall(r"\{\{< include \.\./build/analysis/prose/([\w-]+)\.md >\}\}", BODY)
    assert len(included) >= 8
    for name in included:
        assert (re.search(rf'\\"{name}\\": prose\.', prose_notebook)
                or re.search(rf'ctx\.prose\([^\n]*\\"{name}\\"\)', update_notebook)), name
