"""Figures over publication time: the swimlane timeline and the cumulative count by evidence type."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from ..data.labels import EVIDENCE_COLOURS, EVIDENCE_TYPE, SPECIES_LANES
from .figure_style import PRINT_WIDTH_IN


def timeline_data(studies: pd.DataFrame) -> pd.DataFrame:
    """One point per study: its year, lane (species) and a vertical offset so same-year studies do not overlap."""
    frame = studies[["study_id", "year", "evidence_type", "species"]].copy()
    frame = frame.sort_values(["species", "year", "evidence_type", "study_id"]).reset_index(drop=True)
    lanes = list(SPECIES_LANES)
    frame["lane"] = frame["species"].map(lanes.index)
    rank = frame.groupby(["species", "year"]).cumcount()
    size = frame.groupby(["species", "year"])["study_id"].transform("count")
    frame["offset"] = (rank - (size - 1) / 2) * 0.22
    frame["y"] = frame["lane"] + frame["offset"]
    return frame


def plot_timeline(points: pd.DataFrame, title: str = "Cited works by publication year"):
    """Swimlanes by species, points coloured by evidence type. Points carry no study names: at print size
    the works of one year crowd each other, and the characteristics table lists every study by year."""
    lanes = list(SPECIES_LANES)
    fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, 3.4))
    for evidence, group in points.groupby("evidence_type", sort=True):
        ax.scatter(group["year"], group["y"], s=46, color=EVIDENCE_COLOURS[evidence], edgecolor="black",
                   linewidth=0.4, zorder=3)
    ax.set_yticks(range(len(lanes)), [SPECIES_LANES[s] for s in lanes])
    ax.set_ylim(-0.7, len(lanes) - 0.3)
    for i in range(len(lanes)):
        ax.axhline(i, color="#dddddd", linewidth=0.6, zorder=1)
    if len(points):
        ax.set_xlim(points["year"].min() - 1, points["year"].max() + 3)
    ax.set_xlabel("Publication year")
    ax.set_title(title)
    present = [e for e in EVIDENCE_TYPE if e in set(points["evidence_type"])]
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor=EVIDENCE_COLOURS[e], markeredgecolor="black",
                      markeredgewidth=0.4, label=EVIDENCE_TYPE[e]) for e in present]
    ax.legend(handles=handles, loc="upper left", frameon=False, bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def cumulative_counts(studies: pd.DataFrame) -> pd.DataFrame:
    """Works published up to each year, one column per evidence type (years without publications included)."""
    if studies.empty:
        return pd.DataFrame()
    per_year = pd.crosstab(studies["year"].astype(int), studies["evidence_type"])
    years = range(int(per_year.index.min()), int(per_year.index.max()) + 1)
    per_year = per_year.reindex(years, fill_value=0)
    order = [e for e in EVIDENCE_TYPE if e in per_year.columns]
    cumulative = per_year[order].cumsum()
    cumulative.index.name = "year"
    cumulative.columns.name = None
    return cumulative


def plot_cumulative(cumulative: pd.DataFrame, title: str = "Cumulative number of cited works by evidence type"):
    fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, 3.2))
    if cumulative.empty:
        ax.text(0.5, 0.5, "No works in this selection", ha="center", va="center")
        ax.set_axis_off()
        return fig
    ax.stackplot(cumulative.index, cumulative.T.to_numpy(), labels=[EVIDENCE_TYPE[c] for c in cumulative.columns],
                 colors=[EVIDENCE_COLOURS[c] for c in cumulative.columns], alpha=0.85)
    ax.set_xlabel("Publication year")
    ax.set_ylabel("Works published so far")
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig
