"""The evidence map: exercise modality x outcome domain, as a table and as a heatmap."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm

from .export import PRINT_WIDTH_IN
from .labels import label
from .summary import count_directions, study_directions


def evidence_map(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Long table: studies per modality and domain, with their directions."""
    per_study = study_directions(tables["outcomes"], tables["interventions"], ["modality", "domain"])
    return count_directions(per_study, ["modality", "domain"])


def evidence_matrix(map_table: pd.DataFrame) -> pd.DataFrame:
    """Wide matrix of study counts, modalities as rows and domains as columns (zeros where nothing was studied)."""
    if map_table.empty:
        return pd.DataFrame()
    return map_table.pivot(index="modality", columns="domain", values="studies").fillna(0).astype(int)


def plot_evidence_map(map_table: pd.DataFrame, title: str = "Evidence map: studies per modality and outcome domain"):
    """Heatmap of study counts; each cell also shows how many studies found benefit (B/n)."""
    matrix = evidence_matrix(map_table)
    fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, max(3, 0.3 * max(len(matrix), 1) + 2.2)))
    if matrix.empty:
        ax.text(0.5, 0.5, "No outcomes in this selection", ha="center", va="center")
        ax.set_axis_off()
        return fig
    top = int(matrix.to_numpy().max())
    # One colour per whole number of studies, so the scale counts studies, not fractions of them.
    norm = BoundaryNorm(np.arange(-0.5, top + 1.5), plt.get_cmap("Blues").N)
    image = ax.imshow(matrix.to_numpy(), cmap="Blues", norm=norm, aspect="auto")
    beneficial = map_table.pivot(index="modality", columns="domain", values="beneficial").reindex_like(matrix).fillna(0)
    for (i, j), n in np.ndenumerate(matrix.to_numpy()):
        if n:
            colour = "white" if n > top / 2 else "black"
            ax.text(j, i, f"{int(beneficial.iat[i, j])}/{n}", ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(len(matrix.columns)), [label(c) for c in matrix.columns], rotation=40, ha="right")
    ax.set_yticks(range(len(matrix.index)), [label(r) for r in matrix.index])
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="Studies", shrink=0.8, ticks=range(0, top + 1))
    fig.text(0.01, 0.01, "Cell label: studies finding benefit / all studies", fontsize=7, va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig
