"""The pooled results systematic reviews report (pooled_results.csv), shown as they were published, never
recomputed: the summary-of-findings rows, the numbered analyses, and both beside our own estimates.
"""
from __future__ import annotations

import pandas as pd

from ..data.favours import favours_column
from .contrasts import WINDOWS, time_window


def scale_info(scales: pd.DataFrame | None) -> dict[str, dict]:
    if scales is None or scales.empty:
        return {}
    return {r.scale_id: {"name": r.name, "better": r.better} for r in scales.itertuples(index=False)}


def summary_of_findings(pooled: pd.DataFrame, scales: pd.DataFrame | None = None) -> pd.DataFrame:
    """The review's summary-of-findings rows (those with a GRADE rating), as a plain table. The finding is
    computed from the scale's direction and the CI: 'favours exercise' only where the CI excludes no difference."""
    columns = ["outcome", "better", "time_point", "effect_measure", "estimate", "ci_lower", "ci_upper",
               "studies", "participants", "certainty", "finding", "reported_by"]
    sof = pooled.loc[pooled["analysis"] == "SoF"] if len(pooled) else pooled
    if sof.empty:
        return pd.DataFrame(columns=columns)
    info = scale_info(scales)
    scale = sof["scale_id"].map(lambda s: info.get(s, {}))
    frame = pd.DataFrame({
        "outcome": sof["outcome"],
        "better": scale.map(lambda s: s.get("better", "not recorded")),
        "time_point": sof["time_point"].fillna(""),
        "effect_measure": sof["effect_measure"],
        "estimate": sof["effect"],
        "ci_lower": sof["ci_lower"],
        "ci_upper": sof["ci_upper"],
        "studies": sof["n_studies"],
        "participants": sof["n_participants"],
        "certainty": sof["certainty"].fillna("").str.replace("_", " "),
        "finding": favours_column(sof, scales),
        "reported_by": sof["study_id"],
    })
    return frame[columns].reset_index(drop=True)


def reported_analyses(pooled: pd.DataFrame, scales: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every numbered analysis a review reports (Cochrane style, e.g. 1.2; without the summary-of-findings
    duplicates), ordered by review and analysis number, with the finding each supports (from scale direction and
    CI). Results that other reviews name in words are listed by the living update's table of meta-analyses."""
    numbered = pooled["analysis"].astype(str).str.fullmatch(r"\d+(\.\d+)+") if len(pooled) else pd.Series(dtype=bool)
    rows = pooled.loc[numbered].copy() if len(pooled) else pooled.copy()
    if rows.empty:
        return rows.assign(finding=pd.Series(dtype=object))
    number = rows["analysis"].str.split(".", expand=True).astype(float)
    rows = rows.assign(_a=number[0], _b=number[1]).sort_values(["study_id", "_a", "_b"]).drop(columns=["_a", "_b"])
    rows["finding"] = favours_column(rows, scales)
    return rows.reset_index(drop=True)


def beside_published(ours: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Our pooled estimates next to the published meta-analyses of the same outcome domain that print an estimate."""
    columns = ["domain", "window", "time_point", "source", "effect_measure", "trials", "participants", "estimate",
               "ci_lower", "ci_upper", "i2"]
    rows = []
    for r in ours.itertuples(index=False):
        source = f"this review, {r.analysis}" if isinstance(getattr(r, "analysis", None), str) else "this review"
        rows.append({"domain": r.domain, "window": r.window, "time_point": r.window, "source": source,
                     "effect_measure": r.effect_measure,
                     "trials": r.k, "participants": r.participants, "estimate": r.re_estimate,
                     "ci_lower": r.re_ci_lower, "ci_upper": r.re_ci_upper, "i2": r.i2})
    if len(ours) and len(published):
        # Summary-of-findings rows repeat a numbered analysis of the same review, so they are left out here.
        same = published.loc[published["domain"].isin(set(ours["domain"])) & published["effect"].notna()
                             & (published["analysis"] != "SoF")]
        for p in same.itertuples(index=False):
            # A published range across windows ("0-4 months") keeps its own row and is not read as one window.
            rows.append({"domain": p.domain, "window": time_window(p.time_point) or "not stated",
                         "time_point": p.time_point, "source": p.study_id,
                         "effect_measure": p.effect_measure, "trials": p.n_studies, "participants": p.n_participants,
                         "estimate": p.effect, "ci_lower": p.ci_lower, "ci_upper": p.ci_upper,
                         "i2": getattr(p, "i2", None)})
    frame = pd.DataFrame(rows, columns=columns)
    order = {label: i for i, (_, _, label) in enumerate(WINDOWS)}
    frame["_w"] = frame["window"].map(order).fillna(len(order))
    frame["_s"] = (~frame["source"].str.startswith("this review")).astype(int)
    return frame.sort_values(["domain", "_w", "_s", "source"], kind="stable").drop(columns=["_w", "_s"]).reset_index(drop=True)
