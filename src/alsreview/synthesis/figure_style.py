"""How every figure is drawn: at the width it prints, in one pinned style, so that the same data give the same
SVG and PNG bytes."""
from __future__ import annotations

import matplotlib

# Figures are drawn at the size they print: the text width of an A4 page with 2 cm margins (6.69 in), with
# no text under 7 pt, so the PDF and the HTML show them at their natural size.
PRINT_WIDTH_IN = 6.5
DETERMINISTIC_RC = {
    "svg.hashsalt": "alsreview",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "path.simplify": True,
    "text.parse_math": False,  # data text holding `$...$` is a label, not mathtext (which can fail to parse)
}


def use_deterministic_style() -> None:
    """Matplotlib settings that make SVG and PNG bytes depend only on the data."""
    matplotlib.use("Agg")
    matplotlib.rcParams.update(DETERMINISTIC_RC)
