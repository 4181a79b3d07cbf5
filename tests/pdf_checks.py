"""What a reader of the PDF would notice, read back from the PDF itself with pdfplumber: text that prints over
other text, text outside the page margins, and table rows that never reached the page."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pdfplumber

PAGE_NUMBER = re.compile(r"^\d{1,3}$")


def version(path: Path) -> tuple[str, int, int]:
    """A PDF as a cache key: reading a 60-page PDF takes pdfplumber about 20 s, so each version is read once."""
    stat = Path(path).stat()
    return str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size


def words_by_page(pdf_path: Path) -> list[tuple[float, float, list[dict]]]:
    """(width, height, words) for every page; each word has text and x0, x1, top, bottom in points."""
    return _read(version(pdf_path))[0]


@lru_cache(maxsize=4)
def _read(key: tuple[str, int, int]) -> tuple[list[tuple[float, float, list[dict]]], str]:
    """Words and text of every page in one pass: pdfplumber parses a page's characters once for both."""
    pages, texts = [], []
    with pdfplumber.open(key[0]) as pdf:
        for page in pdf.pages:
            pages.append((page.width, page.height, page.extract_words(keep_blank_chars=False, use_text_flow=True)))
            texts.append(page.extract_text() or "")
    return pages, "\n".join(texts)


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
