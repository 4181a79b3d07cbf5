"""The living update's logs held against the studies: which release the current data follow, and that every work
added since then has its screening row (validate.py runs the rule; living/releases.py asks for the same release)."""
from __future__ import annotations

from .errors import Problem
from .labels import SEED_STUDY_ID
from .raw import RawTable, problems_where
from .schema import DataPackage


def version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in str(version).split("."))


def previous_version(versions, current: str) -> str | None:
    """The newest recorded release older than the current version: the one the update flow and 'What changed'
    compare the current data with (living/releases.py asks this function, so the two cannot disagree)."""
    older = [v for v in set(versions) if version_key(v) < version_key(current)]
    return max(older, key=version_key) if older else None


def check_screening(package: DataPackage, raw: dict[str, RawTable]) -> list[Problem]:
    """A work that is neither a seed reference, nor the seed review, nor in the previous release was found by the
    living update, so screening.csv must record it as included; otherwise the update flow counts fewer new works
    than the tables hold. Skipped when screening.csv or releases.csv could not be read (already reported)."""
    studies, screening = raw.get("studies"), raw.get("screening")
    if studies is None or screening is None or ("releases" in package.resources and "releases" not in raw):
        return []
    columns = {"studies": {"study_id", "ref_no"}, "screening": {"decision", "study_id"}, "releases": {"version", "kind", "key"}}
    if any(name in raw and not cols <= set(raw[name].frame.columns) for name, cols in columns.items()):
        return []  # a descriptor without these fields describes some other data
    previous, before = None, set()
    if "releases" in raw:
        releases = raw["releases"].frame
        previous = previous_version(releases["version"], str(package.descriptor.get("version", "")))
        before = set(releases.loc[(releases["version"] == previous) & (releases["kind"] == "study"), "key"])
    sc = screening.frame
    included = set(sc.loc[sc["decision"] == "included", "study_id"])
    f = studies.frame
    new = (f["ref_no"] == "") & (f["study_id"] != SEED_STUDY_ID) & ~f["study_id"].isin(before)
    since = f"after release {previous} (not in its snapshot in releases.csv)" if previous else \
        "after the seed review (releases.csv records no earlier release)"
    return problems_where(studies, new & ~f["study_id"].isin(included), "study_id",
                          lambda sid: f"added {since}, so the living update must show how it was found: add its "
                                      f"screening.csv row (decision included, study_id {sid}, the search that found it), "
                                      "or give its ref_no if it is one of the seed review's references")
