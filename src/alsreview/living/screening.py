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

    `previous_studies` comes from the previous release's snapshot, `included_now` from the current studies table, so
    the arithmetic (previous + new = total) can be checked against the data rather than assumed.
    """
    decisions = screening["decision"].value_counts()
    duplicates = int(decisions.get("duplicate", 0))
    screened = len(screening) - duplicates
    excluded = screening.loc[screening["decision"] == "excluded"]
    new = screening.loc[screening["decision"] == "included", "study_id"].dropna().nunique()
    cited = from_citations(searches, screening)
    database = ~citation_searches(searches)
    rows = [
        ("previous", "Studies included in the previous version", previous_studies, "works recorded in that release's snapshot"),
        ("identification", "Search results returned", int(searches.loc[database, "records"].fillna(0).sum()),
         f"{int(database.sum())} searches; the same record is often returned by several searches"),
        ("identification", "Records from searches", int((~cited).sum()), "databases, registers and stored pages"),
        ("identification", "Records from citation searching", int(cited.sum()),
         "trial lists of the included systematic reviews (review_trials.csv)"),
        ("identification", "Distinct records considered", len(screening), "one row each in the screening log"),
        ("identification", "Duplicates removed", duplicates, "the same work met again under another address"),
        ("screening", "Records screened", screened, "title and abstract, or the full text where stored"),
        ("screening", "Reports not retrieved", int(decisions.get("not_retrieved", 0)),
         "no page of the work itself could be read"),
        ("screening", "Records excluded", len(excluded), "reasons below"),
    ]
    for reason, count in excluded["reason"].fillna("other").value_counts().sort_index().items():
        rows.append(("screening", f"Excluded: {EXCLUSION_REASONS.get(reason, reason)}", int(count), ""))
    rows += [
        ("included", "New studies included", int(new), "each with its rows in the studies table"),
        ("included", "Total studies in the review", previous_studies + int(new),
         "previous version plus new studies" + ("" if previous_studies + new == included_now else
                                                f"; the studies table holds {included_now}")),
    ]
    return pd.DataFrame(rows, columns=FLOW_COLUMNS)


def update_flow_boxes(flow: pd.DataFrame) -> pd.DataFrame:
    """The updated-review flow as boxes for prisma.plot_prisma: the previous version beside the new records,
    which are screened; the excluded ones branch off with their reasons; previous and new studies meet in the
    total. Every n is taken from `update_flow`'s rows."""
    from ..synthesis.prisma import BOX_COLUMNS

    n = flow.set_index("box")["n"]
    detail = flow.set_index("box")["detail"]
    reasons = flow.loc[flow["box"].str.startswith("Excluded: ")]
    boxes = [
        ("identified", "Identification", 0, "Records from searches", n["Records from searches"],
         f"search results returned (n = {int(n['Search results returned'])}); {detail['Search results returned']}",
         "duplicates screened"),
        ("duplicates", "Identification", 1, "Duplicates removed", n["Duplicates removed"],
         f"of {int(n['Distinct records considered'])} distinct records considered", ""),
        ("cited", "Identification", 2, "Records from citation searching (other methods)",
         n["Records from citation searching"], detail["Records from citation searching"], "duplicates screened"),
        ("screened", "Screening", 0, "Records screened", n["Records screened"], "", "excluded retrieved new"),
        ("excluded", "Screening", 1, "Records excluded", n["Records excluded"],
         "\n".join(f"{r.box[len('Excluded: '):]} (n = {int(r.n)})" for r in reasons.itertuples()), ""),
        ("retrieved", "Screening", 2, "Reports not retrieved", n["Reports not retrieved"],
         detail["Reports not retrieved"], ""),
        ("new", "Included", 0, "New studies included", n["New studies included"], "", "total"),
        ("previous", "Included", 1, "Works in the previous version", n["Studies included in the previous version"],
         "", "total"),
        ("total", "Total", 0, "Works in this version", n["Total studies in the review"], "", ""),
    ]
    return pd.DataFrame([(b, s, c, t, int(k), d, to) for b, s, c, t, k, d, to in boxes], columns=BOX_COLUMNS)
