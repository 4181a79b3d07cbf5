"""Writing outputs: tables as CSV and Markdown, figures as SVG and PNG, byte-identical for the same inputs.

Text from the data is made safe on the way out: Markdown cells and values go through the escaping module
(document/escape.py), so a title holding <script>, a link or a shortcode arrives as text, and CSV text cells that a
spreadsheet would run as a formula are prefixed with an apostrophe.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd

from .escape import CITATION_KEY, cite, escape_text, meta_text
from .reader_tables import for_reader, heading

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
def neutralise_formula(value):
    """'=1+1' becomes "'=1+1"; numbers, including negative ones, stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def markdown_cell(value) -> str:
    """Numbers formatted as numbers; any text escaped so that it renders literally."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3e}"
    if isinstance(value, int):
        return str(value)
    return escape_text(value)


# Widths are planned in characters of the 8 pt table font: a portrait A4 page with 2 cm margins holds about
# 130 of them, a landscape page about 200. A table whose words cannot fit a portrait line is printed landscape
# (the report wraps it in a `.landscape` div; a test checks that it does).
LINE_CHARS = 130
# Every Markdown table ends with an HTML comment (invisible in both formats). For the PDF, Quarto first reads the
# whole document with plain pandoc Markdown to look for level-one headings; there, the '<' of each {{< meta >}}
# shortcode makes pandoc look ahead for raw HTML up to the next '<', through every table that follows. A '<' after
# each table bounds that look-ahead: the PDF render drops from about 58 s to 26 s.
TABLE_END = "\n<!-- end of generated table -->\n"
LANDSCAPE_CHARS = 200


def citation_cell(value, names: dict[str, str] | None = None) -> str:
    """A study key shown by its name with its Quarto citation ('Drory 2001 @drory2001', linked to the reference
    list); anything that is not a well-formed key is shown as escaped text, so citation markup never comes from
    free text. When `names` is given, only its keys are cited: anything else (a work removed since a release) is
    not in the bibliography and is shown as text."""
    if not isinstance(value, str):
        return markdown_cell(value)
    parts = []
    for key in value.split("; "):
        try:
            # The name stays visible beside its citation: numbered styles (AMA) would otherwise show a bare number.
            parts.append(f"{escape_text((names or {}).get(key, key))} {cite(key)}" if names is None or key in names else
                         markdown_cell(key))
        except ValueError:
            return markdown_cell(value)
    return "; ".join(parts)


def cell_texts(frame: pd.DataFrame, citations: tuple[str, ...] = (),
               names: dict[str, str] | None = None) -> tuple[list[str], list[list[str]]]:
    header = [escape_text(str(c).replace("_", " ")) for c in frame.columns]
    cells = [(lambda v: citation_cell(v, names)) if c in citations else markdown_cell for c in frame.columns]
    return header, [[cell(v) for cell, v in zip(cells, row)] for row in frame.itertuples(index=False)]


def _words(cell: str, title: str) -> list[str]:
    """The unbreakable pieces of a cell: its words, or the whole cell in a Study column (a name kept on one line)."""
    return [cell] if title.lower() == "study" and cell else cell.split()


def column_needs(header: list[str], rows: list[list[str]]) -> tuple[list[int], list[int]]:
    """Per column, the width its longest word needs (bold in the header) and the width its text would like."""
    need, want = [], []
    for i, title in enumerate(header):
        cells = [row[i] for row in rows]
        longest = max([round(1.15 * len(w)) for w in title.split()] + [len(w) for c in cells for w in _words(c, title)]
                      + [3])
        lengths = sorted(len(c) for c in cells) or [0]
        need.append(longest + 2)
        want.append(max(longest + 2, min(lengths[math.ceil(0.9 * (len(lengths) - 1))], 150)))
    return need, want


def needs_landscape(frame: pd.DataFrame) -> bool:
    """True when the table's columns cannot all show their longest word on a portrait page."""
    return sum(column_needs(*cell_texts(frame))[0]) > LINE_CHARS


def column_widths(header: list[str], rows: list[list[str]]) -> list[int]:
    """Every column at least as wide as its longest word, so no word runs into its neighbour; the room left
    goes to the columns with long text, in proportion to what they would need."""
    need, want = column_needs(header, rows)
    line = LINE_CHARS if sum(need) <= LINE_CHARS else LANDSCAPE_CHARS
    spare, extra = line - sum(need), sum(want) - sum(need)
    if spare <= 0 or extra <= 0:
        return need
    share = min(1.0, spare / extra)
    return [n + round((w - n) * share) for n, w in zip(need, want)]


def is_numeric(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(PLAIN_NUMBER.match(c.replace("−", "-")) for c in filled)


def to_markdown(frame: pd.DataFrame, citations: tuple[str, ...] = (), names: dict[str, str] | None = None) -> str:
    """A pipe table (pandoc's default Markdown table) with escaped cells; columns named in `citations` hold
    study keys and become citations. The dashes under each header set the relative column widths pandoc
    gives the HTML and Typst tables; numeric columns align right."""
    header, rows = cell_texts(frame, citations, names)
    widths = column_widths(header, rows)
    rules = ["-" * (w - 1) + ":" if is_numeric([row[i] for row in rows]) else "-" * w for i, w in enumerate(widths)]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rules) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_table(frame: pd.DataFrame, out_dir: Path, name: str, citations: tuple[str, ...] = (),
                names: dict[str, str] | None = None) -> list[Path]:
    """name.csv (formula-safe, the data's codes) and name.md (HTML-safe, as the reader sees it, keys in
    `citations` columns cited and named by `names`, e.g. 'Drory 2001') under out_dir/tables."""
    folder = Path(out_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_formula)
    csv_path, md_path = folder / f"{name}.csv", folder / f"{name}.md"
    safe.to_csv(csv_path, index=False, lineterminator="\n", float_format="%.6g")
    md_path.write_text(to_markdown(for_reader(frame), tuple(heading(c) for c in citations), names) + TABLE_END,
                       encoding="utf-8")
    return [csv_path, md_path]


def write_figure(fig, out_dir: Path, name: str) -> list[Path]:
    """name.svg and name.png under out_dir/figures, without dates or software stamps."""
    import matplotlib.pyplot as plt

    folder = Path(out_dir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    svg, png = folder / f"{name}.svg", folder / f"{name}.png"
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    fig.savefig(png, format="png", metadata={"Software": None})
    plt.close(fig)
    return [svg, png]


def _meta(value):
    """Every string inside lists and mappings (the front matter's authors) escaped as well."""
    if isinstance(value, str):
        return meta_text(value)
    if isinstance(value, dict):
        return {k: _meta(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_meta(v) for v in value]
    return value


def write_values(values: dict, out_dir: Path, name: str) -> Path:
    """Numbers and words the report's prose quotes, as JSON (the build merges them into values.yml for Quarto).
    Strings are stored in the form Quarto shows literally (escape.meta_text); numbers stay numbers."""
    values = {k: _meta(v) for k, v in values.items()}
    folder = Path(out_dir) / "values"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(values, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_prose(markdown: str, out_dir: Path, name: str) -> Path:
    """A generated passage of the report as out_dir/prose/name.md (included by report/index.qmd)."""
    folder = Path(out_dir) / "prose"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(markdown, encoding="utf-8")
    return path


def write_citations(keys: list[str], out_dir: Path) -> Path:
    """out_dir/citations.yml, a Quarto metadata file whose nocite puts every listed work in the reference list."""
    import yaml

    cited = [k for k in keys if CITATION_KEY.match(k)]
    path = Path(out_dir) / "citations.yml"
    path.write_text(yaml.safe_dump({"nocite": ", ".join(f"@{k}" for k in cited)}, allow_unicode=True, width=10_000),
                    encoding="utf-8")
    return path
