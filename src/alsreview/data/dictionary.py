"""The data dictionary page, docs/data-dictionary.md, generated from datapackage.json so the two cannot drift.

`alsreview readme` writes it (the command keeps the name it had when the dictionary was a section of README.md);
tests/test_project_files.py fails when the page on disk differs from what the descriptor gives.
"""
from __future__ import annotations

from pathlib import Path

from .paths import PROJ_ROOT
from .schema import DataPackage

PAGE = PROJ_ROOT / "docs" / "data-dictionary.md"
NOTICE = "<!-- generated from data/datapackage.json by `alsreview readme`; do not edit by hand -->"
INTRO = """\
Every table the analyses read, with each field's type, rules and meaning, as `data/datapackage.json` (a
Frictionless Data Package) declares them. `alsreview validate` enforces these rules and the cross-table rules
listed in [Bad input](bad-input.md); [Curating the data](curation.md) says how rows are read from their sources.

This page is written by `.venv/bin/alsreview readme` from the descriptor (`src/alsreview/data/dictionary.py`).
Edit `datapackage.json`, never this page, then run the command: `make test` fails while the two disagree."""


def _constraints(field) -> str:
    c = field.constraints
    parts = []
    if c.get("required"):
        parts.append("required")
    if c.get("unique"):
        parts.append("unique")
    if "minimum" in c or "maximum" in c:
        parts.append(f"{c.get('minimum', '')}–{c.get('maximum', '')}")
    if c.get("enum"):
        parts.append("one of: " + ", ".join(f"`{v}`" for v in c["enum"]))
    elif c.get("pattern"):
        parts.append("pattern `" + c["pattern"].replace("|", "\\|") + "`")
    return "; ".join(parts)


def data_dictionary(package: DataPackage) -> str:
    """One section per table: its description, keys, and a row per field."""
    lines = []
    for res in package.resources.values():
        lines += [f"## `{res.path}`: {res.title}", "", res.description, ""]
        keys = [f"primary key `{', '.join(res.primary_key)}`"] if res.primary_key else []
        keys += [f"`{fk['fields'][0]}` → `{fk['reference']['resource']}.{fk['reference']['fields'][0]}`" for fk in res.foreign_keys]
        if keys:
            lines += ["Keys: " + "; ".join(keys) + ".", ""]
        lines += ["| field | type | rules | description |", "|---|---|---|---|"]
        for f in res.fields:
            lines.append(f"| `{f.name}` | {f.type} | {_constraints(f)} | {f.description.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


def dictionary_page(package: DataPackage) -> str:
    """The whole of docs/data-dictionary.md."""
    return "\n".join(["# Data dictionary", "", NOTICE, "", INTRO, "", data_dictionary(package)])


def write_dictionary(page: Path, package: DataPackage) -> bool:
    """Write the page from the descriptor; True when it changed (or did not exist)."""
    new = dictionary_page(package)
    old = page.read_text(encoding="utf-8") if page.is_file() else None
    if new != old:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(new, encoding="utf-8")
    return new != old
