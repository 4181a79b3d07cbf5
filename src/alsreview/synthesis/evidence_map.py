"""The evidence map: exercise modality x outcome domain, as a table and as a figure, with direct evidence
(ALS models, people with ALS) kept apart from indirect evidence (healthy or other-disease models)."""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox

from ..data.labels import DIRECTION_COLOURS, DIRECTIONS, DIRECTNESS, DIRECTNESS_LABELS, direction_words, label
from ..data.subset import exercise_outcomes
from .figure_style import PRINT_WIDTH_IN
from .summary import count_directions, study_directions

HARM_COLOUR = DIRECTION_COLOURS["harmful"]
HARM_LINE_PT = 1.5
TEXT_PT = 7  # the smallest size used; the map is drawn no wider than it prints, so its text prints at 7 pt or more
PANEL_TITLES = {
    DIRECTNESS_LABELS["direct"]: "Direct evidence: ALS models and people with ALS",
    DIRECTNESS_LABELS["indirect"]: "Indirect evidence: healthy animals and other-disease models",
}
MAP_NOTE = ("Each cell: the number of studies (top) and one block per direction their outcomes show, giving how many "
            "of them show it. A study counts under each direction its outcomes show, so the blocks can add up to more "
            "than the studies. Cells with a harmful outcome are outlined.")
# Where a cell's parts sit, as fractions of its unit square (rows grow downwards).
TOTAL_Y = 0.27
BLOCKS_TOP, BLOCKS_BOTTOM = 0.46, 0.9
BLOCKS_INSET, BLOCK_GAP = 0.08, 0.04
ROW_IN = 0.3  # one modality row: room for the total above a row of blocks, both at 7 pt
LEGEND_ROWS = 1  # the key's row, in modality rows
FIXED_HEIGHT_IN = 2.4  # title, legend, panel titles, the domain names and the note
LAYOUT_DECIMALS = 4  # axes positions, in fractions of the figure: 1e-4 of 6.5 in is under 0.001 in


def evidence_map(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Long table: studies of exercise training per evidence kind, modality and domain, with their directions."""
    per_study = study_directions(exercise_outcomes(tables), tables["interventions"], ["modality", "domain"])
    population = per_study["study_id"].map(tables["studies"].set_index("study_id")["population"])
    per_study.insert(1, "evidence", population.map(DIRECTNESS).map(DIRECTNESS_LABELS))
    table = count_directions(per_study, ["evidence", "modality", "domain"])
    order = {label: i for i, label in enumerate(DIRECTNESS_LABELS.values())}
    return table.sort_values(["evidence", "modality", "domain"],
                             key=lambda c: c.map(order) if c.name == "evidence" else c).reset_index(drop=True)


def evidence_matrix(map_table: pd.DataFrame, values: str = "studies") -> pd.DataFrame:
    """Wide matrix of one count (studies by default), modalities as rows and domains as columns (zeros where
    nothing was studied). Pass the rows of one evidence kind to keep direct and indirect evidence apart."""
    if map_table.empty:
        return pd.DataFrame()
    return map_table.pivot_table(index="modality", columns="domain", values=values, aggfunc="sum").fillna(0).astype(int)


def cell_directions(row: pd.Series) -> list[tuple[str, int]]:
    """The directions a cell's studies show, with how many show each, in the data dictionary's order, so every
    cell reads in the same order and a direction nobody found takes no room."""
    return [(d, int(row[d])) for d in DIRECTIONS if row[d] > 0]


def block_spans(n: int, left: float, right: float, gap: float) -> list[tuple[float, float]]:
    """(start, width) of n equal blocks between left and right: equal widths leave each count as much room as
    the others, whatever its size."""
    width = (right - left - gap * (n - 1)) / n
    return [(left + k * (width + gap), width) for k in range(n)]


def ink_for(colour: str) -> str:
    """Black or white, whichever contrasts more with the colour (WCAG relative luminance)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def _draw_cell(ax, x: int, y: int, row: pd.Series) -> None:
    """The total at the top of the cell, one direction-coloured block per direction below it."""
    ax.text(x + 0.5, y + TOTAL_Y, str(int(row["studies"])), ha="center", va="center", fontsize=TEXT_PT)
    shown = cell_directions(row)
    spans = block_spans(len(shown), x + BLOCKS_INSET, x + 1 - BLOCKS_INSET, BLOCK_GAP) if shown else []
    for (direction, n), (start, width) in zip(shown, spans):
        colour = DIRECTION_COLOURS[direction]
        ax.add_patch(Rectangle((start, y + BLOCKS_TOP), width, BLOCKS_BOTTOM - BLOCKS_TOP, facecolor=colour,
                               edgecolor="none", gid=f"direction-{direction}"))
        ax.text(start + width / 2, y + (BLOCKS_TOP + BLOCKS_BOTTOM) / 2, str(n), ha="center", va="center",
                fontsize=TEXT_PT, color=ink_for(colour))
    if row["harmful"] > 0:
        ax.add_patch(Rectangle((x + 0.03, y + 0.03), 0.94, 0.94, fill=False, edgecolor=HARM_COLOUR,
                               linewidth=HARM_LINE_PT, gid="harm-outline"))


def _draw_panel(ax, rows: pd.DataFrame, title: str, domains: list[str], name_domains: bool) -> None:
    """One evidence kind: a grid of modalities by domains, the domains in the same columns in every panel."""
    modalities = sorted(rows["modality"].unique())
    for _, row in rows.iterrows():
        _draw_cell(ax, domains.index(row["domain"]), modalities.index(row["modality"]), row)
    ax.set_xlim(0, len(domains))
    ax.set_ylim(len(modalities), 0)
    ax.set_xticks([j + 0.5 for j in range(len(domains))], [label(d) for d in domains], rotation=40, ha="right",
                  rotation_mode="anchor", fontsize=TEXT_PT)
    ax.set_yticks([i + 0.5 for i in range(len(modalities))], [label(m) for m in modalities], fontsize=TEXT_PT)
    ax.set_xticks(range(len(domains) + 1), minor=True)
    ax.set_yticks(range(len(modalities) + 1), minor=True)
    ax.grid(which="minor", color="#d9d9d9", linewidth=0.6)
    ax.tick_params(which="both", length=0, labelbottom=name_domains)
    ax.set_title(title, fontsize=TEXT_PT + 1)


def direction_handles() -> list[Patch]:
    """Legend entries: every direction in the data dictionary's words and colours, then the harm outline."""
    blocks = [Patch(facecolor=DIRECTION_COLOURS[d], label=direction_words(d)) for d in DIRECTIONS]
    outline = Patch(facecolor="none", edgecolor=HARM_COLOUR, linewidth=HARM_LINE_PT, label="cell with harm")
    return [*blocks, outline]


def _draw_legend(ax) -> None:
    """The direction key in a row of its own above the panels, where the layout keeps it clear of every title."""
    ax.set_axis_off()
    ax.legend(handles=direction_handles(), loc="center", ncol=len(DIRECTIONS) + 1, fontsize=TEXT_PT, frameon=False,
              handlelength=1.2, handletextpad=0.4, columnspacing=1.2)


def freeze_layout(fig, decimals: int = LAYOUT_DECIMALS):
    """Lay the figure out once, then pin every axes where it landed, rounded. The constrained-layout solver's
    last bits vary from run to run, and the SVG names its clip paths by hashing the axes' exact positions, so
    an unpinned layout gives different SVG bytes for the same data."""
    fig.draw_without_rendering()
    for ax in fig.axes:
        ax.set_position(Bbox.from_extents(*(round(float(v), decimals) for v in ax.get_position().extents)))
    fig.set_layout_engine("none")
    return fig


def plot_evidence_map(map_table: pd.DataFrame, title: str = "Evidence map: studies per modality and outcome domain"):
    """One panel per kind of evidence (direct first); each cell gives its number of studies and, in direction
    colours, how many of them show each direction, and cells holding a harmful outcome are outlined."""
    kinds = [k for k in DIRECTNESS_LABELS.values() if not map_table.empty and (map_table["evidence"] == k).any()]
    if not kinds:
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, 2))
        ax.text(0.5, 0.5, "No outcomes in this selection", ha="center", va="center", fontsize=TEXT_PT + 1)
        ax.set_axis_off()
        return fig
    panels = [map_table.loc[map_table["evidence"] == k] for k in kinds]
    heights = [p["modality"].nunique() for p in panels]
    fig, axes = plt.subplots(len(kinds) + 1, 1, figsize=(PRINT_WIDTH_IN, ROW_IN * sum(heights) + FIXED_HEIGHT_IN),
                             gridspec_kw={"height_ratios": [LEGEND_ROWS, *heights]}, layout="constrained")
    _draw_legend(axes[0])
    domains = sorted(map_table["domain"].unique())
    for k, (ax, kind, rows) in enumerate(zip(axes[1:], kinds, panels)):
        _draw_panel(ax, rows, PANEL_TITLES[kind], domains, name_domains=k == len(kinds) - 1)
    fig.suptitle(title, fontsize=TEXT_PT + 2)
    fig.supxlabel(textwrap.fill(MAP_NOTE, 115), fontsize=TEXT_PT)
    return freeze_layout(fig)
