"""What changed since the previous release: studies, counts, pooled estimates and conclusions.

A release is recorded as a snapshot (data/releases/<version>.json) of the facts a reader would compare between two
versions of the review. The report's "What changed" section is computed by comparing the current data's snapshot
with the newest recorded one that is older than the current version, so it can never drift from the data.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .subset import is_exercise_study

COUNT_LABELS = {
    "works": "works in the dataset",
    "exercise_studies": "primary studies of an exercise programme",
    "human_trials": "controlled trials in people with ALS",
    "outcomes": "outcome rows",
    "outcomes_beneficial": "outcomes favouring exercise",
    "outcomes_harmful": "outcomes favouring the comparator (harm)",
    "outcomes_no_effect": "outcomes with no difference",
    "published_pooled_results": "pooled results published by systematic reviews",
    "pooled_here": "pooled estimates computed by this review",
}
HUMAN_TRIALS = ("human_rct", "human_nonrandomised")


def favours(estimate_low: float, estimate_high: float, better: str = "higher") -> str:
    """Which arm a mean difference (exercise minus control) favours: only when its CI excludes no difference."""
    if estimate_low > 0:
        return "favours exercise" if better == "higher" else "favours control"
    if estimate_high < 0:
        return "favours control" if better == "higher" else "favours exercise"
    return "no clear difference"


def snapshot(tables: dict[str, pd.DataFrame], version: str, pooled_here: pd.DataFrame | None = None) -> dict:
    """The facts of one release that a later release is compared with (JSON-ready, sorted, deterministic)."""
    studies, outcomes, pooled = tables["studies"], tables["outcomes"], tables["pooled_results"]
    pooled_here = pooled_here if pooled_here is not None else pd.DataFrame()
    directions = outcomes["direction"].value_counts()
    counts = {
        "works": len(studies),
        "exercise_studies": int(is_exercise_study(studies).sum()),
        "human_trials": int((studies["evidence_type"].isin(HUMAN_TRIALS) & is_exercise_study(studies)).sum()),
        "outcomes": len(outcomes),
        "outcomes_beneficial": int(directions.get("beneficial", 0)),
        "outcomes_harmful": int(directions.get("harmful", 0)),
        "outcomes_no_effect": int(directions.get("no_effect", 0)),
        "published_pooled_results": len(pooled),
        "pooled_here": len(pooled_here),
    }
    estimates, conclusions = {}, {}
    for r in pooled.itertuples(index=False):
        label = f"{r.outcome} ({r.time_point or 'time not stated'}), {r.study_id} analysis {r.analysis}"
        estimates[f"published:{r.result_id}"] = {"label": label, "estimate": float(r.effect),
                                                  "ci_lower": float(r.ci_lower), "ci_upper": float(r.ci_upper),
                                                  "studies": None if pd.isna(r.n_studies) else int(r.n_studies)}
        if r.analysis == "SoF":
            better = getattr(r, "better", None) or "higher"
            conclusions[f"published:{r.result_id}"] = {
                "label": label, "direction": favours(r.ci_lower, r.ci_upper, better if isinstance(better, str) else "higher"),
                "certainty": (r.certainty or "not rated").replace("_", " ") if isinstance(r.certainty, str) else "not rated"}
    for r in pooled_here.itertuples(index=False):
        key = f"ours:{r.pool_id}"
        estimates[key] = {"label": r.label, "estimate": float(r.re_estimate), "ci_lower": float(r.re_ci_lower),
                          "ci_upper": float(r.re_ci_upper), "studies": int(r.k)}
        conclusions[key] = {"label": r.label, "direction": r.favours, "certainty": "not rated"}
    return {
        "version": version,
        "studies": {s.study_id: {"year": int(s.year), "evidence_type": s.evidence_type}
                    for s in studies.sort_values("study_id").itertuples(index=False)},
        "counts": counts,
        "estimates": dict(sorted(estimates.items())),
        "conclusions": dict(sorted(conclusions.items())),
    }


def read_snapshot(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write_snapshot(snap: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(snap, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in version.split("."))


def previous_snapshot(releases_dir: Path, current_version: str) -> dict | None:
    """The newest recorded release older than the current version, if any."""
    older = [p for p in releases_dir.glob("*.json") if _version_key(p.stem) < _version_key(current_version)]
    return read_snapshot(max(older, key=lambda p: _version_key(p.stem))) if older else None


def what_changed(previous: dict, current: dict) -> dict[str, pd.DataFrame]:
    """Tables of differences between two snapshots: studies, counts, estimates, conclusions."""
    before, after = previous["studies"], current["studies"]
    study_rows = [{"change": "added", "study_id": s, **after[s]} for s in sorted(set(after) - set(before))]
    study_rows += [{"change": "removed", "study_id": s, **before[s]} for s in sorted(set(before) - set(after))]
    count_rows = [{"count": COUNT_LABELS.get(k, k), "before": previous["counts"].get(k), "after": v}
                  for k, v in current["counts"].items() if previous["counts"].get(k) != v]
    estimate_rows = []
    for key in sorted(set(previous["estimates"]) | set(current["estimates"])):
        old, new = previous["estimates"].get(key), current["estimates"].get(key)
        if old and new and all(round(old[f], 2) == round(new[f], 2) for f in ("estimate", "ci_lower", "ci_upper")):
            continue
        estimate_rows.append({"estimate": (new or old)["label"], "before": _interval(old), "after": _interval(new)})
    conclusion_rows = []
    for key in sorted(set(previous["conclusions"]) | set(current["conclusions"])):
        old, new = previous["conclusions"].get(key), current["conclusions"].get(key)
        if old and new and (old["direction"], old["certainty"]) == (new["direction"], new["certainty"]):
            continue
        conclusion_rows.append({"conclusion": (new or old)["label"], "before": _conclusion(old), "after": _conclusion(new)})
    return {
        "studies": pd.DataFrame(study_rows, columns=["change", "study_id", "year", "evidence_type"]),
        "counts": pd.DataFrame(count_rows, columns=["count", "before", "after"]),
        "estimates": pd.DataFrame(estimate_rows, columns=["estimate", "before", "after"]),
        "conclusions": pd.DataFrame(conclusion_rows, columns=["conclusion", "before", "after"]),
    }


def _interval(entry: dict | None) -> str:
    if not entry:
        return "not in this version"
    studies = f"; {entry['studies']} studies" if entry.get("studies") else ""
    return f"{entry['estimate']:.2f} [{entry['ci_lower']:.2f}, {entry['ci_upper']:.2f}]{studies}"


def _conclusion(entry: dict | None) -> str:
    if not entry:
        return "not in this version"
    return f"{entry['direction']} (certainty: {entry['certainty']})"
