"""The evidence explorer's data: one row per extracted outcome, with its study and exercise arm, in words.

The explorer page (report/explorer.qmd) filters these rows in the browser. The build writes them twice: as a
table (tables/explorer.csv, the columns a reader downloads from the page) and as a JSON block that the page
embeds, so the page needs no server and no network. Only the columns named here are read, so tables that
gain columns still work.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .export import to_markdown
from .reader_tables import for_reader
from ..data.labels import DIRECTION_COLOURS, DIRECTION_WORDS, EVIDENCE_TYPE, POPULATION, pretty, short_citation

OUTCOME_COLUMNS = ["outcome_id", "study_id", "arm_id", "domain", "measure", "time_point", "direction", "finding",
                   "n_exercise", "n_control", "effect_measure", "effect", "ci_lower", "ci_upper", "p_value",
                   "extraction", "source_url", "notes"]
ARM_COLUMNS = ["arm_id", "arm_label", "modality", "comparator", "notes"]
STUDY_COLUMNS = ["study_id", "authors", "year", "title", "journal", "volume", "issue", "pages", "evidence_type",
                 "species", "model", "population", "source_url", "notes"]

# The page's filters: (column, name shown, table and field whose enum gives the order of the options).
FILTERS = [
    ("species", "Species", "studies"),
    ("population", "Model", "studies"),
    ("evidence_type", "Design", "studies"),
    ("modality", "Exercise modality", "interventions"),
    ("domain", "Outcome domain", "outcomes"),
    ("direction", "Direction", "outcomes"),
]
DEFINED = ("population",)  # filters whose data-dictionary definition the page shows under their name
SPECIES = {"mouse": "Mouse", "rat": "Rat", "human": "Human", "none": "None"}
LABELS = {"species": SPECIES, "population": POPULATION, "evidence_type": EVIDENCE_TYPE,
          "direction": {code: words[:1].upper() + words[1:] for code, words in DIRECTION_WORDS.items()}}
# Free text: every word of the query must occur in one of these fields of a row, accents and case aside; the page
# counts the matching rows per field. (key, name shown, the row's columns it covers.)
SEARCH_FIELDS = [
    ("title", "Title", ["title"]),
    ("model", "Model", ["model", "population_label"]),
    ("modality", "Modality", ["modality", "modality_label"]),
    ("measure", "Measure", ["measure"]),
    ("finding", "Finding", ["finding"]),
    ("comparator", "Comparator", ["comparator"]),
    ("notes", "Notes", ["notes", "arm_notes", "study_notes"]),
    ("domain", "Outcome domain", ["domain", "domain_label"]),
    ("study", "Study", ["study_id", "citation", "reference"]),
    ("arm", "Arm", ["arm_label"]),
    ("time", "Time point", ["time_point"]),
]
COLUMNS = ["outcome_id", "study_id", "citation", "year", "title", "species", "species_label", "population",
           "population_label", "model", "evidence_type", "evidence_type_label", "arm_id", "arm_label", "modality",
           "modality_label", "comparator", "domain", "domain_label", "measure", "time_point", "direction",
           "direction_label", "finding", "n_exercise", "n_control", "effect_measure", "effect", "ci_lower", "ci_upper",
           "p_value", "extraction", "source_url", "study_source_url", "reference", "notes", "arm_notes", "study_notes"]
# Columns the page carries once per study or arm rather than on every row (it puts them back on each row as it
# loads), which keeps long notes and references from repeating for every outcome.
SHARED = {"study_id": ["title", "reference", "study_source_url", "study_notes"], "arm_id": ["arm_label", "comparator", "arm_notes"]}


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def label(column: str, code) -> str:
    """The words for a code: the project's own name where it has one, else the code with spaces."""
    if _missing(code):
        return ""
    words = LABELS.get(column, {}).get(code)
    return words if words else pretty(code)[:1].upper() + pretty(code)[1:]


def _text(value) -> str:
    return "" if _missing(value) else str(value).strip()


def full_reference(study) -> str:
    """Authors (year). Title. Journal volume(issue):pages. As the dataset gives them."""
    volume = _text(study["volume"]) + (f"({_text(study['issue'])})" if _text(study["issue"]) else "")
    where = " ".join(part for part in (_text(study["journal"]), volume) if part)
    if _text(study["pages"]):
        where = f"{where}:{_text(study['pages'])}" if volume else f"{where}, {_text(study['pages'])}"
    year = f" ({int(study['year'])})" if pd.notna(study["year"]) else ""
    title = _text(study["title"]).rstrip(".")
    return f"{_text(study['authors'])}{year}. {title}. {where}.".replace(" .", ".")


def explorer_rows(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every outcome with its arm and study: codes, their words, the citation, both source pages and the notes."""
    studies = tables["studies"][STUDY_COLUMNS].rename(columns={"source_url": "study_source_url", "notes": "study_notes"})
    arms = tables["interventions"][ARM_COLUMNS].rename(columns={"notes": "arm_notes"})
    rows = (tables["outcomes"][OUTCOME_COLUMNS]
            .merge(arms, on="arm_id", how="left", validate="many_to_one")
            .merge(studies, on="study_id", how="left", validate="many_to_one"))
    for column in ("notes", "arm_notes", "study_notes"):
        rows[column] = [_text(n) for n in rows[column]]
    rows["citation"] = [short_citation(a, y) for a, y in zip(rows["authors"], rows["year"])]
    rows["reference"] = [full_reference(s) for _, s in rows.iterrows()]
    for column, _, _ in FILTERS:
        rows[f"{column}_label"] = [label(column, code) for code in rows[column]]
    rows = rows.sort_values(["year", "study_id", "outcome_id"], kind="stable").reset_index(drop=True)
    return rows[COLUMNS]


def _plain(value):
    """A cell as JSON would have it: missing values as null, numpy numbers as Python numbers."""
    if _missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


def filter_options(rows: pd.DataFrame, enums: dict[str, list[str]] | None = None) -> list[dict]:
    """For each filter, the codes present in the rows, in the data dictionary's order, with their words."""
    enums = enums or {}
    out = []
    for column, name, _ in FILTERS:
        present = set(rows[column].dropna())
        order = [c for c in enums.get(column, []) if c in present] + sorted(present - set(enums.get(column, [])))
        out.append({"key": column, "label": name,
                    "options": [{"value": code, "label": label(column, code)} for code in order]})
    return out


def page_data(rows: pd.DataFrame, enums: dict[str, list[str]] | None = None,
              definitions: dict[str, str] | None = None, note: str = "", meanings: dict[str, str] | None = None,
              pooling: dict | None = None) -> dict:
    """Everything the explorer page needs: the rows, the filters, the colours, the dictionary's words (`meanings`:
    each direction's definition) and the pooling panel's contrasts (explorer_pooling.pooling_data)."""
    years = rows["year"].dropna()
    row_columns = [c for c in COLUMNS if not any(c in columns for columns in SHARED.values())]
    direction_order = list(dict.fromkeys([*(enums or {}).get("direction", []), *DIRECTION_COLOURS]))
    return {
        "columns": COLUMNS,
        "rows": [{c: _plain(v) for c, v in zip(row_columns, record)} for record in rows[row_columns].itertuples(index=False)],
        "shared": {key: {k: {c: _plain(v) for c, v in values.items()}
                         for k, values in rows.drop_duplicates(key).set_index(key)[columns].iterrows()}
                   for key, columns in SHARED.items()},
        "filters": filter_options(rows, enums),
        "search_fields": [{"key": key, "label": name, "columns": columns} for key, name, columns in SEARCH_FIELDS],
        "years": [int(years.min()), int(years.max())] if len(years) else [None, None],
        "direction_colours": [[code, DIRECTION_COLOURS.get(code, "#999999")] for code in direction_order],
        "direction_labels": {code: label("direction", code) for code in direction_order},
        "definitions": definitions or {},
        "direction_meanings": meanings or {},
        "pooling": pooling or {"contrasts": [], "review": [], "settings": {}},
        "note": note,
    }


def dictionary_inputs(package) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The filters' option order (enums) and descriptions, read from the data package's descriptor."""
    enums, definitions = {}, {}
    for column, name, resource in FILTERS:
        field = package.resources[resource].field(column)
        enums[column] = list(field.enum or [])
        if column in DEFINED:
            definitions[name] = field.description
    return enums, definitions


def code_meanings(description: str, codes: list[str]) -> dict[str, str]:
    """Each code's definition, cut from a data-dictionary description written as 'code: meaning. code: ...'."""
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(c) for c in codes) + r"): ")
    parts = pattern.split(description or "")
    return {code: text.strip() for code, text in zip(parts[1::2], parts[2::2])}


def direction_meanings(package) -> dict[str, str]:
    """What each direction means, in the data dictionary's words (outcomes.direction)."""
    field = package.resources["outcomes"].field("direction")
    return code_meanings(field.description, list(field.enum or []))


def script_block(data: dict) -> str:
    """The data as a JSON script element inside a raw-HTML block that Quarto includes verbatim.
    '<' is escaped so that no text from the data can close the script element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("<", "\\u003c")
    return f'```{{=html}}\n<script type="application/json" id="explorer-data">{text}</script>\n```\n'


def write_page_data(data: dict, out_dir: Path) -> Path:
    """explorer/explorer-data.md under out_dir, the file report/explorer.qmd includes."""
    folder = Path(out_dir) / "explorer"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "explorer-data.md"
    path.write_text(script_block(data), encoding="utf-8")
    return path


def write_registered_trials(coming: pd.DataFrame, out_dir: Path) -> Path:
    """explorer/registered-trials.md under out_dir: the review's table of registered controlled trials without
    results, for the explorer page to show below the outcomes (a sentence saying so when there are none)."""
    folder = Path(out_dir) / "explorer"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "registered-trials.md"
    path.write_text(to_markdown(for_reader(coming)) if len(coming) else
                    "No registered controlled trial without results is recorded.\n", encoding="utf-8")
    return path
