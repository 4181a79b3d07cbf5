"""Risk of bias as the field draws it: robvis's traffic-light plot (studies as rows, the tool's domains as
columns, the overall judgement last on grey) and its summary bar plot (share of studies per judgement and
domain), in robvis's colour-blind palette with a symbol in every circle; plus the tables behind them, our
judgements beside the ones published reviews made, and the overall judgement per study for the forest plots.

The tools' domains and judgements come from rob_domains.csv; nothing here lists them.
"""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from ..data.appraisal import HUMAN_TOOLS, OURS
from .figure_style import PRINT_WIDTH_IN

# robvis's "colourblind" palette (R/helpers.R, get_colour) and its symbols; unclear shares the concerns colour.
JUDGEMENT_STYLE = {
    "low": ("#fed98e", "+", "Low"),
    "some_concerns": ("#fe9929", "−", "Some concerns"),
    "unclear": ("#fe9929", "?", "Unclear"),
    "moderate": ("#fe9929", "−", "Moderate"),
    "high": ("#d95f0e", "×", "High"),
    "serious": ("#d95f0e", "×", "Serious"),
    "critical": ("#993404", "!", "Critical"),
    "no_information": ("#ffffff", "?", "No information"),
}
TOOL_NAMES = {"rob2": "RoB 2", "robins_i": "ROBINS-I", "rob1": "Cochrane RoB 1", "syrcle": "SYRCLE"}
SEVERITY = ["low", "unclear", "some_concerns", "moderate", "no_information", "high", "serious", "critical"]


def tool_domains(tools: pd.DataFrame, tool: str) -> pd.DataFrame:
    """The tool's domains in its own order, with their labels."""
    part = tools.loc[tools["tool"] == tool].copy()
    return part.sort_values("position", key=lambda p: pd.to_numeric(p)).reset_index(drop=True)


def our_judgements(rob: pd.DataFrame) -> pd.DataFrame:
    return rob.loc[rob["assessed_by"] == OURS].reset_index(drop=True)


def overall_by_study(rob: pd.DataFrame) -> dict[str, str]:
    """study_id -> our overall judgement (RoB 2 or ROBINS-I), for the forest plots and trial tables."""
    ours = our_judgements(rob)
    overall = ours.loc[(ours["domain"] == "overall") & ours["tool"].isin(HUMAN_TOOLS)]
    return dict(zip(overall["study_id"], overall["judgement"]))


def traffic_light_table(rob: pd.DataFrame, tools: pd.DataFrame, tool: str, names: dict[str, str]) -> pd.DataFrame:
    """Our judgements by one tool: a row per study, a column per domain (the tool's order), codes as cells."""
    domains = tool_domains(tools, tool)["domain"].tolist()
    ours = our_judgements(rob)
    ours = ours.loc[ours["tool"] == tool]
    if ours.empty:
        return pd.DataFrame(columns=["study_id", "study", *domains])
    wide = ours.pivot(index="study_id", columns="domain", values="judgement").reindex(columns=domains).fillna("")
    wide.columns.name = None
    wide = wide.reset_index()
    wide.insert(1, "study", wide["study_id"].map(lambda s: names.get(s, s)))
    return wide.sort_values(["study", "study_id"]).reset_index(drop=True)


def _circle(ax, x, y, judgement, size=230):
    colour, symbol, _ = JUDGEMENT_STYLE[judgement]
    ax.scatter(x, y, s=size, color=colour, edgecolor="black", linewidth=0.6, zorder=3)
    ax.text(x, y, symbol, ha="center", va="center", fontsize=8, fontweight="bold", zorder=4)


def _legend_handles(judgements) -> list:
    return [Patch(facecolor=JUDGEMENT_STYLE[j][0], edgecolor="black", label=f"{JUDGEMENT_STYLE[j][1]}  {JUDGEMENT_STYLE[j][2]}")
            for j in judgements]


def plot_traffic_light(table: pd.DataFrame, tools: pd.DataFrame, tool: str, title: str):
    """robvis's traffic-light plot for one tool: a row per study, D1..Dn then Overall on grey, and a key to the
    domains below."""
    domains = tool_domains(tools, tool)
    codes = domains["domain"].tolist()
    short = [("Overall" if d == "overall" else label.split(" ")[0]) for d, label in zip(codes, domains["label"])]
    rows = max(len(table), 1)
    key = [f"{s}: {label.split(' ', 1)[1] if ' ' in label else label}" for s, d, label in
           zip(short, codes, domains["label"]) if d != "overall"]
    key_lines = textwrap.wrap("Domains. " + "; ".join(key) + ".", 110)
    fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, 0.34 * rows + 1.3 + 0.14 * len(key_lines)))
    if table.empty:
        ax.text(0.5, 0.5, f"No {TOOL_NAMES.get(tool, tool)} judgements in this selection", ha="center", va="center")
        ax.set_axis_off()
        return fig
    if "overall" in codes:
        ax.axvspan(codes.index("overall") - 0.5, codes.index("overall") + 0.5, color="#d3d3d3", zorder=0)
    for i, row in enumerate(table.itertuples(index=False)):
        y = len(table) - 1 - i
        for j, code in enumerate(codes):
            judgement = getattr(row, code)
            if judgement:
                _circle(ax, j, y, judgement)
    ax.set_xticks(range(len(codes)), short)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(table))[::-1], table["study"])
    ax.set_xlim(-0.5, len(codes) - 0.5)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, fontsize=9, pad=18)
    used = [j for j in JUDGEMENT_STYLE if j in set(table[codes].to_numpy().ravel())]
    ax.legend(handles=_legend_handles(used), loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              title="Judgement", fontsize=7, title_fontsize=7)
    fig.text(0.02, 0.01, "\n".join(key_lines), fontsize=7, va="bottom", ha="left")
    fig.subplots_adjust(left=0.26, right=0.74, top=1 - 0.55 / fig.get_figheight(),
                        bottom=(0.25 + 0.14 * len(key_lines)) / fig.get_figheight())
    return fig


def summary_table(rob: pd.DataFrame, tools: pd.DataFrame) -> pd.DataFrame:
    """Share of studies per judgement, by tool and domain (our judgements; unweighted, as robvis by default)."""
    ours = our_judgements(rob)
    rows = []
    for tool in dict.fromkeys(ours["tool"]):
        for domain, label in zip(tool_domains(tools, tool)["domain"], tool_domains(tools, tool)["label"]):
            part = ours.loc[(ours["tool"] == tool) & (ours["domain"] == domain), "judgement"]
            for judgement, count in part.value_counts().items():
                rows.append({"tool": tool, "domain": domain, "label": label, "judgement": judgement,
                             "studies": int(count), "share": count / len(part)})
    return pd.DataFrame(rows, columns=["tool", "domain", "label", "judgement", "studies", "share"])


def plot_summary(summary: pd.DataFrame, tools: pd.DataFrame):
    """robvis's summary plot: one stacked 100% bar per domain (overall on top, in bold), one panel per tool."""
    present = list(dict.fromkeys(summary["tool"]))
    if not present:
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, 1.2))
        ax.text(0.5, 0.5, "No risk-of-bias judgements of ours in this selection", ha="center", va="center")
        ax.set_axis_off()
        return fig
    heights = [len(tool_domains(tools, t)) + 1.6 for t in present]
    fig, axes = plt.subplots(len(present), 1, figsize=(PRINT_WIDTH_IN, 0.24 * sum(heights) + 0.5), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, tool in zip(axes[:, 0], present):
        domains = tool_domains(tools, tool)
        order = ([d for d in domains["domain"] if d == "overall"] + [d for d in domains["domain"] if d != "overall"])[::-1]
        labels = dict(zip(domains["domain"], domains["label"]))
        part = summary.loc[summary["tool"] == tool]
        used = [j for j in SEVERITY if j in set(part["judgement"])]
        for y, domain in enumerate(order):
            left = 0.0
            for judgement in used:
                share = part.loc[(part["domain"] == domain) & (part["judgement"] == judgement), "share"].sum()
                if share:
                    ax.barh(y, share, left=left, color=JUDGEMENT_STYLE[judgement][0], edgecolor="black", linewidth=0.5, height=0.7)
                    left += share
        ax.set_yticks(range(len(order)), [labels[d] for d in order])
        for tick, domain in zip(ax.get_yticklabels(), order):
            tick.set_fontweight("bold" if domain == "overall" else "normal")
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0%", "25%", "50%", "75%", "100%"])
        studies = int(part.loc[part["domain"] == order[-1], "studies"].sum())
        ax.set_title(f"{TOOL_NAMES.get(tool, tool)} ({studies} studies)", fontsize=8, loc="left")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(handles=_legend_handles(used), loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7)
    fig.subplots_adjust(left=0.36, right=0.78, hspace=0.55, top=1 - 0.25 / fig.get_figheight(),
                        bottom=0.3 / fig.get_figheight())
    return fig


def published_beside_ours(rob: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """For every study a published review also judged: their overall judgement beside ours, and whether the
    two point the same way (low with low; unclear or some concerns with each other; high with high or serious)."""
    ours = overall_by_study(rob)
    published = rob.loc[(rob["assessed_by"] != OURS) & (rob["domain"] == "overall")]
    rows = []
    for r in published.itertuples(index=False):
        mine = ours.get(r.study_id, "")
        rows.append({"study": names.get(r.study_id, r.study_id), "judged_by": names.get(r.assessed_by, r.assessed_by),
                     "their_tool": TOOL_NAMES.get(r.tool, r.tool), "their_overall": r.judgement,
                     "our_overall": mine, "agree": "yes" if _band(mine) == _band(r.judgement) else "no"})
    return pd.DataFrame(rows, columns=["study", "judged_by", "their_tool", "their_overall", "our_overall", "agree"])


def _band(judgement: str) -> str:
    return {"low": "low", "unclear": "middle", "some_concerns": "middle", "moderate": "middle", "no_information": "middle",
            "high": "high", "serious": "high", "critical": "high"}.get(judgement, "")


def support_table(rob: pd.DataFrame, tools: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Every judgement of ours on people, with what the source reports that supports it (pages: `sources_table`)."""
    ours = our_judgements(rob)
    ours = ours.loc[ours["tool"].isin(HUMAN_TOOLS)]
    position = {(t, d): int(p) for t, d, p in zip(tools["tool"], tools["domain"], tools["position"])}
    labels = {(t, d): label for t, d, label in zip(tools["tool"], tools["domain"], tools["label"])}
    keys = list(zip(ours["tool"], ours["domain"]))
    frame = ours.assign(study=ours["study_id"].map(lambda s: names.get(s, s)), _pos=[position.get(k, 99) for k in keys],
                        domain_label=[labels.get(k, k[1]) for k in keys],
                        judgement_label=ours["judgement"].map(lambda j: JUDGEMENT_STYLE.get(j, ("", "", j))[2]))
    frame = frame.sort_values(["study", "_pos"])
    return frame[["study", "domain_label", "judgement_label", "support"]].rename(
        columns={"domain_label": "domain", "judgement_label": "judgement"}).reset_index(drop=True)


def sources_table(rob: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Per study: the tool, the result judged, and the page(s) read for our judgement."""
    ours = our_judgements(rob)
    ours = ours.loc[ours["tool"].isin(HUMAN_TOOLS)]
    rows = []
    for sid, part in ours.groupby("study_id", sort=False):
        rows.append({"study": names.get(sid, sid), "tool": TOOL_NAMES.get(part["tool"].iloc[0], part["tool"].iloc[0]),
                     "result_judged": part["outcome"].dropna().iloc[0] if part["outcome"].notna().any() else "",
                     "read": "; ".join(dict.fromkeys(part["extraction"].map(lambda e: str(e).replace("_", " ")))),
                     "pages": " ".join(dict.fromkeys(part["source_url"]))})
    table = pd.DataFrame(rows, columns=["study", "tool", "result_judged", "read", "pages"])
    return table.sort_values("study").reset_index(drop=True)
