"""The bibliography Quarto cites, generated from studies.csv so there is one source of truth, plus the few
methods papers of report/methods.bib (not studies of exercise).

Pandoc reads BibTeX fields as LaTeX, so every field from the data goes through escape.bibtex_text (addresses
through escape.url_text): a title cannot run a command, open a link or unbalance the braces."""
from __future__ import annotations

import re

import bibtexparser
import pandas as pd
from bibtexparser.model import Entry, Field

from ..data.paths import METHODS_BIB
from .escape import bibtex_text as _bibtex_text
from .escape import url_text


def _authors(authors: str) -> str:
    """'Pasinelli P, Brown RH' -> '{Pasinelli}, P. and {Brown}, R. H.'; a trailing 'et al.' becomes 'and others'."""
    text = authors.strip()
    truncated = re.search(r",?\s*et al\.?$", text)
    if truncated:
        text = text[: truncated.start()]
    names = []
    for person in (p.strip() for p in text.split(",") if p.strip()):
        parts = person.split()
        initials = parts[-1] if len(parts) > 1 and parts[-1].isupper() and len(parts[-1]) <= 3 else ""
        surname = " ".join(parts[:-1]) if initials else person
        given = " ".join(f"{c}." for c in initials)
        surname = _bibtex_text(surname)
        names.append(f"{{{surname}}}, {_bibtex_text(given)}" if given else f"{{{surname}}}")
    if truncated:
        names.append("others")
    return " and ".join(names)


def entry_for(study) -> Entry:
    """One BibTeX entry: article for journals, book or incollection for books and chapters."""
    fields = {"author": _authors(study.authors), "title": "{" + _bibtex_text(study.title) + "}", "year": str(int(study.year))}
    # An unknown journal stays out of the entry, so the reference list never prints "None" or "nan" as one.
    container = "" if study.journal is None or pd.isna(study.journal) else str(study.journal).strip()
    if study.evidence_type == "book_or_chapter" and container.startswith("W:"):
        entry_type = "incollection"
        fields["booktitle"] = _bibtex_text(container[2:].strip())
    elif study.evidence_type == "book_or_chapter":
        entry_type = "book"
        if container:
            fields["publisher"] = _bibtex_text(container)
    else:
        entry_type = "article"
        if container:
            fields["journal"] = _bibtex_text(container)
    for column in ("volume", "issue", "pages", "doi", "pmid"):
        value = getattr(study, column)
        if value is not None and value == value and str(value):
            verbatim = column in ("doi", "pmid")  # Pandoc takes these as they stand, not as LaTeX
            fields["number" if column == "issue" else column] = url_text(value) if verbatim else _bibtex_text(value)
    if study.extraction != "title_only":
        fields["url"] = url_text(study.source_url)
    return Entry(entry_type, study.study_id, [Field(k, v) for k, v in fields.items()])


def to_bibtex(studies: pd.DataFrame) -> str:
    """All studies as BibTeX, sorted by key so the output is stable."""
    library = bibtexparser.Library([entry_for(s) for s in studies.sort_values("study_id").itertuples(index=False)])
    return bibtexparser.write_string(library)


def methods_bibtex() -> str:
    """The methods papers the report cites whatever the selection (report/methods.bib), as BibTeX text."""
    return METHODS_BIB.read_text(encoding="utf-8") if METHODS_BIB.exists() else ""


def methods_keys() -> list[str]:
    """Their citation keys (bibtexparser), which the citation filter must keep in every selection."""
    return [entry.key for entry in bibtexparser.parse_string(methods_bibtex()).entries]
