"""The search and screening logs of the living update, summarised as a PRISMA 2020 flow for an updated review.

PRISMA 2020's flow diagram for updated reviews starts from the studies in the previous version, adds the records
the new searches identified, and follows them through screening to the new studies included. Every count here is
computed from searches.csv and screening.csv; nothing is typed in.
"""
from __future__ import annotations

import pandas as pd

FLOW_COLUMNS = ["stage", "box", "n", "detail"]
EXCLUSION_REASONS = {
    "not_als": "not about ALS",
    "not_exercise": "no exercise intervention",
    "not_controlled": "no control group",
    "not_human": "not in people",
    "protocol_only": "protocol or registry entry only",
    "conference_abstract": "conference abstract only",
    "already_in_corpus": "already in the previous version",
    "no_results": "no results on any page read",
    "not_systematic_review": "a review that is not systematic",
}
# searches.source of the rows that record citation searching: PRISMA 2020's "other methods" column
CITATION_SOURCE = "citation searching"


def from_citations(searches: pd.DataFrame, screening: pd.DataFrame) -> pd.Series:
    """Which screening records were found by citation searching (their search's source starts with CITATION_SOURCE)."""
    if not {"source", "search_id"} <= set(searches.columns) or "search_id" not in screening.columns:
        return pd.Series(False, index=screening.index)
    return screening["search_id"].isin(set(searches.loc[citation_searches(searches), "search_id"]))


def citation_searches(searches: pd.DataFrame) -> pd.Series:
    """The rows of searches.csv that record citation searching rather than a query."""
    source = searches["source"] if "source" in searches.columns else pd.Series("", index=searches.index)
    return source.astype(str).str.lower().str.startswith(CITATION_SOURCE)


def update_flow(searches: pd.DataFrame, screening: pd.DataFrame, previous_studies: int, included_now: int) -> pd.DataFrame:
    """The boxes of the updated-review flow, top to bottom, with their counts and a short explanation each.

    As in PRISMA 2020, records found by searches and records found by citation searching ("other methods") are
    followed in two columns, each adding up on its own: records - duplicates = screened = excluded + not retrieved +
    included. `previous_studies` comes from the previous release's snapshot, `included_now` from the current
    studies table, so the arithmetic (previous + new = total) can be checked against the data rather than assumed.
    """
    cited = from_citations(searches, screening)
    database = ~citation_searches(searches)
    searched, chased = screening.loc[~cited], screening.loc[cited]
    new = screening.loc[screening["decision"] == "included", "study_id"].dropna().nunique()
    new_cited = chased.loc[chased["decision"] == "included", "study_id"].dropna().nunique()
    rows = [
        ("previous", "Studies included in the previous version", previous_studies, "works recorded in that release's snapshot"),
        ("identification", "Search results returned", int(searches.loc[database, "records"].fillna(0).sum()),
         f"{int(database.sum())} searches; the same record is often returned by several searches"),
        ("identification", "Distinct records considered", len(screening), "one row each in the screening log"),
        ("identification", "Records from searches", len(searched), "databases, registers and stored pages"),
        ("identification", "Duplicates removed", int((searched["decision"] == "duplicate").sum()),
         "the same work met again under another address"),
    ]
    rows += _branch(searched, "", "Records screened", "title and abstract, or the full text where stored")
    rows += [("identification", "Records from citation searching", len(chased),
              "trial lists of the included systematic reviews (review_trials.csv)"),
             ("identification", "Citation: duplicates removed", int((chased["decision"] == "duplicate").sum()), "")]
    rows += _branch(chased, "Citation: ", "Citation: records assessed", "read where the review lists them")
    rows += [
        ("included", "New studies included", int(new),
         f"each with its rows in the studies table; {new_cited} found by citation searching"),
        ("included", "Total studies in the review", previous_studies + int(new),
         "previous version plus new studies" + ("" if previous_studies + new == included_now else
                                                f"; the studies table holds {included_now}")),
    ]
    return pd.DataFrame(rows, columns=FLOW_COLUMNS)


def _branch(records: pd.DataFrame, prefix: str, screened_box: str, how: str) -> list[tuple]:
    """One column's screening boxes: screened, not retrieved, excluded with one row per reason."""
    decisions = records["decision"].value_counts()
    excluded = records.loc[records["decision"] == "excluded"]
    rows = [("screening", screened_box, len(records) - int(decisions.get("duplicate", 0)), how),
            ("screening", f"{prefix}Reports not retrieved", int(decisions.get("not_retrieved", 0)),
             "no page of the work itself could be read"),
            ("screening", f"{prefix}Records excluded", len(excluded), "reasons below")]
    for reason, count in excluded["reason"].fillna("").value_counts().sort_index().items():
        rows.append(("screening", f"{prefix}Excluded: {EXCLUSION_REASONS.get(reason, reason)}", int(count), ""))
    return rows


def update_flow_boxes(flow: pd.DataFrame) -> pd.DataFrame:
    """The updated-review flow as boxes for prisma.plot_prisma: records from searches on the left, duplicates beside
    them, records from citation searching on the right; each column screened, its exclusions branching off; new
    and previous studies meet in the total. Every n is taken from `update_flow`'s rows."""
    from ..synthesis.prisma import BOX_COLUMNS

    n = flow.set_index("box")["n"]
    detail = flow.set_index("box")["detail"]

    def reasons(prefix: str) -> str:
        rows = flow.loc[flow["box"].str.startswith(f"{prefix}Excluded: ")]
        return "\n".join(f"{r.box[len(prefix) + len('Excluded: '):]} (n = {int(r.n)})" for r in rows.itertuples())

    def outcome(prefix: str) -> str:
        parts = [reasons(prefix)]
        if n[f"{prefix}Reports not retrieved"]:
            parts.append(f"not retrieved (n = {int(n[f'{prefix}Reports not retrieved'])}): {detail[f'{prefix}Reports not retrieved']}")
        return "\n".join(p for p in parts if p)

    boxes = [
        ("identified", "Identification", 0, "Records from searches", n["Records from searches"],
         f"search results returned (n = {int(n['Search results returned'])}); {detail['Search results returned']}",
         "duplicates screened"),
        ("duplicates", "Identification", 1, "Duplicates removed", n["Duplicates removed"], "", ""),
        ("cited", "Identification", 2, "Records from citation searching (other methods)",
         n["Records from citation searching"], detail["Records from citation searching"], "assessed"),
        ("screened", "Screening", 0, "Records screened", n["Records screened"], "", "excluded new"),
        ("excluded", "Screening", 1, "Records excluded or not retrieved",
         n["Records excluded"] + n["Reports not retrieved"], outcome(""), ""),
        ("assessed", "Screening", 2, "Citation records assessed", n["Citation: records assessed"],
         f"excluded or not retrieved (n = {int(n['Citation: Records excluded'] + n['Citation: Reports not retrieved'])})"
         + ("\n" + outcome("Citation: ") if outcome("Citation: ") else ""), "new"),
        ("new", "Included", 0, "New studies included", n["New studies included"], detail["New studies included"].split("; ")[-1],
         "total"),
        ("previous", "Included", 1, "Works in the previous version", n["Studies included in the previous version"],
         "", "total"),
        ("total", "Total", 0, "Works in this version", n["Total studies in the review"], "", ""),
    ]
    return pd.DataFrame([(b, s, c, t, int(k), d, to) for b, s, c, t, k, d, to in boxes], columns=BOX_COLUMNS)


def excluded_records(screening: pd.DataFrame, criterion_of: dict[str, str]) -> pd.DataFrame:
    """Every record excluded or not retrieved, with the protocol criterion it failed and the reason in words
    (PRISMA 2020 item 16b), in the order of the log."""
    rows = screening.loc[screening["decision"].isin(["excluded", "not_retrieved"])]
    reason = rows["reason"].fillna("")
    return pd.DataFrame({
        "record": rows["record_id"],
        "year": rows["year"].map(lambda y: "" if pd.isna(y) else str(int(y))),
        "title": rows["title"],
        "criterion": reason.map(lambda r: criterion_of.get(r, "")).where(reason != "", "not retrieved"),
        "reason": reason.map(lambda r: EXCLUSION_REASONS.get(r, r)).where(reason != "", "no page of the work was read"),
    }).reset_index(drop=True)
