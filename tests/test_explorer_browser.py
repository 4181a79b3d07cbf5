"""The rendered explorer page in a real browser (Debian's Chromium driven by Playwright).

The page is built and rendered with the real Quarto, opened from a file:// address, filtered through its
controls and through shared addresses, and every count it shows is checked against the same selection made
here in pandas straight from data/*.csv. The page must log no console error and request nothing outside the
rendered output folder. Skips, saying why, where Playwright, Chromium or Quarto is missing."""
from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from alsreview.data.labels import DIRECTION_COLOURS
from alsreview.data.paths import ANALYSIS_DIR, DATA_DIR
from alsreview.document.explorer import label
from alsreview.synthesis.summary import directions_shown

pytestmark = pytest.mark.slow
FILTER_KEYS = ["species", "population", "evidence_type", "modality", "domain", "direction"]
# What the page's free text searches, by field, from the raw CSV columns and the words of their codes (codes are
# searched as words: '_' reads as a space).
FIELD_COLUMNS = {
    "title": ["title"], "model": ["model", "population_label"], "modality": ["modality", "modality_label"],
    "measure": ["measure"], "finding": ["finding"], "comparator": ["comparator"],
    "notes": ["notes", "arm_notes", "study_notes"], "domain": ["domain", "domain_label"],
    "study": ["study_id", "authors", "year", "title", "journal", "volume", "issue", "pages"], "arm": ["arm_label"],
    "time": ["time_point"],
}


def fold(text: str) -> str:
    """Accents, case and underscores aside, as the page compares text."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("_", " ")


class Page:
    """A browser tab on the explorer that records console errors and every request it makes."""

    def __init__(self, browser, rendered: Path):
        self.root = rendered.resolve().as_uri() + "/"
        self.address = rendered.resolve().as_uri() + "/report/explorer.html"
        self.tab = browser.new_page(viewport={"width": 1300, "height": 900}, accept_downloads=True)
        self.errors, self.requests = [], []
        self.tab.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.tab.on("pageerror", lambda e: self.errors.append(str(e)))
        self.tab.on("request", lambda r: self.requests.append(r.url))
        self.tab.route("**/*", self._only_local)

    def _only_local(self, route):
        """Nothing leaves the machine even if the page tried: outside requests are recorded, then refused."""
        if route.request.url.startswith((self.root, "data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    def open(self, fragment: str = ""):
        self.tab.goto(self.address + fragment)
        self.tab.wait_for_selector(".explorer-n-outcomes")
        return self

    def shown_ids(self) -> list[str]:
        return self.tab.evaluate("window.alsExplorer.shownIds()")

    def counts(self) -> tuple[int, int]:
        box = self.tab.locator(".explorer-counts")
        return int(box.get_attribute("data-outcomes")), int(box.get_attribute("data-studies"))

    def state(self) -> dict:
        return self.tab.evaluate("window.alsExplorer.state()")

    def option(self, key: str, words: str):
        return self.tab.locator(f"fieldset[data-filter={key}] label").filter(has_text=re.compile(rf"^{re.escape(words)}\b"))

    def assert_clean(self):
        assert self.errors == [], self.errors
        outside = [u for u in self.requests if not u.startswith((self.root, "data:", "blob:"))]
        assert outside == [], outside


@pytest.fixture
def page(explorer_browser, explorer_rendered):
    tab = Page(explorer_browser, explorer_rendered)
    yield tab
    tab.tab.close()


def raw_rows() -> pd.DataFrame:
    """Outcomes with their arm and study, read from the CSVs with nothing from the package but the codes' words."""
    read = lambda name: pd.read_csv(DATA_DIR / f"{name}.csv", dtype=str, keep_default_na=False)
    arms = read("interventions")[["arm_id", "modality", "arm_label", "comparator", "notes"]].rename(columns={"notes": "arm_notes"})
    studies = read("studies")[["study_id", "authors", "year", "title", "journal", "volume", "issue", "pages", "species",
                               "population", "evidence_type", "model", "notes"]].rename(columns={"notes": "study_notes"})
    rows = read("outcomes").merge(arms, on="arm_id").merge(studies, on="study_id")
    rows["year"] = rows["year"].astype(int)
    for code in ("population", "modality", "domain"):
        rows[f"{code}_label"] = [label(code, value) for value in rows[code]]
    return rows


def field_texts(rows: pd.DataFrame) -> dict[str, pd.Series]:
    return {field: rows[columns].astype(str).agg("\n".join, axis=1).map(fold) for field, columns in FIELD_COLUMNS.items()}


def expected(state: dict) -> pd.DataFrame:
    rows = raw_rows()
    keep = pd.Series(True, index=rows.index)
    for key in FILTER_KEYS:
        if state.get(key):
            keep &= rows[key].isin(state[key])
    keep &= rows["year"].between(state.get("from", -math.inf), state.get("to", math.inf))
    text = pd.concat(field_texts(rows), axis=1).agg("\n".join, axis=1)
    for word in fold(state.get("q", "")).split():
        keep &= text.str.contains(word, regex=False)
    return rows.loc[keep].sort_values(["year", "study_id", "outcome_id"])


def fragment(state: dict) -> str:
    parts = [f"{k}={','.join(v)}" for k, v in state.items() if k in FILTER_KEYS]
    parts += [f"{k}={v}" for k, v in state.items() if k in ("from", "to", "q")]
    return "#" + "&".join(parts)


SELECTIONS = [
    {},
    {"species": ["mouse"], "domain": ["survival"]},
    {"population": ["people_with_als"], "modality": ["resistance"]},
    {"species": ["mouse"], "from": 2005, "q": "sod1"},
    {"direction": ["harmful", "mixed"]},
    {"evidence_type": ["human_rct"], "to": 2005},
    {"modality": ["treadmill_running", "swimming"], "q": "rats"},
    {"species": ["rat"], "population": ["people_with_als"]},
]


@pytest.mark.parametrize("state", SELECTIONS, ids=lambda s: fragment(s) or "everything")
def test_shared_address_shows_the_pandas_selection(page, state):
    page.open(fragment(state))
    want = expected(state)
    assert page.shown_ids() == list(want["outcome_id"])
    assert page.counts() == (len(want), want["study_id"].nunique())
    assert page.tab.locator(".explorer-n-outcomes").inner_text() == str(len(want))
    for code, n in want["direction"].value_counts().items():
        shown = page.tab.locator(f".explorer-direction[data-direction={code}] strong").inner_text()
        assert shown == str(n), code
    if want.empty:
        assert page.tab.locator(".explorer-empty").count() == 2
    page.assert_clean()


def test_option_counts_say_what_ticking_that_option_would_give(page):
    state = {"direction": ["beneficial"], "to": 2009}
    page.open(fragment(state))
    for species in ("mouse", "rat", "human"):
        text = page.option("species", label("species", species)).locator(".explorer-option-count").inner_text()
        assert text == f"({len(expected({**state, 'species': [species]}))})", species
    page.assert_clean()


def test_controls_filter_and_write_a_shareable_address(page, explorer_browser, explorer_rendered):
    page.open()
    page.option("species", "Mouse").click()
    page.tab.get_by_label("Free text").fill("sod1")
    page.tab.get_by_label("From year", exact=True).fill("2005")
    page.tab.get_by_label("From year", exact=True).dispatch_event("input")
    want = expected({"species": ["mouse"], "q": "sod1", "from": 2005})
    assert page.shown_ids() == list(want["outcome_id"]) and len(want) > 0
    shared = page.tab.url
    assert "species=mouse" in shared and "q=sod1" in shared and "from=2005" in shared
    assert page.tab.locator(".explorer-share").get_attribute("href") == shared

    other = Page(explorer_browser, explorer_rendered)
    other.tab.goto(shared)
    other.tab.wait_for_selector(".explorer-n-outcomes")
    assert other.state() == page.state()
    assert other.shown_ids() == page.shown_ids()
    assert other.option("species", "Mouse").locator("input").is_checked()
    assert other.tab.get_by_label("Free text").input_value() == "sod1"
    other.assert_clean()
    other.tab.close()

    page.tab.get_by_role("button", name="Clear all filters").click()
    assert len(page.shown_ids()) == len(raw_rows()) and page.tab.url.endswith("explorer.html")
    page.assert_clean()


def test_download_holds_the_filtered_rows_as_the_build_wrote_them(page):
    state = {"population": ["als_model_animal"], "direction": ["beneficial"]}
    page.open(fragment(state))
    with page.tab.expect_download() as download:
        page.tab.locator(".explorer-download").click()
    got = pd.read_csv(download.value.path())
    want = expected(state)
    assert list(got["outcome_id"]) == list(want["outcome_id"])
    built = pd.read_csv(ANALYSIS_DIR / "tables" / "explorer.csv")
    assert list(got.columns) == list(built.columns)
    pd.testing.assert_frame_equal(got.reset_index(drop=True),
                                  built.set_index("outcome_id").loc[got["outcome_id"]].reset_index(), check_dtype=False)
    page.assert_clean()


def test_evidence_map_and_timeline_follow_the_filters(page):
    state = {"species": ["mouse", "rat"], "to": 2005}
    page.open(fragment(state))
    want = expected(state)
    figures = page.tab.locator(".explorer-figure")
    cells = {}
    for cell in figures.nth(0).locator("svg .explorer-map-cell").all():
        title = cell.locator("title").first.text_content()
        match = re.match(r"(.+) × (.+): (\d+) stud", title)
        key = (cell.get_attribute("data-modality"), cell.get_attribute("data-domain"))
        assert (match[1], match[2]) == (label("modality", key[0]), label("domain", key[1]))
        directions = dict(part.split(":") for part in cell.get_attribute("data-directions").split(","))
        cells[key] = (int(match[3]), {d: int(n) for d, n in directions.items() if int(n)})
        harm = cell.locator("rect.explorer-map-harm").count()
        assert harm == (1 if "harmful" in cells[key][1] else 0), key
    assert cells == map_cells(want)

    per_year = {}
    for title in figures.nth(1).locator("svg g[aria-label=rect] rect title").all_text_contents():
        year, n = re.match(r"(\d{4}): (\d+) ", title).groups()
        per_year[int(year)] = per_year.get(int(year), 0) + int(n)
    assert per_year == want.groupby("year").size().to_dict()
    fills = {f.upper() for f in figures.nth(1).locator("svg g[aria-label=rect] rect").evaluate_all("rs => rs.map(r => r.getAttribute('fill'))")}
    assert fills <= {c.upper() for c in DIRECTION_COLOURS.values()}
    page.assert_clean()


def map_cells(rows: pd.DataFrame) -> dict:
    """(modality, domain) -> (studies, {direction: studies showing it}), by the review's rule for its map."""
    out = {}
    for (modality, domain), cell in rows.groupby(["modality", "domain"]):
        shown = [d for _, study in cell.groupby("study_id") for d in directions_shown(study["direction"])]
        out[(modality, domain)] = (cell["study_id"].nunique(), pd.Series(shown).value_counts().to_dict())
    return out


def test_every_control_is_labelled_and_works_by_keyboard(page):
    page.open()
    unlabelled = page.tab.evaluate("""() => Array.from(document.querySelectorAll('#explorer input, #explorer button'))
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
        .map(el => el.outerHTML)""")
    assert unlabelled == []
    legends = page.tab.locator("#explorer .explorer-filter > legend").all_text_contents()
    assert legends == ["Species", "Model", "Design", "Exercise modality", "Outcome domain", "Direction"]

    page.tab.get_by_label("Free text").focus()
    page.tab.keyboard.type("sod1")
    for _ in range(60):
        page.tab.keyboard.press("Tab")
        if page.tab.evaluate("document.activeElement.closest('label') && document.activeElement.closest('label').textContent.startsWith('Mouse')"):
            break
    else:
        pytest.fail("Tab never reached the 'Mouse' checkbox")
    page.tab.keyboard.press("Space")
    assert page.state()["species"] == ["mouse"] and page.state()["q"] == "sod1"
    assert page.shown_ids() == list(expected({"species": ["mouse"], "q": "sod1"})["outcome_id"])

    header = page.tab.locator(".explorer-table thead button", has_text="Year")
    first_year = lambda: int(page.tab.locator(".explorer-table tbody tr").first.locator("td").nth(1).inner_text())
    header.focus()
    page.tab.keyboard.press("Enter")
    page.tab.keyboard.press("Enter")
    assert first_year() == expected({"species": ["mouse"], "q": "sod1"})["year"].max()
    page.assert_clean()


def test_study_links_lead_to_a_reference_on_the_page_and_sources_to_their_pages(page):
    page.open(fragment({"species": ["human"]}))
    links = page.tab.locator(".explorer-table tbody tr").first.locator("a")
    study, source = links.nth(0).get_attribute("href"), links.nth(1).get_attribute("href")
    assert page.tab.locator(study).count() == 1  # the '#ref-<study_id>' entry of the page's reference list
    first = expected({"species": ["human"]}).iloc[0]
    assert study == f"#ref-{first['study_id']}" and source == first["source_url"]
    page.assert_clean()
