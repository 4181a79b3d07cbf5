"""Risk of bias of the trials, as a published review judged it: a wide table and a traffic-light chart
(the layout robvis uses: studies as rows, domains as columns, the overall judgement last)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..data.labels import label
from .figure_style import PRINT_WIDTH_IN

DOMAINS = ["random_sequence_generation", "allocation_concealment", "blinding", "incomplete_outcome_data",
           "selective_reporting", "other_bias", "overall"]
# Okabe-Ito colours, with a symbol in each circle so that colour is never the only cue.
JUDGEMENT_STYLE = {"low": ("#009E73", "+"), "unclear": ("#F0E442", "?"), "high": ("#D55E00", "−")}


def risk_of_bias_table(rob: pd.DataFrame) -> pd.DataFrame:
    """One row per trial and assessing review, one column per domain that any row uses."""
    if rob.empty:
        return pd.DataFrame(columns=["study", "assessed_by"])
    wide = rob.pivot(index=["study_id", "assessed_by"], columns="domain", values="judgement")
    wide = wide[[d for d in DOMAINS if d in wide.columns]].fillna("")
    wide.columns.name = None
    return wide.reset_index().rename(columns={"study_id": "study"})


def plot_risk_of_bias(table: pd.DataFrame, title: str = "Risk of bias of the human trials"):
    domains = [c for c in table.columns if c not in ("study", "assessed_by")]
    fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, 0.5 * max(len(table), 1) + 2.0))
    if table.empty:
        ax.text(0.5, 0.5, "No risk-of-bias judgements in this selection", ha="center", va="center")
        ax.set_axis_off()
        return fig
    for i, row in enumerate(table.itertuples(index=False)):
        y = len(table) - 1 - i
        for j, domain in enumerate(domains):
            judgement = getattr(row, domain)
            if judgement:
                colour, symbol = JUDGEMENT_STYLE[judgement]
                ax.scatter(j, y, s=260, color=colour, edgecolor="black", linewidth=0.5)
                ax.text(j, y, symbol, ha="center", va="center", fontsize=9, fontweight="bold")
    ax.set_xticks(range(len(domains)), [label(d) for d in domains], rotation=30, ha="right")
    labels = [f"{r.study} (by {r.assessed_by})" for r in table.itertuples(index=False)]
    ax.set_yticks(range(len(table))[::-1], labels)
    ax.set_xlim(-0.6, len(domains) - 0.4)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.set_title(f"{title}\n(+ low, ? unclear, − high)")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig
