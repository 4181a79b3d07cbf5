"""Data-quality tables: how complete each field is, and where the seed's citations disagree with the sources."""
from __future__ import annotations

import pandas as pd

from ..data.labels import SEED_STUDY_ID
from ..data.subset import PRIMARY_EVIDENCE, is_exercise_study


def field_coverage(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per table and field: rows, filled cells and the share filled."""
    rows = []
    for name, frame in tables.items():
        for column in frame.columns:
            filled = int(frame[column].notna().sum())
            rows.append({"table": name, "field": column, "rows": len(frame), "filled": filled,
                         "percent_filled": round(100 * filled / len(frame), 1) if len(frame) else 0.0})
    return pd.DataFrame(rows, columns=["table", "field", "rows", "filled", "percent_filled"])


def extraction_summary(studies: pd.DataFrame) -> pd.DataFrame:
    """How each work was read: abstract, full text, title only..."""
    counts = studies["extraction"].value_counts().rename_axis("extraction").reset_index(name="works")
    return counts.sort_values(["works", "extraction"], ascending=[False, True]).reset_index(drop=True)


def discrepancies(studies: pd.DataFrame) -> pd.DataFrame:
    """Works whose source disagrees with the seed's citation."""
    found = studies.loc[studies["discrepancy"].notna(), ["study_id", "ref_no", "discrepancy", "source_url"]]
    return found.sort_values("study_id").reset_index(drop=True)


def added_rows(whole: pd.DataFrame, screening: pd.DataFrame | None) -> list[tuple]:
    """The works not in the seed's reference list, by how they came in: the seed review itself, the living update's
    searches (an included record in the screening log), and other sources (e.g. a review read for its risk-of-bias
    tables). Their sum is every work without a reference number."""
    added = whole.loc[whole["ref_no"].isna(), "study_id"]
    searched = set() if screening is None else set(screening.loc[screening["decision"] == "included", "study_id"].dropna())
    seed = added == SEED_STUDY_ID
    found = added.isin(searched) & ~seed
    return [("identification", 2, "box2", "The seed review itself", int(seed.sum())),
            ("identification", 14, "box14", "Works found by the living update's searches", int(found.sum())),
            ("identification", 15, "box15", "Works added from other sources", int((~seed & ~found).sum()))]


def flow_of_records(tables: dict[str, pd.DataFrame], corpus: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """How the works moved from the reference list to the synthesis, in PRISMA 2020's long layout
    (data, node, box, description, n), so a flow diagram can be drawn from it. The identification boxes
    count the whole corpus; a subset adds a last row with the works it keeps."""
    studies, outcomes = tables["studies"], tables["outcomes"]
    whole = (corpus or tables)["studies"]
    primary = studies["evidence_type"].isin(PRIMARY_EVIDENCE)
    tested = is_exercise_study(studies)
    read = studies["extraction"].isin(["abstract", "full_text"])
    rows = [
        ("identification", 1, "box1", "References in the seed review's list", int(whole["ref_no"].notna().sum())),
        *added_rows(whole, (corpus or tables).get("screening")),
        ("screening", 3, "box3", "Works whose abstract or full text was read", int(read.sum())),
        ("screening", 4, "box4", "Works classified from the title only (no page found)", int((~read).sum())),
        ("included", 5, "box5", "Primary studies testing an exercise training programme", int(tested.sum())),
        ("included", 6, "box6", "of which in animals", int((tested & studies["species"].isin(["mouse", "rat"])).sum())),
        ("included", 7, "box7", "of which in people", int((tested & (studies["species"] == "human")).sum())),
        ("included", 8, "box8", "Primary studies without a training programme (background, or a single exercise test)",
         int((primary & ~tested).sum())),
        ("included", 9, "box9", "Reviews, books, hypotheses and other works", int((~primary).sum())),
        ("synthesis", 10, "box10", "Studies of a training programme with at least one extracted outcome",
         int(outcomes["study_id"].isin(set(studies.loc[tested, "study_id"])).groupby(outcomes["study_id"]).any().sum())),
        ("synthesis", 11, "box11", "Outcomes extracted from them", int(outcomes["study_id"].isin(set(studies.loc[tested, "study_id"])).sum())),
        ("synthesis", 12, "box12", "Pooled results taken from a systematic review", len(tables["pooled_results"])),
    ]
    if len(whole) != len(studies):
        rows.insert(2, ("selection", 13, "box13", "Works kept by this subset's selection (boxes 3-12 count only these)",
                        len(studies)))
    return pd.DataFrame(rows, columns=["data", "node", "box", "description", "n"])
