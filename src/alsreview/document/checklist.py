"""The reporting checklist (report/reporting-checklist.csv): each PRISMA 2020 and PRISMA-LSR item with where this
document reports it, or why it is not done. Read with the same error shape as the data, so an item with neither a
place nor a reason, or a place that is not a section, table or figure label, stops the build with its line."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..data.errors import DataError, Problem
from ..data.paths import REPORTING_CHECKLIST, display_path
from .escape import Markup

COLUMNS = ["guideline", "item", "topic", "asks", "reported_in", "not_done"]
GUIDELINES = ("PRISMA 2020", "PRISMA-LSR")
PLACES = {"title": "title", "abstract": "Abstract"}  # places without a cross-reference label
LABEL = re.compile(r"(sec|tbl|fig)-[a-z0-9-]+")


def places(cell: str) -> list[str]:
    return [p.strip() for p in str(cell or "").split(";") if p.strip()]


def read_checklist(path: Path = REPORTING_CHECKLIST) -> pd.DataFrame:
    """The checklist as text cells; DataError naming file, line, column, value and rule for anything wrong."""
    shown = display_path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError([Problem(shown, 0, "", "", f"the checklist cannot be read ({exc.__class__.__name__})")]) from None
    if list(frame.columns) != COLUMNS:
        raise DataError([Problem(shown, 1, "header", ",".join(frame.columns), f"columns must be {','.join(COLUMNS)}")])
    problems = []
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        if row.guideline not in GUIDELINES:
            problems.append(Problem(shown, i, "guideline", row.guideline, f"must be one of {', '.join(GUIDELINES)}"))
        for column in ("item", "topic", "asks"):
            if not getattr(row, column).strip():
                problems.append(Problem(shown, i, column, "", "required"))
        if not places(row.reported_in) and not row.not_done.strip():
            problems.append(Problem(shown, i, "reported_in", "", "an item needs the place that reports it or, in "
                                                                 "not_done, why it is not done"))
        for place in places(row.reported_in):
            if place not in PLACES and not LABEL.fullmatch(place):
                problems.append(Problem(shown, i, "reported_in", place, "must be title, abstract or a label such as "
                                                                        "sec-protocol, tbl-trials or fig-prisma"))
    if problems:
        raise DataError(problems)
    return frame


def unknown_labels(checklist: pd.DataFrame, document: str) -> list[str]:
    """Labels the checklist names that the document does not define (they would print as '?@label')."""
    defined = set(re.findall(r"#((?:sec|tbl|fig)-[a-z0-9-]+)", document))
    return sorted({p for cell in checklist["reported_in"] for p in places(cell)} - set(PLACES) - defined)


def checklist_table(checklist: pd.DataFrame) -> pd.DataFrame:
    """The appendix table: item, topic, where it is reported (cross-references) and what is not done."""
    where = [Markup("; ").join([Markup(PLACES[p]) if p in PLACES else Markup("@" + p) for p in places(cell)])
             for cell in checklist["reported_in"]]
    return pd.DataFrame({
        "guideline": checklist["guideline"], "item": checklist["item"], "topic": checklist["topic"],
        "asks": checklist["asks"], "reported in": where,
        "not done or missing": checklist["not_done"].where(checklist["not_done"].str.strip() != "", "–"),
    })
