"""What the living search found beyond its queries, as the report shows it: the trials the included reviews listed
(citation chasing, review_trials.csv), the registered trials without published results (ongoing_trials.csv: what
is coming) and the retraction check's flags (publication_flags.csv)."""
from __future__ import annotations

import pandas as pd

from .screening import from_citations

CONTROLLED = ("randomised", "non_randomised_controlled")
DESIGN_WORDS = {"randomised": "randomised", "non_randomised_controlled": "controlled, not randomised",
                "uncontrolled": "uncontrolled", "not_shown": "not shown"}
COMING_COLUMNS = ["registration", "tested", "compared_with", "design", "participants", "status", "primary_completion"]


def _status(row) -> str:
    words = str(row.status).replace("_", " ") if row.status != "not_shown" else "not shown"
    return f"{words} (as of {row.status_as_of})" if isinstance(row.status_as_of, str) and row.status_as_of else words


def _count(n, kind) -> str:
    if pd.isna(n) or n == "":
        return "not shown"
    return f"{int(n)}" + (f" ({kind})" if isinstance(kind, str) and kind else "")


def coming_trials(ongoing: pd.DataFrame) -> pd.DataFrame:
    """The registered controlled trials (the ones that would meet the protocol's P3 once published), soonest
    expected first; uncontrolled registrations are counted by `ongoing_values`, not listed."""
    rows = ongoing.loc[ongoing["design"].isin(CONTROLLED)]
    out = pd.DataFrame({
        "registration": rows["registry_id"],
        "tested": rows["intervention"],
        "compared_with": rows["comparator"],
        "design": rows["design"].map(DESIGN_WORDS),
        "participants": [_count(n, k) for n, k in zip(rows["enrolment"], rows["enrolment_type"])],
        "status": [_status(r) for r in rows.itertuples(index=False)],
        "primary_completion": [f"{d} ({k})" if isinstance(d, str) and d and isinstance(k, str) and k else (d or "not shown")
                               for d, k in zip(rows["primary_completion"].fillna(""), rows["primary_completion_type"])],
    })
    order = rows["primary_completion"].fillna("9999")
    return out.assign(_order=order.to_numpy()).sort_values(["_order", "registration"]).drop(columns="_order") \
        .reset_index(drop=True)[COMING_COLUMNS]


def ongoing_values(ongoing: pd.DataFrame) -> dict:
    controlled = ongoing["design"].isin(CONTROLLED)
    return {"n_registered": len(ongoing), "n_registered_controlled": int(controlled.sum()),
            "n_registered_uncontrolled": int((~controlled).sum()),
            "has_registered_trials": bool(controlled.any())}


def citation_values(review_trials: pd.DataFrame, studies: pd.DataFrame, screening: pd.DataFrame,
                    searches: pd.DataFrame) -> dict:
    """Counts for the Methods and Results: reviews chased, lists read (whole or partial), trials listed and where
    each went, and what citation searching added to the screening log."""
    reviews = studies.loc[studies["evidence_type"] == "systematic_review", "study_id"]
    listed = review_trials.loc[review_trials["trial_label"].fillna("") != ""]
    with_list = set(listed["review_id"])
    partial = set(review_trials.loc[review_trials["trial_label"].fillna("") == "", "review_id"]) & with_list
    cited = screening.loc[from_citations(searches, screening)]
    return {
        "n_reviews_chased": int(reviews.nunique()),
        "n_reviews_with_list": len(with_list),
        "n_reviews_partial_list": len(partial),
        "n_reviews_without_list": int(reviews.nunique()) - len(with_list),
        "n_listed_trials": len(listed),
        "n_listed_in_dataset": int(listed["study_id"].fillna("").ne("").sum()),
        "n_listed_screened": int(listed["record_id"].fillna("").ne("").sum()),
        "n_citation_records": len(cited),
        "n_citation_included": int((cited["decision"] == "included").sum()),
    }


def flag_values(flags: pd.DataFrame) -> dict:
    pending = flags.loc[flags["decision"] != "keep"] if len(flags) else flags
    return {"n_publication_flags": len(flags), "n_flags_held_back": len(pending),
            "flagged_text": "; ".join(f"{r.study_id} ({r.flag.replace('_', ' ')}, {r.decision})"
                                      for r in flags.itertuples(index=False)) or "none"}
