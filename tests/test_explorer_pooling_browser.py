"""Issue 26 in a real browser: the explorer's pooling panel agrees with the review's Python engine, its search finds
what a reader types, its legend names directions in words, and its results show at 1280 x 800.

The page is the session's render (conftest.rendered_report), opened from a file:// address. The pooling is
compared with alsreview.synthesis.pooling (pool) and trial_pooling (pooled_trials) to 1e-6, on synthetic contrast
sets given to the page's own window.__poolForTest and on the shipped trials through the panel's controls."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alsreview.data.paths import DATA_DIR, PROJ_ROOT
from alsreview.data.schema import read_datapackage
from alsreview.document.explorer import direction_meanings
from alsreview.synthesis.contrasts import candidates_of, usable_contrasts
from alsreview.synthesis.pooling import Z95, pool
from alsreview.synthesis.trial_pooling import pooled_trials, standardised
from test_explorer_browser import Page, expected, field_texts, fold, fragment, raw_rows

pytestmark = pytest.mark.slow
TOLERANCE = 1e-6
MODELS = {"fe": ("fe", "wald"), "reml-wald": ("reml", "wald"), "reml-hksj": ("reml", "hksj"), "reml-knha": ("reml", "knha")}
SCREENSHOT = PROJ_ROOT / "build" / "explorer-pooling.png"


@pytest.fixture
def page(explorer_browser, explorer_rendered):
    tab = Page(explorer_browser, explorer_rendered)
    yield tab
    tab.tab.close()


def near(got, want) -> bool:
    if want is None or (isinstance(want, float) and np.isnan(want)):
        return got is None
    return abs(float(got) - float(want)) <= TOLERANCE * max(1.0, abs(float(want)))


def assert_agrees(got: dict, want: dict, label: str):
    """The page's numbers (its analyse() result) against the Python engine's (pool() or pooled_trials())."""
    for key in ("re_estimate", "re_ci_lower", "re_ci_upper", "tau2", "pi_lower", "pi_upper"):
        assert near(got[key], want[key]), (label, key, got[key], want[key])
    i2 = want["i2"] / 100 if want.get("percent") else want["i2"]
    assert near(got["i2"], i2), (label, "i2", got["i2"], i2)


# --- synthetic contrast sets, given to the page ------------------------------------------------------------------
# (k, spread of the true effects in units of the sampling SD, sampling SD, measure, model)
SYNTHETIC = [
    (1, 0, 1, "md", "reml-hksj"), (2, 0, 1, "md", "reml-hksj"), (2, 3, 1, "md", "reml-hksj"), (2, 3, 1, "md", "reml-wald"),
    (2, 1, 1, "smd", "reml-knha"), (3, 0, 0.01, "md", "reml-hksj"), (3, 2, 100, "md", "reml-knha"), (3, 1, 1, "md", "fe"),
    (4, 1, 1, "smd", "reml-hksj"), (4, 2, 1000, "md", "reml-hksj"), (5, 0, 1, "md", "fe"), (5, 4, 1, "md", "reml-hksj"),
    (6, 1, 10, "smd", "reml-wald"), (6, 0.2, 1, "md", "reml-hksj"), (7, 2, 0.1, "md", "reml-hksj"),
    (8, 0.5, 1, "md", "reml-knha"), (9, 3, 1, "smd", "fe"), (10, 1, 1, "md", "reml-hksj"), (10, 0, 1, "md", "reml-wald"),
    (10, 5, 0.001, "md", "reml-hksj"), (8, 2, 1, "smd", "reml-hksj"), (5, 1, 50, "md", "reml-wald"),
]


def synthetic_contrasts(k: int, spread: float, sd: float, measure: str, seed: int) -> list[dict]:
    """k trials on one scale (mean difference) or alternating between two (standardised), with arm data."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(k):
        n_e, n_c = (int(n) for n in rng.integers(8, 60, 2))
        sd_e, sd_c = (float(s) for s in sd * rng.uniform(0.6, 1.6, 2))
        true = 0.5 * sd + spread * sd * rng.normal() / 2
        m_c = float(rng.normal(20 * sd, sd))
        m_e = float(m_c + true + rng.normal(0, sd * np.sqrt(1 / n_e + 1 / n_c)))
        scale = "fss" if measure == "md" or i % 2 == 0 else "mfis"
        row = {"study_id": f"t{i}", "outcome_id": f"t{i}-1", "citation": f"Trial {i}", "domain": "fatigue",
               "window": "up to 3 months", "scale": scale, "scale_label": scale, "better": "lower",
               "effect": m_e - m_c, "variance": sd_e ** 2 / n_e + sd_c ** 2 / n_c, "assumption": "",
               "n_exercise": n_e, "mean_exercise": m_e, "sd_exercise": sd_e, "n_control": n_c, "mean_control": m_c,
               "sd_control": sd_c}
        g = standardised(pd.DataFrame([row]))
        rows.append({**row, "smd": float(g["effect"].iloc[0]), "smd_variance": float(g["variance"].iloc[0])})
    return rows


def python_result(contrasts: list[dict], model: str) -> dict:
    tau2, interval = MODELS[model]
    frame = pd.DataFrame(contrasts)
    if frame["scale"].nunique() > 1:
        row = pooled_trials(frame, tau2, interval).iloc[0]
        return {**row.to_dict(), "percent": True}
    return pool(frame, tau2, interval)


def test_twenty_synthetic_selections_agree_with_the_python_engine(page):
    page.open()
    kinds = set()
    for n, (k, spread, sd, measure, model) in enumerate(SYNTHETIC):
        contrasts = synthetic_contrasts(k, spread, sd, measure, seed=100 + n)
        tau2, interval = MODELS[model]
        got = page.tab.evaluate("([c, o]) => window.__poolForTest(c, o)", [contrasts, {"tau2": tau2, "interval": interval}])
        label = f"case {n}: k={k} {measure} {model}"
        if k == 1:
            assert got["status"] == "single" and got["result"] is None, label
            one = got["rows"][0]
            se = np.sqrt(contrasts[0]["variance"])
            assert near(one["ci_lower"], contrasts[0]["effect"] - Z95 * se) and near(one["ci_upper"], contrasts[0]["effect"] + Z95 * se)
            kinds.add("single")
            continue
        want = python_result(contrasts, model)
        assert got["status"] == "pooled", label
        assert_agrees(got["result"], want, label)
        kinds.update({measure, model, "zero tau2" if want["tau2"] == 0 else "positive tau2", f"k={k}"})
    assert len(SYNTHETIC) >= 20
    assert {"single", "md", "smd", "zero tau2", "positive tau2", "k=2", "k=10", *MODELS} <= kinds
    page.assert_clean()


# --- the shipped trials, through the panel's controls -------------------------------------------------------------
def shipped(assumptions: bool, domain: str, window: str) -> pd.DataFrame:
    from alsreview.data.load import load_tables

    tables = load_tables(DATA_DIR)
    candidates = candidates_of(tables)
    contrasts = usable_contrasts(candidates, assumptions)
    return contrasts.loc[(contrasts["domain"] == domain) & (contrasts["window"] == window)]


def shown_result(page) -> dict:
    data = page.tab.locator(".pool-summary").evaluate("e => Object.assign({}, e.dataset)")
    number = lambda key: None if data.get(key) in (None, "") else float(data[key])
    return {"status": data["status"], "k": number("k"), "re_estimate": number("estimate"), "re_ci_lower": number("ciLower"),
            "re_ci_upper": number("ciUpper"), "tau2": number("tau2"), "i2": number("i2"), "pi_lower": number("piLower"),
            "pi_upper": number("piUpper"), "favours": data.get("favours")}


def review_default():
    """The review's first pooled analysis: primary where it pools anything, else secondary."""
    from alsreview.data.load import load_tables
    from alsreview.document.explorer_pooling import review_analyses

    analyses = review_analyses(load_tables(DATA_DIR))
    return next((a for a in analyses if a["analysis"] == "primary"), analyses[0])


def test_the_default_outcome_shows_the_reviews_pooled_estimate_with_its_ci(page):
    page.open()
    ref = review_default()
    got = shown_result(page)
    assert got["status"] == "pooled" and got["k"] == ref["k"]
    for key in ("re_estimate", "re_ci_lower", "re_ci_upper", "tau2", "i2"):
        assert near(got[key], ref[key]), key
    estimate = page.tab.locator(".pool-estimate")
    assert estimate.is_visible() and "95% CI" in estimate.inner_text()
    assert page.tab.locator(".pool-forest .pool-forest-pooled polygon").count() == 1
    assert page.tab.locator(".pool-forest .pool-forest-trial").count() == ref["k"]
    assert "This is the review's" in page.tab.locator(".pool-comparison").inner_text()
    page.assert_clean()


def test_choices_through_the_controls_agree_with_python_and_survive_a_shared_address(page, explorer_browser, explorer_rendered):
    page.open()
    ref = review_default()
    state = page.tab.evaluate("window.alsExplorer.pool.state()")
    contrasts = shipped(state["assumptions"], state["domain"], state["window"])
    first = contrasts.drop_duplicates("study_id")
    checked = 0
    for model, words in (("fe", "Fixed effect"), ("reml-wald", "Wald (normal)"), ("reml-knha", "Hartung-Knapp CI"),
                         ("reml-hksj", "Sidik-Jonkman")):
        page.tab.locator("label.pool-choice", has_text=words).locator("input").check()
        assert page.tab.evaluate("window.alsExplorer.pool.state().model") == model
        got = shown_result(page)
        want = pooled_trials(contrasts, *MODELS[model]).iloc[0]
        assert_agrees(got, {**want.to_dict(), "percent": True}, model)
        assert got["favours"] == want["favours"]
        checked += 1
    assert "This is the review's" in page.tab.locator(".pool-comparison").inner_text()

    left_out = ref["trials"][0]
    page.tab.locator(f"input[name=pool-trial][value={left_out}]").click()
    assert left_out not in page.tab.evaluate("window.alsExplorer.pool.state().trials")
    got = shown_result(page)
    rest = first.loc[first["study_id"] != left_out]
    if len(rest) == 1:  # one trial left: its own estimate, and a word that pooling needs two
        assert got["status"] == "single" and near(got["re_estimate"], rest["effect"].iloc[0])
        assert "at least two trials" in page.tab.locator(".pool-summary").inner_text()
    else:
        assert_agrees(got, {**pooled_trials(contrasts.loc[contrasts["study_id"] != left_out]).iloc[0].to_dict(), "percent": True}, "left out")
    assert f"{len(rest)} trial" in page.tab.locator(".pool-comparison").inner_text()
    assert f"instead of {ref['k']}" in page.tab.locator(".pool-comparison").inner_text()
    checked += 1

    shared = page.tab.url
    assert f"trials={','.join(rest['study_id'])}" in shared and "model=reml-hksj" in shared
    other = Page(explorer_browser, explorer_rendered)
    other.tab.goto(shared)
    other.tab.wait_for_selector(".explorer-n-outcomes")
    assert other.tab.evaluate("window.alsExplorer.pool.state()") == page.tab.evaluate("window.alsExplorer.pool.state()")
    assert shown_result(other) == got
    assert not other.tab.locator(f"input[name=pool-trial][value={left_out}]").is_checked()
    other.assert_clean()
    other.tab.close()

    if state["assumptions"]:  # rows usable only under assumptions left out: the review's primary analysis
        page.tab.locator("input[name=pool-assumptions]").click()
        assert page.tab.evaluate("window.alsExplorer.pool.state().assumptions") is False
        got = shown_result(page)
        as_stated = shipped(False, state["domain"], state["window"]).drop_duplicates("study_id")
        assert got["k"] in (None, len(as_stated)) or got["status"] == "single"
        if len(as_stated) == 1:
            assert got["status"] == "single" and near(got["re_estimate"], as_stated["effect"].iloc[0])
        assert "assumptions=no" in page.tab.url
        checked += 1
    assert checked >= 5
    page.assert_clean()


# --- search ------------------------------------------------------------------------------------------------------
def test_treadmill_finds_mahoney_2004_and_every_treadmill_model_or_modality(page):
    page.open(fragment({"q": "treadmill"}))
    shown = set(page.shown_ids())
    rows = raw_rows()
    assert set(rows.loc[rows["study_id"] == "mahoney2004", "outcome_id"]) <= shown
    treadmill = (rows["model"].map(fold).str.contains("treadmill") | rows["modality"].map(fold).str.contains("treadmill")
                 | rows["modality_label"].map(fold).str.contains("treadmill"))
    assert set(rows.loc[treadmill, "outcome_id"]) <= shown
    harmful = rows.loc[rows["outcome_id"].isin(shown) & (rows["direction"] == "harmful"), "study_id"]
    assert set(harmful) == {"mahoney2004"}
    assert page.shown_ids() == list(expected({"q": "treadmill"})["outcome_id"])

    texts = field_texts(rows.loc[rows["outcome_id"].isin(shown)])
    for field, text in texts.items():
        n = int(text.str.contains("treadmill").sum())
        badge = page.tab.locator(f".explorer-field-count[data-field={field}] strong")
        assert (badge.inner_text() if badge.count() else "0") == str(n), field
    page.assert_clean()


@pytest.mark.parametrize("typed, plain", [("Schroder", "Schröder"), ("tréadmill", "treadmill"), ("Luis", "Luís"),
                                          ("MOTONEURÓN", "motoneuron")])
def test_search_ignores_accents_and_case_both_ways(page, typed, plain):
    page.open(fragment({"q": typed}))
    with_accents = page.shown_ids()
    page.open(fragment({"q": plain}))
    assert with_accents == page.shown_ids() and with_accents
    assert with_accents == list(expected({"q": plain})["outcome_id"])
    page.assert_clean()


# --- legend and layout -------------------------------------------------------------------------------------------
def test_legend_is_one_line_per_direction_in_the_dictionarys_words(page):
    page.open()
    meanings = direction_meanings(read_datapackage(DATA_DIR))
    items = page.tab.locator(".explorer-legend li")
    assert items.count() == len(meanings)
    for i, (code, meaning) in enumerate(meanings.items()):
        item = items.nth(i)
        assert item.get_attribute("data-direction") == code and item.get_attribute("title") == meaning
        box = item.bounding_box()
        assert box["height"] < 30, code  # one line
    words = [t.rsplit(" ", 1)[0].strip() for t in items.all_inner_texts()]
    assert words == ["Beneficial", "No difference found", "Harmful", "Mixed", "Unclear"]
    page.tab.locator(".explorer-meanings summary").click()
    assert page.tab.locator(".explorer-meanings dd").all_inner_texts() == list(meanings.values())
    for where in (".explorer-legend", "fieldset[data-filter=direction]", ".explorer-table tbody .explorer-col-direction"):
        text = " ".join(page.tab.locator(where).all_inner_texts())
        assert text and "no_effect" not in text and "no effect" not in text.lower(), where
    page.assert_clean()


def test_results_show_at_1280_by_800_and_the_filters_collapse(explorer_browser, explorer_rendered):
    tab = Page(explorer_browser, explorer_rendered)
    tab.tab.set_viewport_size({"width": 1280, "height": 800})
    tab.open()
    assert tab.tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finding = tab.tab.locator(".explorer-table thead th", has_text="Finding").bounding_box()
    assert finding["x"] >= 0 and finding["x"] + finding["width"] <= 1280 and finding["y"] + finding["height"] <= 800
    for name in ("Study", "Outcome", "Direction"):
        box = tab.tab.locator(".explorer-table thead th", has_text=name).bounding_box()
        assert box["x"] + box["width"] <= 1280, name
    first = tab.tab.locator(".explorer-table tbody tr").first.bounding_box()
    assert first["y"] + first["height"] <= 800, first

    toggle = tab.tab.locator("button.explorer-toggle")
    assert toggle.inner_text() == "Hide filters"
    toggle.click()
    assert tab.tab.locator("#explorer-filters").is_hidden() and toggle.get_attribute("aria-expanded") == "false"
    assert tab.tab.locator(".explorer-table thead th", has_text="Finding").bounding_box()["x"] < finding["x"]
    assert toggle.inner_text() == "Show filters"
    toggle.click()
    assert tab.tab.locator("#explorer-filters").is_visible()
    details = tab.tab.locator(".explorer-table tbody tr").first.locator("details")
    details.locator("summary").click()
    assert details.locator("dt", has_text="Comparator").count() + details.locator("dt", has_text="Species").count() >= 1
    tab.assert_clean()
    tab.tab.close()


def test_screenshot_of_the_pooling_panel_at_1280_by_800(explorer_browser, explorer_rendered):
    tab = Page(explorer_browser, explorer_rendered)
    tab.tab.set_viewport_size({"width": 1280, "height": 800})
    tab.open()
    tab.tab.locator("#explorer-pool").evaluate("e => e.scrollIntoView({block: 'start'})")
    panel = tab.tab.locator("#explorer-pool").bounding_box()
    assert panel["y"] < 50 and tab.tab.locator(".pool-forest").is_visible()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    tab.tab.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
    tab.assert_clean()
    tab.tab.close()


def test_a_selection_without_trial_contrasts_gets_a_panel_that_says_so(page):
    """An animal subset ships no contrasts (and page_data without pooling ships no settings either)."""
    page.open()
    text = page.tab.evaluate("""() => {
        const panel = window.alsPoolPanel({contrasts: [], review: [], settings: {}}, () => {});
        panel.setView(new Set(["x"]));
        const params = new URLSearchParams();
        panel.writeParams(params);
        return [panel.element.textContent, params.toString()];
    }""")
    assert "No trial in this selection has a contrast" in text[0] and text[1] == ""
    assert page.tab.locator(".pool-summary").get_attribute("data-status") == "pooled"
    page.open(fragment({"species": ["mouse"]}))  # trials exist, but none is in view
    assert page.tab.locator(".pool-summary").get_attribute("data-status") == "hidden"
    assert "matches the filters" in page.tab.locator(".pool-summary").inner_text()
    page.assert_clean()
