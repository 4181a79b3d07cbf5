"""Reading the curated CSVs as text cells: tolerant of harmless variants (BOM, CRLF, trailing spaces), strict about
the rest.

`read_raw` gives every cell as text with its line number, for the validator (validate.py) and the tidier; typed
DataFrames come from load.py, once the cells have been checked."""
from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import DataError, Problem
from .files import read_bytes_safely
from .paths import display_path
from .schema import DataPackage, Resource

LINE = "_line"
csv.field_size_limit(sys.maxsize)  # long cells are read whole; the validator refuses those over MAX_CELL with file:line


@dataclass
class RawTable:
    """A CSV as text cells (stripped), with the file line each row starts on."""

    resource: Resource
    file: str
    frame: pd.DataFrame


def _decode(path: Path, shown: str, resource_name: str) -> str:
    data = read_bytes_safely(path, shown, f"resource '{resource_name}' in datapackage.json points here")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start: exc.start + 1].hex()
        raise DataError([Problem(shown, line, "", f"0x{byte}",
                                 "not UTF-8 text (saved as Latin-1/Windows-1252?): re-save the file as UTF-8")]) from None


def _read_fast(text: str, expected: list[str]) -> pd.DataFrame | None:
    """pandas' C parser for the common case: right header, right cell counts, no line breaks inside cells.
    A first pass with the csv module checks exactly that (and notes blank lines); anything else returns
    None and the careful reader, which can say what is wrong and where, takes over."""
    reader = csv.reader(io.StringIO(text, newline=""))
    if [h.strip() for h in next(reader)] != expected:
        return None
    blank = []
    for line, row in enumerate(reader, start=2):
        if reader.line_num != line or (row and len(row) != len(expected)):
            return None
        blank.append(not row)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, engine="c",
                            skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError):
        return None
    if len(frame) != len(blank) or len(frame.columns) != len(expected):
        return None
    frame.columns = expected
    for column in expected:
        frame[column] = frame[column].str.strip()
    frame[LINE] = pd.RangeIndex(2, len(frame) + 2)
    return frame.loc[[not b for b in blank]].reset_index(drop=True)


def _read_careful(text: str, expected: list[str], shown: str) -> pd.DataFrame:
    """Row by row with the csv module, reporting a wrong header or wrong cell counts with their lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    if header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        detail = []
        if missing:
            detail.append("missing " + ", ".join(missing))
        if extra:
            detail.append("unexpected " + ", ".join(extra))
        if not detail:
            detail.append("columns out of order")
        raise DataError([Problem(shown, 1, "(header)", ",".join(header),
                                 f"header must be {','.join(expected)} ({'; '.join(detail)})")])
    problems: list[Problem] = []
    rows, lines = [], []
    start = reader.line_num + 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not row:
            continue
        if len(row) != len(expected):
            problems.append(Problem(shown, line, "(row)", ",".join(row)[:60],
                                    f"row has {len(row)} cells, the header has {len(expected)}"))
            continue
        rows.append([c.strip() for c in row])
        lines.append(line)
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame(rows, columns=expected, dtype=str) if rows else pd.DataFrame(
        {c: pd.Series(dtype=str) for c in expected})
    frame[LINE] = pd.Series(lines, dtype="int64")
    return frame


def read_raw(package: DataPackage, resource_name: str) -> RawTable:
    """Read one resource's CSV as stripped text cells; structural faults raise DataError with line numbers."""
    resource = package.resources[resource_name]
    path = package.path_of(resource_name)
    shown = display_path(path)
    text = _decode(path, shown, resource_name)
    if not text.strip():
        raise DataError([Problem(shown, 1, "", "", "empty file: expected a header row")])
    expected = resource.field_names
    frame = _read_fast(text, expected)
    if frame is None:
        frame = _read_careful(text, expected, shown)
    return RawTable(resource, shown, frame)


def problems_where(table: RawTable, mask: pd.Series, column: str, rule) -> list[Problem]:
    """One Problem per row where mask is true; rule is a string or a function of the cell value.

    Every row-level rule of the validator reports through this, so each names file, line, column and value."""
    hit = mask.fillna(False).astype(bool).to_numpy()
    if not hit.any():  # the common case: checking a valid table copies nothing
        return []
    lines = table.frame[LINE].to_numpy()[hit]
    values = table.frame[column].to_numpy()[hit] if column in table.frame else [""] * len(lines)
    return [Problem(table.file, int(line), column, str(value), rule(value) if callable(rule) else rule)
            for line, value in zip(lines, values)]
