"""What a reader of the PDF would notice, read back from the PDF itself: text that prints over other text, text
outside the page margins, table rows that never reached the page, and pages left nearly empty (a heading last on
its page, a page of a few words, a table's first or last rows alone on a page).

PDFium (pypdfium2, which pdfplumber installs) reads the characters and drawings, and pdfplumber's own text
functions group the characters into words and lines. pdfplumber reading the review's PDF by itself took 16-20 s,
nearly all of it in its pure-Python content-stream parser; PDFium takes about 4 s for the same words and lines."""
from __future__ import annotations

import ctypes
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber import utils

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
    """A PDF as a cache key: each version is read once."""
    stat = Path(path).stat()
    return str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size


def words_by_page(pdf_path: Path) -> list[tuple[float, float, list[dict]]]:
    """(width, height, words) for every page; each word has text and x0, x1, top, bottom in points."""
    return _read(version(pdf_path))[0]


def layout_by_page(pdf_path: Path) -> list[Layout]:
    return _read(version(pdf_path))[2]


@lru_cache(maxsize=4)
def _read(key: tuple[str, int, int]) -> tuple[list[tuple[float, float, list[dict]]], str, list[Layout]]:
    """Words, text and layout of every page in one pass over the characters and drawings PDFium reads."""
    pages, texts, layouts = [], [], []
    document = pdfium.PdfDocument(key[0])
    try:
        for page in document:
            width, height = page.get_width(), page.get_height()
            chars = _chars(page, height)
            textmap = utils.chars_to_textmap(chars, layout_bbox=(0, 0, width, height), layout_width=width,
                                             layout_height=height)
            pages.append((width, height, utils.extract_words(chars, keep_blank_chars=False, use_text_flow=True)))
            texts.append(textmap.as_string)
            layouts.append(_layout(textmap.extract_text_lines(strip=True, return_chars=True), *_drawings(page, height)))
    finally:
        document.close()
    return pages, "\n".join(texts), layouts


def _chars(page, height: float) -> list[dict]:
    """The page's characters as pdfplumber's character records (origin top left; boxes from the font's ascent and
    descent), less the spaces and line ends PDFium adds and invisible format characters (Typst puts a word joiner
    before each page number of the contents). PDFium marks a hyphen that ends a line as U+0002."""
    textpage = page.get_textpage()
    box, name, flags = pdfium_c.FS_RECTF(), ctypes.create_string_buffer(256), ctypes.c_int()
    chars = []
    for i in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1:
            continue
        text = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
        if text == "\x02" or pdfium_c.FPDFText_IsHyphen(textpage.raw, i) == 1:
            text = "-"
        if unicodedata.category(text) == "Cf":
            continue
        pdfium_c.FPDFText_GetLooseCharBox(textpage.raw, i, box)
        length = pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, name, len(name), flags)
        top = height - box.top
        chars.append({"text": text, "x0": box.left, "x1": box.right, "top": top, "doctop": top,
                      "bottom": height - box.bottom, "upright": pdfium_c.FPDFText_GetCharAngle(textpage.raw, i) == 0,
                      "size": pdfium_c.FPDFText_GetFontSize(textpage.raw, i),
                      "fontname": name.raw[:max(length - 1, 0)].decode("utf-8", "replace")})
    return chars


def _drawings(page, height: float) -> tuple[list[dict], list[float]]:
    """Stroked straight lines (ends, stroke grey and width; origin top left) and the tops of every other drawn
    shape, image or embedded figure on the page."""
    lines, shapes = [], []
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    stroke_width, fill, stroke = ctypes.c_float(), ctypes.c_int(), ctypes.c_int()
    x, y = ctypes.c_float(), ctypes.c_float()
    for item in page.get_objects(max_depth=0):
        if item.type == pdfium_c.FPDF_PAGEOBJ_PATH and pdfium_c.FPDFPath_CountSegments(item.raw) == 2 \
                and pdfium_c.FPDFPath_GetDrawMode(item.raw, fill, stroke) and stroke.value:
            pdfium_c.FPDFPageObj_GetStrokeColor(item.raw, red, green, blue, alpha)
            pdfium_c.FPDFPageObj_GetStrokeWidth(item.raw, stroke_width)
            matrix, ends = item.get_matrix(), []
            for k in range(2):
                pdfium_c.FPDFPathSegment_GetPoint(pdfium_c.FPDFPath_GetPathSegment(item.raw, k), x, y)
                ends.append(matrix.on_point(x.value, y.value))
            lines.append({"x0": min(e[0] for e in ends), "x1": max(e[0] for e in ends),
                          "top": height - max(e[1] for e in ends), "bottom": height - min(e[1] for e in ends),
                          "stroking_color": (red.value / 255, green.value / 255, blue.value / 255),
                          "linewidth": stroke_width.value})
        elif item.type != pdfium_c.FPDF_PAGEOBJ_TEXT:
            shapes.append(height - item.get_bounds()[3])
    return lines, shapes


def _grey(colour) -> float | None:
    """A stroke colour as one grey level, or None when it is not grey."""
    values = colour if isinstance(colour, (tuple, list)) else (colour,)
    if not values or any(not isinstance(v, (int, float)) for v in values) or max(values) - min(values) > 0.01:
        return None
    return float(values[0])


def _layout(text_lines: list[dict], drawn_lines: list[dict], shapes: list[float]) -> Layout:
    lines = tuple((line["top"], line["text"], all("Bold" in c["fontname"] for c in line["chars"])
                   and min(c["size"] for c in line["chars"]) >= BODY_SIZE - 0.5)
                  for line in text_lines if line["chars"])
    rules = []
    for line in drawn_lines:
        grey = _grey(line.get("stroking_color"))
        if abs(line["top"] - line["bottom"]) > 0.5 or line["x1"] - line["x0"] < 50 or grey is None:
            continue
        if abs(grey - HAIRLINE_GREY) < 0.02 and abs(line["linewidth"] - HAIRLINE_WIDTH) < 0.05:
            rules.append((line["x0"], line["x1"], line["top"], False))
        elif grey < 0.01:
            rules.append((line["x0"], line["x1"], line["top"], True))
    return Layout(lines, tuple(sorted(rules, key=lambda r: r[2])), tuple(shapes))


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
