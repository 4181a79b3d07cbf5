"""Citations and data text in generated Markdown: citation markup is built only from keys that match the study-key
pattern, and free text from the data is escaped so it can never become markup, a citation or a shortcode."""
from __future__ import annotations

import re

import pandas as pd

STUDY_KEY = re.compile(r"^[a-z][a-z0-9]*[0-9]{4}[a-z]?$")
ARM_KEY = re.compile(r"^[a-z][a-z0-9]*[0-9]{4}[a-z]?-([a-z0-9_]+)$")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|<>@$~^])")


def escape_text(value) -> str:
    """Free text from the data as literal Markdown on one line: the characters Markdown, citations and Quarto
    shortcodes act on are backslash-escaped (so '@key', '{{< ... >}}', '*', '[' and '<b>' stay text) and '&'
    becomes an entity (so '&#64;' stays text too)."""
    text = " ".join(str(value).split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))


def cite(study_ids, suffixes: dict[str, str] | None = None) -> str:
    """'[@a; @b]' for study keys in the order given (duplicates dropped); a key that does not match the key
    pattern raises ValueError, so citation markup is never built from free text. Suffixes must be safe text."""
    keys = list(dict.fromkeys(study_ids))
    for key in keys:
        if not isinstance(key, str) or not STUDY_KEY.match(key):
            raise ValueError(f"not a study key: {key!r}")
    if not keys:
        return ""
    suffixes = {k: v for k, v in (suffixes or {}).items() if v and k in keys}
    if not suffixes:
        return "[" + "; ".join(f"@{k}" for k in keys) + "]"
    # The part of a study a finding concerns (an arm, a subgroup) is written before its citation, outside the
    # brackets: a numbered style (AMA) would print a citation suffix after the number, where it reads as noise.
    plain = [k for k in keys if k not in suffixes]
    parts = "(" + "; ".join(f"{suffixes[k]} [@{k}]" for k in keys if k in suffixes) + ")"
    return ("[" + "; ".join(f"@{k}" for k in plain) + "] " + parts) if plain else parts


def cite_narrative(study_id: str, authors=None, year=None) -> str:
    """A study named in the running text: 'Drory et al. (2001) [@drory2001]'. The names are written out because
    a numbered citation style (AMA) would otherwise open the sentence with a bare number."""
    reference = cite([study_id])
    if not isinstance(authors, str) or not authors.strip():
        return reference
    names = [a.strip() for a in authors.split(",") if a.strip()]
    surnames = [n.rsplit(" ", 1)[0] if " " in n else n for n in names[:2]]
    shown = surnames[0] if len(names) == 1 else (" and ".join(surnames) if len(names) == 2 else f"{surnames[0]} et al.")
    when = f" ({int(year)})" if year is not None and not pd.isna(year) else ""
    return f"{escape_text(shown)}{when} {reference}"
