"""One progress display for a whole build, however many notebooks run at once.

Parallel notebooks each drawing their own bar interleave on the terminal; here every notebook reports its
executed cells to one shared bar, and finished notebooks print one line above it. The bar is drawn only
on a terminal; in a log or through a pipe only the lines appear.
"""
from __future__ import annotations

import json
import sys
import threading
from pathlib import Path


class BuildProgress:
    """A single bar counting the code cells of all notebooks, plus one line per finished notebook."""

    def __init__(self, total_cells: int, show_bar: bool = True, log=print, stream=None):
        self.log = log
        self.lock = threading.Lock()
        self.bar = None
        stream = stream or sys.stderr
        if show_bar and total_cells and stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total_cells, desc="notebooks", unit="cell", file=stream, leave=False,
                            bar_format="{desc}: {n_fmt}/{total_fmt} cells |{bar:30}| {elapsed}")

    def cell_done(self, **_hook_kwargs) -> None:
        """Hook for nbclient's on_cell_executed: one more cell finished somewhere."""
        self.advance(1)

    def advance(self, cells: int) -> None:
        if self.bar is not None:
            with self.lock:
                self.bar.update(cells)

    def line(self, text: str) -> None:
        """A line of its own above the bar, never glued to it."""
        with self.lock:
            if self.bar is not None:
                self.bar.clear()
                self.log(text)
                self.bar.refresh()
            else:
                self.log(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def code_cells(notebook) -> int:
    """Number of code cells papermill will execute (its injected parameters cell included)."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return sum(c["cell_type"] == "code" for c in cells) + 1
