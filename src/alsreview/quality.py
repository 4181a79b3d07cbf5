"""Data-quality tables: how complete each field is, and where the seed's citations disagree with the sources."""
from __future__ import annotations

import pandas as pd


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
