"""The rendered explorer page in a real browser (Debian's Chromium driven by Playwright).

The page is built and rendered with the real Quarto, opened from a file:// address, filtered through its
controls and through shared addresses, and every count it shows is checked against the same selection made
here in pandas straight from data/*.csv. The page must log no console error and request nothing outside the
rendered output folder. Skips, saying why, where Playwright, Chromium or Quarto is missing."""
from __future__ import annotations

import math
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from alsreview.data.labels import DIRECTION_COLOURS
from alsreview.data.paths import ANALYSIS_DIR, DATA_DIR
from alsreview.document.explorer import label

pytestmark = pytest.mark.slow
FILTER_KEYS = ["species", "population", "evidence_type", "modality", "domain", "direction"]
# What the page's free text searches, from the raw CSV columns (codes are searched as words).
TEXT_COLUMNS = ["study_id", "authors", "year", "title", "journal", "model", "arm_label", "comparator", "measure",
                "time_point", "finding", "modality", "domain"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def rendered(rendered_report) -> Path:
    """The explorer as `make report` renders it with the real Quarto (the session's render of the review)."""
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[dev]'")
    if chromium_path() is None:
        pytest.skip("no Chromium to drive: install Debian's chromium (apt-get install chromium; .ci/run does this)")
    return rendered_report


@pytest.fixture(scope="module")
def browser(rendered):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield browser
        browser.close()


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
def page(browser, rendered):
    tab = Page(browser, rendered)
    yield tab
    tab.tab.close()


def raw_rows() -> pd.DataFrame:
    """Outcomes with their arm and study, read from the CSVs with nothing from the package."""
    read = lambda name: pd.read_csv(DATA_DIR / f"{name}.csv", dtype=str, keep_default_na=False)
    rows = (read("outcomes").merge(read("interventions")[["arm_id", "modality", "arm_label", "comparator"]], on="arm_id")
            .merge(read("studies")[["study_id", "authors", "year", "title", "journal", "species", "population",
                                    "evidence_type", "model"]], on="study_id"))
    rows["year"] = rows["year"].astype(int)
    return rows


def expected(state: dict) -> pd.DataFrame:
    rows = raw_rows()
    keep = pd.Series(True, index=rows.index)
    for key in FILTER_KEYS:
        if state.get(key):
            keep &= rows[key].isin(state[key])
    keep &= rows["year"].between(state.get("from", -math.inf), state.get("to", math.inf))
    text = rows[TEXT_COLUMNS].astype(str).agg("\n".join, axis=1).str.replace("_", " ").str.lower()
    for word in state.get("q", "").lower().split():
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


def test_controls_filter_and_write_a_shareable_address(page, browser, rendered):
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

    other = Page(browser, rendered)
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
    for title in figures.nth(0).locator("svg g[aria-label=cell] rect title").all_text_contents():
        match = re.match(r"(.+) × (.+): (\d+) stud", title)
        cells[(match[1], match[2])] = int(match[3])
    per_cell = want.groupby(["modality", "domain"])["study_id"].nunique()
    assert cells == {(label("modality", m), label("domain", d)): n for (m, d), n in per_cell.items()}

    per_year = {}
    for title in figures.nth(1).locator("svg g[aria-label=rect] rect title").all_text_contents():
        year, n = re.match(r"(\d{4}): (\d+) ", title).groups()
        per_year[int(year)] = per_year.get(int(year), 0) + int(n)
    assert per_year == want.groupby("year").size().to_dict()
    fills = {f.upper() for f in figures.nth(1).locator("svg g[aria-label=rect] rect").evaluate_all("rs => rs.map(r => r.getAttribute('fill'))")}
    assert fills <= {c.upper() for c in DIRECTION_COLOURS.values()}
    page.assert_clean()


def test_every_control_is_labelled_and_works_by_keyboard(page):
    page.open()
    unlabelled = page.tab.evaluate("""() => Array.from(document.querySelectorAll('#explorer input, #explorer button'))
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
        .map(el => el.outerHTML)""")
    assert unlabelled == []
    legends = page.tab.locator("#explorer fieldset > legend").all_text_contents()
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

    header = page.tab.locator(".explorer-table thead th", has_text="Year")
    first_year = lambda: int(page.tab.locator(".explorer-table tbody tr").first.locator("td").nth(2).inner_text())
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
