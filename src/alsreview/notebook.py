"""What every notebook does first and last: check parameters, load the selected data, save artifacts."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .export import use_deterministic_style, write_figure, write_table, write_values
from .load import load_tables
from .params import check_params, subset_label
from .paths import ANALYSIS_DIR, DATA_DIR
from .schema import read_datapackage
from .subset import select


@dataclass
class Context:
    tables: dict[str, pd.DataFrame]
    all_tables: dict[str, pd.DataFrame]
    out_dir: Path
    params: dict

    @property
    def label(self) -> str:
        return subset_label(self.params)

    def table(self, frame: pd.DataFrame, name: str) -> pd.DataFrame:
        write_table(frame, self.out_dir, name)
        return frame

    def figure(self, fig, name: str):
        write_figure(fig, self.out_dir, name)
        return fig

    def values(self, values: dict, name: str) -> dict:
        write_values({**values, "subset": self.label}, self.out_dir, name)
        return values


def start(**params) -> Context:
    """Validate parameters and data, then return the selected tables and where to write."""
    data_dir = Path(params.get("data_dir") or DATA_DIR)
    evidence_types = read_datapackage(data_dir).enum("studies", "evidence_type")
    checked = check_params(params, evidence_types)
    use_deterministic_style()
    tables = load_tables(data_dir)
    chosen = select(tables, species=checked["species"] or None, year_min=checked["year_min"],
                    year_max=checked["year_max"], evidence_types=checked["evidence_types"] or None)
    out_dir = Path(checked["output_dir"] or ANALYSIS_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    return Context(chosen, tables, out_dir, checked)
