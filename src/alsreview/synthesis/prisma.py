"""The PRISMA 2020 flow diagram, drawn from the flow-of-records table.

Two steps, so that another flow (for example an update: previous studies plus new records) needs only its
own boxes table: `flow_boxes` turns this review's flow of records into a tidy table with one row per box
(stage, column, title, n, detail lines, the boxes its arrows point to); `plot_prisma` draws any such table.
"""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import FancyBboxPatch

from .figure_style import PRINT_WIDTH_IN

BOX_COLUMNS = ["box", "stage", "column", "title", "n", "detail", "to"]
SUB_ROW = "of which"
FONT_PT = 7.5


def line(description: str, n) -> str:
    return f"{description} (n = {int(n)})"


def flow_boxes(flow: pd.DataFrame) -> pd.DataFrame:
    """This review's boxes: all works identified, then classified; the works that are not primary studies of
    exercise branch off to the side; the studies testing exercise go on to the synthesis. Every n is summed
    from the flow's rows."""
    stage = {name: rows for name, rows in flow.groupby("data", sort=False)}
    included = stage["included"]
    main = included[~included["description"].str.startswith(SUB_ROW)].iloc[0]
    parts = included[included["description"].str.startswith(SUB_ROW)]
    aside = included[~included["description"].str.startswith(SUB_ROW) & (included.index != main.name)]
    boxes = [
        ("identified", "Identification", 0, "Works identified", stage["identification"]["n"].sum(),
         [line(r.description, r.n) for r in stage["identification"].itertuples()], "classified"),
        ("classified", "Screening", 0, "Works classified", stage["screening"]["n"].sum(),
         [line(r.description, r.n) for r in stage["screening"].itertuples()], "included aside"),
        ("aside", "Screening", 1, "Not primary studies of exercise", aside["n"].sum(),
         [line(r.description, r.n) for r in aside.itertuples()], ""),
        ("included", "Included", 0, main["description"], main["n"],
         [line(r.description[len(SUB_ROW):].strip().capitalize(), r.n) for r in parts.itertuples()], "synthesis"),
        ("synthesis", "Synthesis", 0, "In the synthesis", None,
         [line(r.description, r.n) for r in stage["synthesis"].itertuples()], ""),
    ]
    return pd.DataFrame([(b, s, c, t, None if n is None else int(n), "\n".join(d), to) for b, s, c, t, n, d, to in boxes],
                        columns=BOX_COLUMNS)


def box_text(box, chars: int) -> str:
    """The box's heading and its detail lines, each wrapped to the box width (continuations indented)."""
    head = box.title if pd.isna(box.n) else line(box.title, box.n)
    head = head.replace("(n = ", "(n\u00a0=\u00a0")  # textwrap breaks only at ASCII spaces: keep "n = 12" whole
    lines = textwrap.wrap(head, chars)
    for detail in filter(None, str(box.detail or "").split("\n")):
        lines += textwrap.wrap("– " + detail.replace("(n = ", "(n\u00a0=\u00a0"), chars, subsequent_indent="   ")
    return "\n".join(lines).replace("\u00a0", " ")


def plot_prisma(boxes: pd.DataFrame, width: float = PRINT_WIDTH_IN):
    """Boxes in rows by stage (in the order the table gives them) and in columns (0 is the main flow, higher
    numbers branch to the right); an arrow from each box to every box named in its 'to' column."""
    stages = list(dict.fromkeys(boxes["stage"]))
    columns = sorted(boxes["column"].unique())
    label_w, col_gap = 0.3, 0.35
    col_w = (width - label_w - 0.1 - col_gap * (len(columns) - 1)) / len(columns)
    chars = int((col_w - 0.16) * 72 / (FONT_PT * 0.56))  # DejaVu Sans averages about 0.56 em per character
    texts = {b.box: box_text(b, chars) for b in boxes.itertuples()}
    lines_in = {name: text.count("\n") + 1 for name, text in texts.items()}
    row_lines = [max(lines_in[b] for b in boxes.loc[boxes["stage"] == s, "box"]) for s in stages]
    line_h, gap, pad = FONT_PT * 1.3 / 72, 0.28, 0.07  # inches
    heights = [max(n * line_h + 2 * pad, 0.95) for n in row_lines]  # room for the rotated stage name
    total = sum(heights) + gap * (len(stages) - 1)
    fig = plt.figure(figsize=(width, total + 0.1))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, total + 0.1)
    ax.set_axis_off()
    place = {}
    top = total + 0.05
    for stage, height in zip(stages, heights):
        bottom = top - height
        ax.add_patch(FancyBboxPatch((0.02, bottom), label_w - 0.08, height, boxstyle="round,pad=0,rounding_size=0.05",
                                    facecolor="#d9e6f2", edgecolor="none"))
        ax.text(0.02 + (label_w - 0.08) / 2, bottom + height / 2, stage, rotation=90, ha="center", va="center",
                fontsize=FONT_PT, fontweight="bold")
        for b in boxes[boxes["stage"] == stage].itertuples():
            x = label_w + columns.index(b.column) * (col_w + col_gap)
            h = lines_in[b.box] * line_h + 2 * pad
            y = bottom + (height - h) / 2
            ax.add_patch(FancyBboxPatch((x, y), col_w, h, boxstyle="square,pad=0", facecolor="white",
                                        edgecolor="black", linewidth=0.7))
            ax.text(x + 0.08, y + h - pad, texts[b.box], ha="left", va="top", fontsize=FONT_PT, linespacing=1.3)
            place[b.box] = (x, y, h)
        top = bottom - gap
    for b in boxes.itertuples():
        for target in str(b.to or "").split():
            if target not in place:
                continue
            (sx, sy, _), (tx, ty, th) = place[b.box], place[target]
            if tx > sx + 1e-9:
                start, end = (sx + col_w, ty + th / 2), (tx, ty + th / 2)
            else:
                start, end = (sx + col_w / 2, sy), (tx + col_w / 2, ty + th)
            ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 0.8})
    return fig
