"""What every notebook does first and last: check parameters, load the selected data, save artifacts."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..data.errors import UsageError
from ..data.labels import study_names
from ..data.load import load_tables
from ..data.paths import ANALYSIS_DIR, DATA_DIR
from ..data.schema import DataPackage, read_datapackage
from ..data.subset import select
from ..document.export import write_citations, write_figure, write_prose, write_table, write_values
from ..synthesis.figure_style import use_deterministic_style
from .build import MODULES_FILE
from .params import check_params, empty_selection_message, subset_label


class ModuleRecord:
    """Which modules of this package the notebook's kernel has imported, kept in out_dir/modules.json: those loaded
    when the notebook starts, and each one imported later, recorded before it loads (an import hook at the front
    of sys.meta_path, which sees every import not yet loaded). The build re-runs the notebook only when one of
    them changes, as it does for the tables read."""

    def __init__(self, out_dir: Path, package: str = __package__.split(".")[0]):
        self.path, self.package = Path(out_dir) / MODULES_FILE, package
        self.names = {name for name in list(sys.modules) if self._ours(name)}
        self._write()

    def _ours(self, name: str) -> bool:
        return name == self.package or name.startswith(self.package + ".")

    def _write(self) -> None:
        self.path.write_text(json.dumps(sorted(self.names)) + "\n", encoding="utf-8")

    def find_spec(self, name, path=None, target=None):
        if self._ours(name) and name not in self.names:
            self.names.add(name)
            self._write()
        return None  # the import itself is left to the usual finders

    def install(self) -> "ModuleRecord":
        sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, ModuleRecord)]
        sys.meta_path.insert(0, self)
        return self


class TrackedTables(dict):
    """The selected tables, remembering which ones the notebook read (the build's dependency record)."""

    def __init__(self, tables, read: set[str] | None = None):
        super().__init__(tables)
        self.read = read if read is not None else set()
        self.read.add("studies")  # every selection is made through the studies table

    def __getitem__(self, name):
        self.read.add(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        if name in self:
            self.read.add(name)
        return super().get(name, default)

    def items(self):
        self.read.update(self.keys())
        return super().items()

    def values(self):
        self.read.update(self.keys())
        return super().values()


@dataclass
class Context:
    """What a notebook works with: the selected tables, the whole corpus (for facts that must not change with the
    selection, such as the search log), where to write, the parameters, the data release's version and the data
    dictionary (read once, when the notebook starts)."""

    tables: dict[str, pd.DataFrame]
    out_dir: Path
    params: dict
    corpus: dict[str, pd.DataFrame] | None = None  # the whole dataset, for facts that do not change with a selection
    version: str = ""
    package: DataPackage | None = None

    @property
    def label(self) -> str:
        return subset_label(self.params)

    def record_inputs(self) -> None:
        """Write which tables were read so far; the build re-runs the notebook only when one of them changes."""
        read = sorted(self.tables.read) if isinstance(self.tables, TrackedTables) else sorted(self.tables)
        (self.out_dir / "inputs.json").write_text(json.dumps(read) + "\n", encoding="utf-8")

    def table(self, frame: pd.DataFrame, name: str, citations: tuple[str, ...] = ()) -> pd.DataFrame:
        names = study_names((self.corpus or self.tables)["studies"]) if citations else None
        write_table(frame, self.out_dir, name, citations, names)
        self.record_inputs()
        return frame

    def figure(self, fig, name: str):
        """Save the figure; return its PNG as an image, which the executed notebook (and its HTML copy) shows
        whatever matplotlib backend the kernel runs with."""
        from IPython.display import Image

        _, png = write_figure(fig, self.out_dir, name)
        self.record_inputs()
        return Image(filename=str(png))

    def prose(self, markdown: str, name: str) -> str:
        write_prose(markdown, self.out_dir, name)
        self.record_inputs()
        return markdown

    def citations(self, keys: list[str]) -> list[str]:
        write_citations(keys, self.out_dir)
        return keys

    def values(self, values: dict, name: str) -> dict:
        note = f"This is a subset report ({self.label})." if self.label else "All works in the dataset are included."
        write_values({**values, "subset": self.label, "subset_note": note}, self.out_dir, name)
        self.record_inputs()
        return values


def start(**params) -> Context:
    """Validate parameters and data, then return the selected tables and where to write."""
    data_dir = Path(params.get("data_dir") or DATA_DIR)
    package = read_datapackage(data_dir)
    evidence_types = package.enum("studies", "evidence_type")
    checked = check_params(params, evidence_types)
    use_deterministic_style()
    for option in ("display.max_colwidth", "display.max_rows", "display.max_columns", "display.width"):
        pd.set_option(option, None)  # the notebooks' HTML copies show whole tables, not cut cells
    tables = load_tables(package)
    chosen = select(tables, species=checked["species"] or None, year_min=checked["year_min"],
                    year_max=checked["year_max"], evidence_types=checked["evidence_types"] or None)
    if chosen["studies"].empty:
        raise UsageError(empty_selection_message(checked, data_dir / "studies.csv"))
    out_dir = Path(checked["output_dir"] or ANALYSIS_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    ModuleRecord(out_dir).install()
    selected = TrackedTables(chosen)
    return Context(selected, out_dir, checked, corpus=TrackedTables(tables, read=selected.read),
                   version=str(package.descriptor.get("version", "")), package=package)
