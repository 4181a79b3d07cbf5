"""Writing outputs: tables as CSV and Markdown, figures as SVG and PNG, byte-identical for the same inputs.

Text from the data is made safe on the way out: Markdown cells and values go through the escaping module
(escape.py), so a title holding <script>, a link or a shortcode arrives as text, and CSV text cells that a
spreadsheet would run as a formula are prefixed with an apostrophe.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib
import pandas as pd

from .escape import escape_text, meta_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
DETERMINISTIC_RC = {
    "svg.hashsalt": "alsreview",
    "font.family": "DejaVu Sans",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "path.simplify": True,
    "text.parse_math": False,  # data text holding `$...$` is a label, not mathtext (which can fail to parse)
}


def use_deterministic_style() -> None:
    """Matplotlib settings that make SVG and PNG bytes depend only on the data."""
    matplotlib.use("Agg")
    matplotlib.rcParams.update(DETERMINISTIC_RC)


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


def to_markdown(frame: pd.DataFrame) -> str:
    """A pipe table (pandoc's default Markdown table) with escaped cells."""
    header = [escape_text(str(c).replace("_", " ")) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(markdown_cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def write_table(frame: pd.DataFrame, out_dir: Path, name: str) -> list[Path]:
    """name.csv (formula-safe) and name.md (HTML-safe) under out_dir/tables."""
    folder = Path(out_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_formula)
    csv_path, md_path = folder / f"{name}.csv", folder / f"{name}.md"
    safe.to_csv(csv_path, index=False, lineterminator="\n", float_format="%.6g")
    md_path.write_text(to_markdown(frame), encoding="utf-8")
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


def write_values(values: dict, out_dir: Path, name: str) -> Path:
    """Numbers and words the report's prose quotes, as JSON (the build merges them into values.yml for Quarto).
    Strings are stored in the form Quarto shows literally (escape.meta_text); numbers stay numbers."""
    values = {k: meta_text(v) if isinstance(v, str) else v for k, v in values.items()}
    folder = Path(out_dir) / "values"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(values, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
