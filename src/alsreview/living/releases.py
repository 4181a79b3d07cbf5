"""What changed since the previous release: studies, counts, pooled estimates and conclusions.

Each release is recorded as rows of releases.csv (long format: one row per study, count, estimate or conclusion),
written by `alsreview snapshot` when a version is released. The report's "What changed" section compares the
current data's snapshot with the newest recorded release older than the current version, so it is computed, not
written by hand.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..data.errors import DataError, Problem
from ..data.files import read_bytes_safely
from ..data.paths import display_path
from ..data.schema import DATAPACKAGE, key_line
from ..data.favours import favours_column
from ..data.subset import is_exercise_study
from ..data.update_log import previous_version

SNAPSHOT_COLUMNS = ["version", "kind", "key", "label", "number", "ci_lower", "ci_upper", "studies", "text"]
COUNT_LABELS = {
    "works": "works in the dataset",
    "exercise_studies": "primary studies of an exercise intervention",
    "human_trials": "controlled studies of exercise in people with ALS",
    "outcomes": "outcome rows",
    "outcomes_beneficial": "outcomes favouring exercise",
    "outcomes_harmful": "outcomes favouring the comparator (harm)",
    "outcomes_no_effect": "outcomes with no difference",
    "published_pooled_results": "pooled results published by systematic reviews",
    "pooled_here": "pooled estimates computed by this review",
}
HUMAN_TRIALS = ("human_rct", "human_nonrandomised")
VERSION_RULE = r"^[0-9]+\.[0-9]+\.[0-9]+$"  # when the descriptor gives releases.version no pattern of its own


def version_problem(version: str, pattern: str | None, shown: str, line: int) -> Problem | None:
    """A release is recorded only under a version that releases.csv's own rule accepts: any other would be written
    into the table and break the data at the next validation."""
    pattern = pattern or VERSION_RULE
    if re.fullmatch(pattern, version, flags=re.ASCII):
        return None
    return Problem(shown, line, "version", version,
                   f"malformed: a release version must match {pattern} (the rule of releases.version), e.g. 1.2.3")


def release_version(package) -> str:
    """The descriptor's version, refused unless releases.version's rule accepts it (a problem naming its line of
    datapackage.json): the snapshot writes it into releases.csv."""
    version = str(package.descriptor.get("version", ""))
    descriptor = package.data_dir / DATAPACKAGE
    text = read_bytes_safely(descriptor, display_path(descriptor), "the data dictionary is missing").decode("utf-8-sig")
    rule = package.resources["releases"].field("version") if "releases" in package.resources else None
    problem = version_problem(version, rule.constraints.get("pattern") if rule else None, display_path(descriptor),
                              key_line(text, "version"))
    if problem:
        raise DataError([problem])
    return version


def snapshot(tables: dict[str, pd.DataFrame], version: str, pooled_here: pd.DataFrame | None = None) -> pd.DataFrame:
    """The facts of one release that a later release is compared with, as rows of releases.csv."""
    studies, outcomes, pooled = tables["studies"], tables["outcomes"], tables["pooled_results"]
    pooled_here = pooled_here if pooled_here is not None else pd.DataFrame()
    exercise = is_exercise_study(studies)
    directions = outcomes["direction"].value_counts()
    counts = {
        "works": len(studies),
        "exercise_studies": int(exercise.sum()),
        "human_trials": int((studies["evidence_type"].isin(HUMAN_TRIALS) & exercise).sum()),
        "outcomes": len(outcomes),
        "outcomes_beneficial": int(directions.get("beneficial", 0)),
        "outcomes_harmful": int(directions.get("harmful", 0)),
        "outcomes_no_effect": int(directions.get("no_effect", 0)),
        "published_pooled_results": len(pooled),
        "pooled_here": len(pooled_here),
    }
    rows = [{"kind": "study", "key": s.study_id, "label": s.study_id, "number": int(s.year), "text": s.evidence_type}
            for s in studies.itertuples(index=False)]
    rows += [{"kind": "count", "key": k, "label": COUNT_LABELS[k], "number": v} for k, v in counts.items()]
    findings = favours_column(pooled, tables.get("scales")) if len(pooled) else pd.Series(dtype=object)
    for r, finding in zip(pooled.itertuples(index=False), findings):
        label = f"{r.outcome} ({r.time_point or 'time not stated'}), {r.study_id} analysis {r.analysis}"
        key = f"published:{r.result_id}"
        rows.append({"kind": "estimate", "key": key, "label": label, "number": r.effect, "ci_lower": r.ci_lower,
                     "ci_upper": r.ci_upper, "studies": r.n_studies})
        if r.analysis == "SoF":
            certainty = r.certainty.replace("_", " ") if isinstance(r.certainty, str) else "not rated"
            rows.append({"kind": "conclusion", "key": key, "label": label, "text": f"{finding} (certainty: {certainty})"})
    for r in pooled_here.itertuples(index=False):
        key = f"ours:{r.pool_id}"
        rows.append({"kind": "estimate", "key": key, "label": f"{r.label} (this review)", "number": r.re_estimate,
                     "ci_lower": r.re_ci_lower, "ci_upper": r.re_ci_upper, "studies": r.k})
        rows.append({"kind": "conclusion", "key": key, "label": f"{r.label} (this review)",
                     "text": f"{r.plain_words} (certainty: {r.certainty})"})
    frame = pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS).assign(version=version)
    order = {"study": 0, "count": 1, "estimate": 2, "conclusion": 3}
    frame = frame.sort_values(["kind", "key"], key=lambda c: c.map(order) if c.name == "kind" else c, kind="stable")
    return frame.astype({"studies": "Int64"}).reset_index(drop=True)


def appended(recorded: str, rows: pd.DataFrame, columns: list[str]) -> str:
    """releases.csv with one more release at its end: the releases recorded before stay as they were, byte for
    byte, rather than being written again in today's number format."""
    body = rows.reindex(columns=columns).to_csv(index=False, header=False, lineterminator="\n", float_format="%.10g")
    return recorded + ("\n" if recorded and not recorded.endswith("\n") else "") + body


def append_rows(path: Path, rows: pd.DataFrame, columns: list[str]) -> None:
    """Add rows at the end of a curated CSV (a release, a retraction flag), atomically; what it held stays."""
    from ..data.tidy import atomic_write

    text = read_bytes_safely(path, display_path(path), f"{path.name} is missing").decode("utf-8")
    atomic_write(path, appended(text, rows, columns))


def previous_release(releases: pd.DataFrame, current_version: str) -> pd.DataFrame | None:
    """Rows of the newest recorded release older than the current version, if any (the validator asks for a
    screening row for every work added since the same release)."""
    version = previous_version(releases["version"], current_version)
    if version is None:
        return None
    return releases.loc[releases["version"] == version].reset_index(drop=True)


def what_changed(previous: pd.DataFrame, current: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Tables of differences between two snapshots: studies, counts, estimates, conclusions."""
    def part(frame, kind):
        return frame.loc[frame["kind"] == kind].set_index("key")

    before, after = part(previous, "study"), part(current, "study")
    studies = pd.concat([
        after.loc[sorted(set(after.index) - set(before.index))].assign(change="added"),
        before.loc[sorted(set(before.index) - set(after.index))].assign(change="removed"),
    ]).reset_index()
    # A removed work is no longer in the bibliography: it is shown by the label its release recorded, never cited.
    shown = studies["key"].where(studies["change"] == "added", studies["label"].fillna(studies["key"]))
    studies = pd.DataFrame({"change": studies["change"], "study_id": shown,
                            "year": studies["number"].astype("Int64"), "evidence_type": studies["text"]})
    old, new = part(previous, "count")["number"], part(current, "count")
    counts = pd.DataFrame([{"count": row.label, "before": _int(old.get(key)), "after": _int(row.number)}
                           for key, row in new.iterrows() if _int(old.get(key)) != _int(row.number)],
                          columns=["count", "before", "after"])
    return {"studies": studies, "counts": counts,
            "estimates": _compare(part(previous, "estimate"), part(current, "estimate"), _interval, "estimate"),
            "conclusions": _compare(part(previous, "conclusion"), part(current, "conclusion"),
                                    lambda r: r["text"], "conclusion")}


def _comparable(old: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    """Keys worth comparing: results in both versions (did they move?) and this review's own estimates (new or
    gone). A published result that simply joined the dataset is listed with its review among the added works."""
    both = set(old.index) & set(new.index)
    ours = {k for k in set(old.index) | set(new.index) if str(k).startswith("ours:")}
    return sorted(both | ours)


def _int(value):
    return None if value is None or pd.isna(value) else int(value)


def _compare(old: pd.DataFrame, new: pd.DataFrame, show, name: str) -> pd.DataFrame:
    rows = []
    for key in _comparable(old, new):
        a = show(old.loc[key]) if key in old.index else "not in this version"
        b = show(new.loc[key]) if key in new.index else "not in this version"
        if a != b:
            rows.append({name: (new.loc[key] if key in new.index else old.loc[key])["label"], "before": a, "after": b})
    return pd.DataFrame(rows, columns=[name, "before", "after"])


def _interval(row) -> str:
    studies = f"; {int(row['studies'])} studies" if pd.notna(row["studies"]) else ""
    return f"{row['number']:.2f} [{row['ci_lower']:.2f}, {row['ci_upper']:.2f}]{studies}"
