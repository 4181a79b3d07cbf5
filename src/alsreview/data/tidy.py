"""The one command allowed to rewrite the curated CSVs: canonical form, written atomically."""
from __future__ import annotations

import csv
import io
import os
import stat
import tempfile
from pathlib import Path

from .errors import DataError
from .raw import LINE
from .schema import read_datapackage
from .validate import read_and_check


def atomic_write(path: Path, text: str) -> None:
    """Write to a temporary file beside the target, then rename over it: readers see old or new, never half.
    The new file keeps the old one's permission bits (mkstemp alone would leave 0600)."""
    mode = stat.S_IMODE(os.stat(path).st_mode) if path.exists() else 0o666 & ~_umask()
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            os.fchmod(out.fileno(), mode)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def tidy(data_dir: Path) -> list[Path]:
    """Rewrite every CSV that is not already canonical; refuses to touch data that do not validate."""
    package = read_datapackage(data_dir)
    tables, problems = read_and_check(package)
    if problems:
        raise DataError(problems)
    changed = []
    for name, raw in tables.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(raw.resource.field_names)
        writer.writerows(raw.frame.drop(columns=[LINE]).itertuples(index=False))
        path = package.path_of(name)
        if path.read_bytes() != buffer.getvalue().encode("utf-8"):
            atomic_write(path, buffer.getvalue())
            changed.append(path)
    return changed
