"""review.html on its own: copied alone into an empty folder (mailed, attached, archived), it still shows every
figure, style and script, because each is inside the file as a data: URI or inline markup. Links to other pages
(the explorer, the PDF) may break there; what the page itself needs may not."""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

# What a browser loads to show a page, by element: (attribute, ...).
LOADED = {"img": ("src", "srcset"), "script": ("src",), "link": ("href",), "source": ("src", "srcset"),
          "iframe": ("src",), "embed": ("src",), "object": ("data",), "video": ("src", "poster"),
          "audio": ("src",), "track": ("src",), "image": ("href", "xlink:href"), "use": ("href", "xlink:href")}
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]*)""")
CSS_IMPORT = re.compile(r"""@import\s+["']([^"']+)""")


class Resources(HTMLParser):
    """Every address the page loads, the images among them, and the text of its stylesheets."""

    def __init__(self):
        super().__init__()
        self.loaded: list[tuple[str, str]] = []  # (tag, address)
        self.images: list[str] = []
        self.css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in LOADED.get(tag, ()):
            value = (attrs.get(name) or "").strip()
            if not value:
                continue
            addresses = [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
            self.loaded += [(tag, address) for address in addresses]
        if tag == "img":
            self.images.append((attrs.get("src") or "").strip())
        if tag == "link" and (attrs.get("href") or "").startswith("data:text/css"):
            self.css.append(unquote(attrs["href"].split(",", 1)[1]))
        if attrs.get("style"):
            self.css.append(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.css.append(data)


def missing_resources(page: Path) -> list[str]:
    """What the page at `page` would fail to show from its own folder, or would fetch from elsewhere."""
    parser = Resources()
    parser.feed(page.read_text(encoding="utf-8"))
    found = []
    addresses = parser.loaded + [("css", a) for css in parser.css for a in CSS_URL.findall(css) + CSS_IMPORT.findall(css)]
    for tag, address in addresses:
        if address.startswith(("data:", "#")):
            continue
        if re.match(r"^([a-z][a-z0-9+.-]*:)?//", address, re.I):
            found.append(f"{tag} fetches {address[:120]}")
        elif not (page.parent / unquote(address.split("#")[0].split("?")[0])).is_file():
            found.append(f"{tag} needs {address[:120]}, which is not beside the page")
    found += [f"img not inline: {src[:120]!r}" for src in parser.images if not src.startswith("data:")]
    return found


@pytest.fixture(scope="module")
def alone(rendered_report, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("alone")
    shutil.copy2(next(rendered_report.rglob("review.html")), folder / "review.html")
    return folder / "review.html"


def test_review_html_copied_alone_needs_nothing_beside_it(alone):
    assert sorted(p.name for p in alone.parent.iterdir()) == ["review.html"]
    assert missing_resources(alone) == []


def test_every_figure_of_the_review_is_an_inline_image(alone):
    page = alone.read_text(encoding="utf-8")
    figures = re.findall(r'<div id="fig-[\w-]+" class="quarto-float quarto-figure', page)
    parser = Resources()
    parser.feed(page)
    assert figures and len(parser.images) == len(figures), (len(parser.images), len(figures))
    assert all(src.startswith("data:image/") for src in parser.images)
    assert "../build/analysis" not in page


def test_the_review_loads_no_math_renderer(alone):
    """Quarto leaves MathJax out of an embedded page and has the page fetch it from a CDN when it opens; the
    review holds no math, so nothing is fetched. Math added to it would need html-math-method set to a local copy."""
    page = alone.read_text(encoding="utf-8").lower()
    assert "mathjax" not in page and "katex" not in page


@pytest.mark.slow
def test_a_browser_shows_every_figure_of_the_copy_alone_and_fetches_nothing(alone):
    """The copy opened from a file:// address in Chromium: every image is drawn, no request leaves the page."""
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[dev]'")
    from playwright.sync_api import sync_playwright
    from rendering import chromium_path

    if chromium_path() is None:
        pytest.skip("no Chromium to drive: install Debian's chromium (apt-get install chromium; .ci/run does this)")
    address, requests, errors = alone.resolve().as_uri(), [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        tab = browser.new_page()
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        def only_the_page(route):
            """Anything but the page and its data: URIs is recorded and refused: nothing leaves the machine."""
            if route.request.url.startswith((address, "data:")):
                route.continue_()
            else:
                requests.append(route.request.url)
                route.abort()

        tab.route("**/*", only_the_page)
        tab.goto(address, wait_until="load")
        broken = tab.evaluate("Array.from(document.images).filter(i => !i.complete || !i.naturalWidth).length")
        drawn = tab.evaluate("document.images.length")
        browser.close()
    assert drawn and not broken, f"{broken} of {drawn} images not drawn"
    assert not requests and not errors, (requests, errors)


def test_the_check_finds_what_a_page_needs_beside_it(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<html><head><link rel="stylesheet" href="libs/site.css"><script src="https://cdn.example/x.js">'
                    '</script><style>body { background: url("bg.png") } .i { src: url(data:font/woff;base64,AA) }'
                    '</style></head><body><img src="../figures/a.svg"><img src="data:image/svg+xml;base64,AA">'
                    '<svg><use href="#dot"/></svg><a href="other.html">not loaded</a></body></html>')
    found = missing_resources(page)
    assert len(found) == 5, found
    assert [f for f in found if "libs/site.css" in f and "link" in f]
    assert [f for f in found if "fetches https://cdn.example/x.js" in f]
    assert [f for f in found if "bg.png" in f and f.startswith("css")]
    assert [f for f in found if f.startswith("img not inline") and "a.svg" in f]
