"""Typed tables for the analyses: the curated CSVs, read and validated, as DataFrames.

`load_tables` refuses data that do not validate, so every stage above this one works with checked tables only."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import DataError
from .paths import DATA_DIR
from .raw import RawTable
from .schema import DataPackage
from .validate import read_and_check


def typed(raw: RawTable) -> pd.DataFrame:
    """Convert validated text cells to the schema's types: integers as Int64, numbers as float, empty as NA."""
    out = {}
    for field in raw.resource.fields:
        col = raw.frame[field.name]
        if field.type == "integer":
            out[field.name] = pd.to_numeric(col.replace("", pd.NA), errors="raise").astype("Int64")
        elif field.type == "number":
            out[field.name] = pd.to_numeric(col.replace("", pd.NA), errors="raise").astype("float64")
        else:
            out[field.name] = col.astype(object).where(col != "", None).astype(object)
    return pd.DataFrame(out)


def load_tables(source: Path | DataPackage = DATA_DIR) -> dict[str, pd.DataFrame]:
    """All resources as typed DataFrames, keyed by resource name. Raises DataError unless the data validate.

    `source` is a data folder, or its descriptor when the caller has read it already (read it once per command)."""
    raw, problems = read_and_check(source)
    if problems:
        raise DataError(problems)
    return {name: typed(table) for name, table in raw.items()}
