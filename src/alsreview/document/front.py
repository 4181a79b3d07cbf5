"""What the report says about itself, from the protocol and the release: its title with "living" and the version,
its authors, why this version was made, when the next search is due, and the declarations PRISMA asks for
(registration, support, competing interests). An item the protocol leaves empty is reported as not stated, in
words, never as a placeholder that reads like content."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..data.protocol import Protocol
from .escape import Markup

TITLE = "Exercise therapy in amyotrophic lateral sclerosis"
SUBTITLE = "Built from the reference list of a 2017 narrative review of kinesitherapy in ALS, and updated by search"
NOT_STATED = "Not stated (this item of the protocol, protocol.yaml, is left empty)"


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))


def front_matter(plan: Protocol, version: str) -> dict:
    """Quarto's title, subtitle, author and date: the kind of review and the version are in the title."""
    entry = plan.versions.get(version, {})
    authors = [{"name": a["name"]} for a in plan.raw["review"]["authors"]]
    return {
        "title": f"{TITLE}: a {plan.raw['review']['kind']} (version {version})" if version else
                 f"{TITLE}: a {plan.raw['review']['kind']}",
        "subtitle": SUBTITLE,
        "author": authors or [{"name": "No author is named yet (protocol.yaml, review.authors)"}],
        "date": Markup(str(entry.get("date", ""))),  # a checked date (protocol), given as is so Quarto parses it
    }


def _stated(plan: Protocol, key: str, stated: str) -> str:
    value = plan.raw["review"].get(key)
    return stated.format(value=value) if value else NOT_STATED


def declaration_values(plan: Protocol, version: str, releases: pd.DataFrame, searches: pd.DataFrame) -> dict:
    """The values the report's declarations, living-review methods and checklist quote."""
    entry = plan.versions.get(version, {})
    earlier = sorted((v for v in set(releases["version"].astype(str)) if v != version),
                     key=lambda v: tuple(int(p) for p in v.split(".")))
    previous = earlier[-1] if earlier else ""
    dates = pd.to_datetime(searches["date"], errors="coerce").dropna() if len(searches) else pd.Series(dtype=object)
    last_search = dates.max().date() if len(dates) else None
    months = plan.raw["search_schedule"]["every_months"]
    authors = [a["name"] for a in plan.raw["review"]["authors"]]
    registration, repository = plan.raw["review"].get("registration"), plan.raw["review"].get("repository")
    return {
        "review_kind": plan.raw["review"]["kind"],
        "version_date": str(entry.get("date", "")),
        "version_trigger": entry.get("trigger", "not recorded"),
        "version_methods_changes": entry.get("methods_changes", "not recorded"),
        "has_previous_version": bool(previous),
        "previous_version": previous or "none",
        "previous_version_date": str(plan.versions.get(previous, {}).get("date", "")),
        "previous_version_trigger": plan.versions.get(previous, {}).get("trigger", ""),
        "search_every_months": months,
        "search_schedule_note": plan.raw["search_schedule"]["note"],
        "last_search_date": str(last_search or "no search recorded"),
        "next_search_due": str(_add_months(last_search, months)) if last_search else "after the first search",
        "authors_text": "; ".join(authors) if authors else "no author is named yet",
        "registration_text": f"registered as {registration}" if registration else
        "not registered (no PROSPERO or OSF record)",
        "support_text": _stated(plan, "support", "{value}"),
        "competing_interests_text": _stated(plan, "competing_interests", "{value}"),
        "repository_text": repository or "no public address yet (left empty in protocol.yaml)",
        "licence": plan.raw["review"]["licence"],
        "eligibility_people": "; ".join(f"{c['code']}: {c['text']}" for c in plan.raw["eligibility"]
                                        if c["applies_to"] in ("people", "all")),
        "eligibility_animals": "; ".join(f"{c['code']}: {c['text']}" for c in plan.raw["eligibility"]
                                         if c["applies_to"] == "animals"),
        "eligibility_reviews": "; ".join(f"{c['code']}: {c['text']}" for c in plan.raw["eligibility"]
                                         if c["applies_to"] == "reviews"),
        "question_population": plan.raw["question"]["population"],
        "question_intervention": plan.raw["question"]["intervention"],
        "question_comparator": plan.raw["question"]["comparator"],
        "question_outcomes": plan.raw["question"]["outcomes"],
        "sources_text": "; ".join(f"{s['name']} ({s['how']})" for s in plan.raw["sources"]),
        "usual_decline_text": "; ".join(f"{r['decline_per_month']:g} points a month" for r in plan.clinical_importance)
        or "none set in the protocol",
    }


def search_strategy(searches: pd.DataFrame) -> pd.DataFrame:
    """The search log as PRISMA item 7 asks: every query with its source, date and number of records."""
    columns = ["search_id", "date", "source", "query", "records"]
    return searches[columns].rename(columns={"search_id": "search"}).reset_index(drop=True)
