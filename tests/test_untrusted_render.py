"""Data text is inert in the published review: a catalogue of hostile strings goes into every free-text field of
every table (tests/contributed.py), the real build and the real Quarto render HTML and PDF once per session
(conftest.py), and each string comes out as literal text, with no live tag or attribute, no fetch, no shortcode
output, no citation, no math and no truncated cell.

Needs Quarto: QUARTO=$(/work/shared/tools/quarto/install) or quarto on PATH (CI installs it)."""
import html
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from contributed import CANARY, CATALOGUE
from rendering import quarto_binary

pytestmark = pytest.mark.slow


class Live(HTMLParser):
    """Collects what a browser would act on: tags with their attributes."""

    def __init__(self):
        super().__init__()
        self.tags = []
        self.script = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script.append(data)


def visible_text(page: str) -> str:
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return squash(html.unescape(re.sub(r"<[^>]+>", "", text)))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def hostile_render(contributed_build, contributed_report):
    """The session's render of the contributed dataset (tests/contributed.py), with the PDF read by pdftotext."""
    _, touched, build_dir = contributed_build
    pdf = next((build_dir / "report").rglob("review.pdf"))
    pdf_text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout \
        if shutil.which("pdftotext") else None
    return touched, contributed_report.html, pdf_text, build_dir


def test_every_free_text_field_was_poisoned(hostile_render):
    touched = hostile_render[0]
    assert all(touched[name] for name in ("studies", "interventions", "outcomes", "pooled_results", "risk_of_bias",
                                          "recommendations", "recommendation_support"))
    assert "title" in touched["studies"] and "approach" in touched["recommendations"]


def test_html_has_no_live_markup_from_the_data(hostile_render):
    _, page, _, build_dir = hostile_render
    pages = [page] + [p.read_text(encoding="utf-8") for p in (build_dir / "analysis" / "notebooks-html").glob("*.html")]
    for text in pages:
        parser = Live()
        parser.feed(text)
        for tag, attrs in parser.tags:
            assert not any(name.startswith("on") for name in attrs), (tag, attrs)
            assert not any(str(v).strip().lower().startswith("javascript:") for v in attrs.values()), (tag, attrs)
            assert not (tag == "img" and (attrs.get("src") in ("x", None) or "127.0.0.1" in attrs.get("src", ""))), attrs
            assert tag != "b" or "raw7" not in text.split("<b>", 1)[-1][:10]
        assert not any("alert(" in s for s in parser.script)
        assert CANARY not in text
    assert "?env" not in page and "?meta" not in page and "?include" not in page


def test_the_explorer_shows_hostile_strings_as_text_and_runs_none(hostile_render):
    """The explorer builds its table, legend, pooling panel and map from the data in the browser: in Chromium, with
    every row's details and the pooling panel open, no string runs, loads or becomes markup."""
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[dev]'")
    from playwright.sync_api import sync_playwright
    from rendering import chromium_path

    if chromium_path() is None:
        pytest.skip("no Chromium to drive: install Debian's chromium")
    page = next((hostile_render[3] / "report").rglob("explorer.html"))
    folder, dialogs, outside, errors = page.parent.resolve().as_uri(), [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1280, "height": 800})
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith((folder, "data:", "blob:"))
                  else (outside.append(route.request.url), route.abort()))
        tab.goto(page.resolve().as_uri())
        tab.wait_for_selector(".explorer-n-outcomes")
        tab.evaluate("document.querySelectorAll('#explorer details').forEach(d => d.open = true)")
        live = tab.evaluate("""() => Array.from(document.querySelectorAll('#explorer *')).filter(el =>
            Array.from(el.attributes).some(a => a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value))
            || ['IMG', 'SCRIPT', 'IFRAME', 'B'].includes(el.tagName)).map(el => el.outerHTML.slice(0, 120))""")
        text = squash(tab.locator("#explorer").inner_text())
        pool_text = squash(tab.locator("#explorer-pool").inner_text())
        browser.close()
    assert dialogs == [] and outside == [] and errors == [] and live == [], (dialogs, outside, errors, live)
    assert CANARY not in text
    missing = [s for s in CATALOGUE if squash(s) not in text]
    assert not missing, missing
    assert any(squash(s) in pool_text for s in CATALOGUE)  # the panel's trial names and scales are data too


def test_each_hostile_string_appears_whole_as_text_in_the_html(hostile_render):
    _, page, _, _ = hostile_render
    text = visible_text(page)
    missing = [s for s in CATALOGUE if squash(s) not in text]
    assert not missing, missing


def test_math_and_citations_from_the_data_stay_text(hostile_render):
    _, page, _, _ = hostile_render
    assert not re.search(r'class="math[^"]*"[^>]*>[^<]*(x\^2|E=mc\^2)', page)
    assert squash("@ilzecka2017 and [@kirkinezos2003]") in visible_text(page)


def test_each_hostile_string_appears_whole_as_text_in_the_pdf(hostile_render):
    pdf_text = hostile_render[2]
    if pdf_text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    # Typst's own typography turns a literal "..." into an ellipsis (a shorthand Pandoc does not escape); that
    # changes a glyph, not the meaning, so it is the one substitution allowed here.
    text = squash(pdf_text.replace("\u00ad", "").replace("\u2026", "..."))
    missing = [s for s in CATALOGUE if squash(s) not in text]
    assert not missing, missing
    assert "Exercisetherapyinamyotrophiclateralsclerosis" in text


def test_rendering_wrote_nothing_into_the_source_tree(hostile_render):
    root = Path(__file__).parents[1]
    status = subprocess.run(["git", "status", "--porcelain", "--ignored", "--", "report", ".gitignore", "_quarto.yml"],
                            cwd=root, capture_output=True, text=True)
    if status.returncode != 0:
        pytest.skip("not a git checkout")
    assert status.stdout == ""


def documented_subset_examples() -> list[dict[str, str]]:
    """The `make report VAR=value ...` lines the README and the docs show (docs/chain.md, "Parameters and subset
    reports"), as dictionaries, each once."""
    root = Path(__file__).parents[1]
    found = []
    for page in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        found += re.findall(r"^make report ((?:[A-Z_]+=\S+ ?)+)", text, flags=re.M)
    lines = list(dict.fromkeys(line.strip() for line in found))
    return [dict(pair.split("=", 1) for pair in line.split()) for line in lines]


def test_the_docs_show_subset_examples():
    assert len(documented_subset_examples()) >= 3


@pytest.mark.parametrize("example", documented_subset_examples(), ids=lambda e: " ".join(f"{k}={v}" for k, v in e.items()))
def test_documented_subset_examples_render_without_placeholders(tmp_path, example, request):
    """Each example is built and rendered with the command-line options `make report` passes; an example that a
    subset test also renders is read from that test's session render (rendering.SUBSETS)."""
    from rendering import SUBSETS, build_and_render

    if quarto_binary() is None:
        pytest.skip("Quarto not found: set QUARTO or put quarto on PATH")
    shared = [name for name, make_vars in SUBSETS.items() if make_vars == example]
    report = request.getfixturevalue(shared[0]) if shared else build_and_render(tmp_path, example)
    assert "?meta:" not in report.html and "?invalid" not in report.html
    assert squash("This is a subset report") in visible_text(report.html)


def test_two_real_renders_at_once_both_succeed(hostile_render):
    build_dir = hostile_render[3]
    from rendering import ALSREVIEW, checkout_env

    command = [*ALSREVIEW, "--build-dir", str(build_dir), "render", "--quarto", quarto_binary()]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=checkout_env())
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=checkout_env())
    outcomes = [(p.wait(600), p.stderr.read()[-2000:]) for p in (first, second)]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert next((build_dir / "report").rglob("review.pdf")).stat().st_size > 10_000
    assert sorted(p.name for p in build_dir.iterdir() if p.name.startswith(".")) == [".lock"]
