"""The evidence map: exercise modality x outcome domain, as a table and as a heatmap, with direct evidence
(ALS models, people with ALS) kept apart from indirect evidence (healthy or other-disease models)."""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm
from matplotlib.patches import Rectangle

from ..data.labels import DIRECTNESS, DIRECTNESS_LABELS, label
from ..data.subset import exercise_outcomes
from .figure_style import PRINT_WIDTH_IN
from .summary import count_directions, study_directions

HARM_COLOUR = "#D55E00"  # Okabe-Ito vermillion
PANEL_TITLES = {
    DIRECTNESS_LABELS["direct"]: "Direct evidence: ALS models and people with ALS",
    DIRECTNESS_LABELS["indirect"]: "Indirect evidence: healthy animals and other-disease models",
}
MAP_NOTE = ("Cell label: studies finding benefit / all studies; 'harm n': studies with a harmful outcome (cell outlined). "
            "A study counts under each direction its outcomes show.")


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


def _draw_panel(ax, rows: pd.DataFrame, top: int, title: str, domains: list[str]):
    matrix = evidence_matrix(rows).reindex(columns=domains, fill_value=0)
    beneficial = evidence_matrix(rows, "beneficial").reindex_like(matrix).fillna(0).astype(int)
    harmful = evidence_matrix(rows, "harmful").reindex_like(matrix).fillna(0).astype(int)
    # One colour per whole number of studies, so the scale counts studies, not fractions of them.
    norm = BoundaryNorm(np.arange(-0.5, top + 1.5), plt.get_cmap("Blues").N)
    image = ax.imshow(matrix.to_numpy(), cmap="Blues", norm=norm, aspect="auto")
    for (i, j), n in np.ndenumerate(matrix.to_numpy()):
        if not n:
            continue
        colour = "white" if n > top / 2 else "black"
        text = f"{beneficial.iat[i, j]}/{n}"
        if harmful.iat[i, j]:
            text += f"\nharm {harmful.iat[i, j]}"
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=HARM_COLOUR, linewidth=2.5,
                                   gid="harm-outline"))
        ax.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(len(matrix.columns)), [label(c) for c in matrix.columns], rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(matrix.index)), [label(r) for r in matrix.index], fontsize=8)
    ax.set_title(title, fontsize=9)
    return image


def plot_evidence_map(map_table: pd.DataFrame, title: str = "Evidence map: studies per modality and outcome domain"):
    """One heatmap panel per kind of evidence (direct first); each cell shows studies finding benefit over all
    studies, and cells holding a study with a harmful outcome are outlined and say how many."""
    kinds = [k for k in DIRECTNESS_LABELS.values() if not map_table.empty and (map_table["evidence"] == k).any()]
    if not kinds:
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.text(0.5, 0.5, "No outcomes in this selection", ha="center", va="center")
        ax.set_axis_off()
        return fig
    panels = [map_table.loc[map_table["evidence"] == k] for k in kinds]
    heights = [max(1, p["modality"].nunique()) for p in panels]
    width = PRINT_WIDTH_IN
    fig, axes = plt.subplots(len(kinds), 1, figsize=(width, sum(0.26 * h + 1.4 for h in heights) + 0.7),
                             gridspec_kw={"height_ratios": [h + 3 for h in heights]}, squeeze=False, layout="constrained")
    top = int(map_table["studies"].max())
    domains = sorted(map_table["domain"].unique())  # the same columns in every panel, so domains line up
    for ax, kind, rows in zip(axes[:, 0], kinds, panels):
        image = _draw_panel(ax, rows, top, PANEL_TITLES[kind], domains)
    fig.colorbar(image, ax=list(axes[:, 0]), label="Studies", shrink=0.8, ticks=range(0, top + 1))
    fig.suptitle(title, fontsize=10)
    fig.supxlabel(textwrap.fill(MAP_NOTE, 120), fontsize=7)
    return fig
