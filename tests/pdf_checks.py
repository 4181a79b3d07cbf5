"""What a reader of the PDF would notice, read back from the PDF itself with pdfplumber: text that prints over
other text, text outside the page margins, table rows that never reached the page, and pages left nearly empty
(a heading last on its page, a page of a few words, a table's first or last rows alone on a page)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pdfplumber

PAGE_NUMBER = re.compile(r"^\d{1,3}$")
# Table rules as report/print-layout.typ draws them: a 0.3 pt grey hairline above every body row but the first,
# and Quarto's black rule under the header (not repeated when the table continues on the next page).
HAIRLINE_GREY, HAIRLINE_WIDTH = 190 / 255, 0.3
BODY_SIZE = 11.0  # the body text's size; headings are bold at this size or larger, table headers at 8 pt


@dataclass(frozen=True)
class Layout:
    """What a page holds besides its words: text lines (top, text, whether it is a heading), horizontal table
    rules (x0, x1, top, whether black, i.e. under a header), and the tops of drawn shapes (figures)."""
    lines: tuple[tuple[float, str, bool], ...]
    rules: tuple[tuple[float, float, float, bool], ...]
    shapes: tuple[float, ...]


def version(path: Path) -> tuple[str, int, int]:
    """A PDF as a cache key: reading a 60-page PDF takes pdfplumber about 20 s, so each version is read once."""
    stat = Path(path).stat()
    return str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size


def words_by_page(pdf_path: Path) -> list[tuple[float, float, list[dict]]]:
    """(width, height, words) for every page; each word has text and x0, x1, top, bottom in points."""
    return _read(version(pdf_path))[0]


def layout_by_page(pdf_path: Path) -> list[Layout]:
    return _read(version(pdf_path))[2]


@lru_cache(maxsize=4)
def _read(key: tuple[str, int, int]) -> tuple[list[tuple[float, float, list[dict]]], str, list[Layout]]:
    """Words, text and layout of every page in one pass: pdfplumber parses a page's characters once for all."""
    pages, texts, layouts = [], [], []
    with pdfplumber.open(key[0]) as pdf:
        for page in pdf.pages:
            pages.append((page.width, page.height, page.extract_words(keep_blank_chars=False, use_text_flow=True)))
            texts.append(page.extract_text() or "")
            layouts.append(_layout(page))
    return pages, "\n".join(texts), layouts


def _grey(colour) -> float | None:
    """A stroke colour as one grey level, or None when it is not grey."""
    values = colour if isinstance(colour, (tuple, list)) else (colour,)
    if not values or any(not isinstance(v, (int, float)) for v in values) or max(values) - min(values) > 0.01:
        return None
    return float(values[0])


def _layout(page) -> Layout:
    lines = tuple((line["top"], line["text"], all("Bold" in c["fontname"] for c in line["chars"])
                   and min(c["size"] for c in line["chars"]) >= BODY_SIZE - 0.5)
                  for line in page.extract_text_lines(return_chars=True) if line["chars"])
    rules = []
    for line in page.lines:
        grey = _grey(line.get("stroking_color"))
        if abs(line["top"] - line["bottom"]) > 0.5 or line["x1"] - line["x0"] < 50 or grey is None:
            continue
        if abs(grey - HAIRLINE_GREY) < 0.02 and abs(line["linewidth"] - HAIRLINE_WIDTH) < 0.05:
            rules.append((line["x0"], line["x1"], line["top"], False))
        elif grey < 0.01:
            rules.append((line["x0"], line["x1"], line["top"], True))
    shapes = tuple(shape["top"] for shape in (*page.rects, *page.curves, *page.images))
    return Layout(lines, tuple(sorted(rules, key=lambda r: r[2])), shapes)


def overprints(pages, min_overlap: float = 0.3) -> list[str]:
    """Pairs of words whose boxes cover each other by more than min_overlap of the smaller box."""
    found = []
    for number, (_, _, words) in enumerate(pages, start=1):
        ordered = sorted(words, key=lambda w: w["x0"])
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                if b["x0"] >= a["x1"]:
                    break
                dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                if dx <= 0 or dy <= 0:
                    continue
                smaller = min((a["x1"] - a["x0"]) * (a["bottom"] - a["top"]), (b["x1"] - b["x0"]) * (b["bottom"] - b["top"]))
                if dx * dy > min_overlap * smaller:
                    found.append(f"page {number}: {a['text']!r} overprints {b['text']!r}")
    return found


def outside_margins(pages, margin_x: float, margin_y: float, slack: float = 2.0) -> list[str]:
    """Words beyond the left/right margins anywhere, or in the top/bottom margins unless they are the page number."""
    found = []
    for number, (width, height, words) in enumerate(pages, start=1):
        for w in words:
            sideways = w["x0"] < margin_x - slack or w["x1"] > width - margin_x + slack
            off_page = w["top"] < 0 or w["bottom"] > height
            # Typst sets a text block's last baseline on the margin, so descenders (about a quarter of the line's
            # box) may reach into it: only the part above the descent counts.
            descent = 0.3 * (w["bottom"] - w["top"])
            in_top_or_bottom = w["top"] < margin_y - slack or w["bottom"] - descent > height - margin_y + slack
            if sideways or off_page or (in_top_or_bottom and not PAGE_NUMBER.match(w["text"])):
                found.append(f"page {number}: {w['text']!r} at x {w['x0']:.0f}-{w['x1']:.0f}, y {w['top']:.0f}-{w['bottom']:.0f}")
    return found


def squashed(text: str) -> str:
    """Text without whitespace or line-end hyphens, so words broken across lines still match."""
    return re.sub(r"\s+", "", re.sub(r"-\s*\n", "", text)).lower()


def pdf_text(pdf_path: Path) -> str:
    return _read(version(pdf_path))[1]


def missing_from(text: str, wanted: list[str]) -> list[str]:
    haystack = squashed(text)
    return [w for w in wanted if squashed(w) not in haystack]


def _content_lines(layout: Layout) -> list[tuple[float, str, bool]]:
    """The page's text lines without its page number."""
    return [line for line in layout.lines if not PAGE_NUMBER.match(line[1].strip())]


def headings_last_on_page(layouts: list[Layout]) -> list[str]:
    """Pages whose last text is a heading with nothing drawn below it: the heading's text is on the next page."""
    found = []
    for number, layout in enumerate(layouts, start=1):
        lines = _content_lines(layout)
        if lines and lines[-1][2] and not any(top > lines[-1][0] for top in layout.shapes):
            found.append(f"page {number}: the heading {lines[-1][1]!r} ends the page")
    return found


def nearly_empty_pages(layouts: list[Layout], min_words: int = 25) -> list[str]:
    """Pages with fewer than min_words words (not counting the page number or dot leaders) and no figure; the
    last page of the document may be short."""
    found = []
    for number, layout in enumerate(layouts[:-1], start=1):
        words = [w for line in _content_lines(layout) for w in line[1].split() if re.search(r"\w", w)]
        if len(words) < min_words and not layout.shapes:
            found.append(f"page {number}: only {len(words)} words: {' '.join(words)[:80]!r}")
    return found


def table_fragments(layouts: list[Layout]) -> list[tuple[int, bool, bool, int]]:
    """Every piece of a table on a page, read from its rules: (page, begins here, goes on to the next page, rows).
    A table begins under its black header rule; each body row after its first has a hairline on top, and a row
    continued from the previous page has one too, so the rows are the hairlines, plus one where the table begins.
    Pieces of one table share their left and right edges."""
    def same(a, b):  # the header rule reaches about half a point further than the hairlines
        return abs(a[0] - b[0]) < 1.5 and abs(a[1] - b[1]) < 1.5

    pieces = []
    for number, layout in enumerate(layouts, start=1):
        by_edges: list[tuple[tuple[float, float], list[list]]] = []
        for x0, x1, _, black in layout.rules:
            runs = next((r for edges, r in by_edges if same(edges, (x0, x1))), None)
            if runs is None:
                runs = []
                by_edges.append(((x0, x1), runs))
            if black or not runs:
                runs.append([number, black, False, 1])
            else:
                runs[-1][3] += 1
        pieces += [(edges, run) for edges, runs in by_edges for run in runs]
    for i, (edges, run) in enumerate(pieces):
        later = [(e, r) for e, r in pieces[i + 1:] if same(e, edges)]
        following = [r for _, r in later if r[0] == run[0] + 1]
        last_on_page = not [r for _, r in later if r[0] == run[0]]
        run[2] = last_on_page and bool(following) and not following[0][1]
    return [(page, begins, goes_on, rows) for _, (page, begins, goes_on, rows) in pieces]


def short_table_pieces(layouts: list[Layout], min_rows: int = 3) -> list[str]:
    """Tables that leave fewer than min_rows rows alone on a page: a table that breaks after fewer rows, or a
    continued table with fewer rows on its page."""
    found = []
    for page, begins, goes_on, rows in table_fragments(layouts):
        if begins and goes_on and rows < min_rows:
            found.append(f"page {page}: a table begins with {rows} row(s), then goes on to the next page")
        elif not begins and rows < min_rows:
            found.append(f"page {page}: a table continued from the previous page ends with {rows} row(s)")
    return found
